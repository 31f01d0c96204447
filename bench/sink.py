"""A mail server that takes every message and only counts them, for the
benchmark's workers to send to: a few lines of SMTP on asyncio, in a process
of its own, so its work is not charged to the process that measures (and the
benchmark needs nothing the site does not install). Says "ready <port>" once
it listens; on SIGTERM it says "received <count>" and stops.

    python -m bench.sink --port 2525
"""

import argparse
import asyncio
import signal


class Sink:
    def __init__(self):
        self.received = 0

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """EHLO, MAIL, RCPT, DATA... answered as a server that takes everything."""

        async def say(*lines: bytes) -> None:
            writer.write(b"".join(line + b"\r\n" for line in lines))
            await writer.drain()

        try:
            await say(b"220 sink ready")
            while line := await reader.readline():
                command = line[:4].upper()
                if command == b"EHLO":
                    await say(b"250-sink", b"250-8BITMIME", b"250 SMTPUTF8")
                elif command == b"DATA":
                    await say(b"354 end with <CRLF>.<CRLF>")
                    while await reader.readline() not in (b".\r\n", b""):
                        pass
                    self.received += 1
                    await say(b"250 accepted")
                elif command == b"QUIT":
                    await say(b"221 bye")
                    break
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    await say(b"250 OK")
        except ConnectionError:
            pass
        finally:
            writer.close()


async def serve(port: int) -> None:
    sink = Sink()
    server = await asyncio.start_server(sink.session, "127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"ready {port}", flush=True)
    async with server:
        await stop.wait()
    print(f"received {sink.received}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
