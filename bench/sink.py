"""A mail server that takes every message and only counts them, for the
benchmark's workers to send to: aiosmtpd in a process of its own, so its
work is not charged to the process that measures. Says "ready <port>" once
it listens; on SIGTERM it says "received <count>" and stops.

    python -m bench.sink --port 2525
"""

import argparse
import signal
import threading


class Counter:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 Message accepted for delivery"


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    print(f"ready {port}", flush=True)
    stop.wait()
    controller.stop()
    print(f"received {counter.received}", flush=True)


if __name__ == "__main__":
    main()
