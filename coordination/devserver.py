"""What `make run` serves: the processes of the Procfile (web, worker, beat and,
without REDIS_URL, the embedded Redis) under honcho's process manager.

Ctrl-C stops all of them. When one of them stops by itself (a crash, a missing
module, a port in use), this says at once which one and shows its last lines,
then stops the others without burying that message under their shutdown
chatter. Everything every process prints is also kept in var/log/run.log.

    python -m coordination.devserver [PROCESS ...]
"""

import collections
import datetime
import os
import re
import sys
from pathlib import Path
from typing import TextIO

from honcho.environ import expand_processes, parse, parse_procfile
from honcho.manager import Manager
from honcho.printer import Message, Printer

ROOT = Path(__file__).resolve().parent.parent
TAIL_LINES = 25
STOPPED = re.compile(r"^(?P<name>\S+) stopped \(rc=(?P<rc>-?\d+)\)")
WHAT = {
    "web": "web server",
    "worker": "Celery worker",
    "beat": "Celery beat scheduler",
    "redis": "embedded Redis",
}


def _text(message: Message) -> str:
    data = message.data
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


class WatchfulPrinter(Printer):
    """honcho's printer, that also keeps each process's last lines and the
    whole run in a log file, and reports the first process to die by itself."""

    def __init__(self, output: TextIO, log: TextIO) -> None:
        super().__init__(output)
        self.log = log
        self.tails: dict[str, collections.deque[str]] = collections.defaultdict(
            lambda: collections.deque(maxlen=TAIL_LINES)
        )
        self.asked_to_stop = False
        self.died: tuple[str, int] | None = None

    def write(self, message: Message) -> None:
        text = _text(message)
        stamp = message.time.strftime("%H:%M:%S")
        for line in text.splitlines():
            self.log.write(f"{stamp} {message.name} | {line}\n")
            if message.name != "system":
                self.tails[message.name].append(line)
        self.log.flush()

        if message.name == "system":
            if " received" in text:  # honcho's "SIGINT received": the person pressed Ctrl-C
                self.asked_to_stop = True
            stopped = STOPPED.match(text)
            if stopped and not self.asked_to_stop and self.died is None:
                self.died = (stopped["name"], int(stopped["rc"]))
                self.report_death()
                return
        if self.died is None:
            super().write(message)

    def report_death(self) -> None:
        name, code = self.died
        base = name.split(".")[0]
        kind = WHAT.get(base, f"process {base}")
        how = f"exit code {code}" if code >= 0 else f"signal {-code}"
        lines = [
            "",
            f"!! The {kind} ({name}) stopped by itself ({how}). Roundtable is stopping the others.",
            f"!! Its last lines (the whole run is in {self.log.name}):",
        ]
        lines += [f"!!   {line}" for line in self.tails[name]] or ["!!   (it printed nothing)"]
        lines.append("")
        self.output.write("\n".join(lines) + "\n")
        self.output.flush()


def main(argv: list[str], procfile_path: Path = ROOT / "Procfile") -> int:
    os.chdir(ROOT)
    procfile = parse_procfile(procfile_path.read_text())
    wanted = argv or list(procfile.processes)
    unknown = [name for name in wanted if name not in procfile.processes]
    if unknown:
        sys.stderr.write(f"No such process in the Procfile: {', '.join(unknown)}\n")
        return 2
    env = os.environ.copy()
    dotenv = ROOT / ".env"
    if dotenv.exists():  # as `honcho start` did: a developer's own settings
        env.update(parse(dotenv.read_text()))

    var_dir = Path(env.get("VAR_DIR") or ROOT / "var")
    (var_dir / "log").mkdir(parents=True, exist_ok=True)
    with open(var_dir / "log" / "run.log", "a", encoding="utf-8") as log:
        log.write(f"--- make run, {datetime.datetime.now():%Y-%m-%d %H:%M:%S}: {' '.join(wanted)}\n")
        printer = WatchfulPrinter(sys.stdout, log)
        manager = Manager(printer)
        for process in expand_processes({name: procfile.processes[name] for name in wanted}, env=env):
            manager.add_process(process.name, process.cmd, quiet=process.quiet, env=process.env)
        manager.loop()

    if printer.died:
        name, _ = printer.died
        sys.stdout.write(f"\nRoundtable stopped because {name} stopped. Its last lines are above.\n")
        return 1
    sys.stdout.write("\nEverything Roundtable started has stopped.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
