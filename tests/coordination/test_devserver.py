"""`make run`'s process manager: when a process dies by itself the person is
told at once which one and why; Ctrl-C stops everything quietly."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start(tmp_path: Path, procfile: str, *names: str) -> subprocess.Popen:
    (tmp_path / "Procfile").write_text(procfile)
    code = (
        "import sys, pathlib; from coordination.devserver import main; "
        f"sys.exit(main({list(names)!r}, procfile_path=pathlib.Path({str(tmp_path / 'Procfile')!r})))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "VAR_DIR": str(tmp_path / "var")},
        stdout=open(tmp_path / "out.txt", "wb"),  # the child writes it; closed when the test ends
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def started_pids(output: str) -> dict[str, int]:
    return {name: int(pid) for name, pid in re.findall(r"(\w+)\.1 started \(pid=(\d+)\)", output)}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_process_that_dies_is_named_with_its_last_lines_and_the_others_are_stopped(tmp_path):
    crash = f"{sys.executable} -c \"import sys; print('ModuleNotFoundError: No module named spam'); sys.exit(3)\""
    process = start(tmp_path, f"sleeper: sleep 60\ncrasher: {crash}\n", "sleeper", "crasher")
    assert process.wait(timeout=30) == 1
    output = (tmp_path / "out.txt").read_text()

    assert "!! The process crasher (crasher.1) stopped by itself (exit code 3)." in output
    banner = output.index("!! The process crasher")
    assert "ModuleNotFoundError: No module named spam" in output[banner:]
    assert output.rstrip().endswith("Roundtable stopped because crasher.1 stopped. Its last lines are above.")
    # the others' shutdown goes to the log, not over the message
    assert "sending SIGTERM" not in output
    log = (tmp_path / "var" / "log" / "run.log").read_text()
    assert "sending SIGTERM to sleeper.1" in log
    assert not alive(started_pids(output)["sleeper"])


def test_ctrl_c_stops_every_process_without_alarm(tmp_path):
    process = start(tmp_path, "one: sleep 60\ntwo: sleep 60\n")
    deadline = time.monotonic() + 20
    while len(started_pids((tmp_path / "out.txt").read_text())) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = started_pids((tmp_path / "out.txt").read_text())
    assert set(pids) == {"one", "two"}

    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=30) == 0
    output = (tmp_path / "out.txt").read_text()
    assert "Everything Roundtable started has stopped." in output
    assert "!!" not in output
    assert not any(alive(pid) for pid in pids.values())
