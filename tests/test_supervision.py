"""What `make run` adds to supervisord, on a real supervisord: the watchdog restarts a process that hangs (stopped
with SIGSTOP, it still "runs" for supervisord), and `make status` counts restarts and says why a process last
stopped and whether it is ready."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lianrong_platform.testing.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# A worker as far as supervision sees one: it answers /healthz and /readyz on its --metrics-port.
WORKER = textwrap.dedent(
    """
    import http.server, sys
    port = int(sys.argv[sys.argv.index("--metrics-port") + 1])
    class Probe(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path in ("/healthz", "/readyz") else 404)
            self.end_headers()
        def log_message(self, *args):
            pass
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Probe).serve_forever()
    """
)


class Supervised:
    def __init__(self, run: Path) -> None:
        self.run = run

    def ctl(self, *args: str) -> str:
        conf = str(self.run / "supervisord.conf")
        return subprocess.run([BIN / "supervisorctl", "-c", conf, *args], capture_output=True, text=True).stdout

    def pid(self) -> int:
        parts = self.ctl("status", "toy-consumer").split()
        return int(parts[3].rstrip(",")) if len(parts) > 3 and parts[1] == "RUNNING" else 0

    def wait_for_new_pid(self, old: int, within_s: float) -> int:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            if (pid := self.pid()) not in (0, old):
                return pid
            time.sleep(0.2)
        raise AssertionError(f"toy-consumer was not started again within {within_s} s:\n{self.ctl('status')}")

    def status(self) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(ROOT / "deploy/supervise.py"), "status", str(self.run)]
        return subprocess.run(command, capture_output=True, text=True)


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Supervised]:
    run = tmp_path / "run"
    run.mkdir()
    (tmp_path / "worker.py").write_text(WORKER)
    port = free_port()
    (run / "supervisord.conf").write_text(
        textwrap.dedent(
            f"""
            [supervisord]
            logfile={run}/supervisord.log
            pidfile={run}/supervisord.pid
            childlogdir={run}
            nodaemon=true

            [unix_http_server]
            file={run}/supervisor.sock

            [supervisorctl]
            serverurl=unix://{run}/supervisor.sock

            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

            [program:toy-consumer]
            command={sys.executable} {tmp_path}/worker.py --metrics-port {port}
            autorestart=true
            startsecs=1
            stopasgroup=true
            killasgroup=true

            [eventlistener:watchdog]
            command={sys.executable} {ROOT}/deploy/supervise.py watchdog {run}
            events=TICK_5
            autorestart=true
            environment=WATCHDOG_AFTER_SECONDS="3"
            stderr_logfile={run}/watchdog.log
            """
        )
    )
    daemon = subprocess.Popen(
        [BIN / "supervisord", "-c", str(run / "supervisord.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    supervised = Supervised(run)
    try:
        supervised.wait_for_new_pid(0, 20)
        yield supervised
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)


def test_a_hung_process_is_killed_by_the_watchdog_and_started_again_and_status_says_so(supervised) -> None:
    first = supervised.pid()
    os.kill(first, signal.SIGSTOP)
    # Not answering from the next tick (≤ 5 s) for 3 s, then killed at the tick after: well within 20 s.
    second = supervised.wait_for_new_pid(first, 20)
    time.sleep(1.5)  # ready again: it listens within its first second

    status = supervised.status()
    assert status.returncode == 0, status.stdout + status.stderr
    row = next(line for line in status.stdout.splitlines() if line.startswith("toy-consumer"))
    assert f"RUNNING  {second}" in row
    assert row.split()[4] == "1", row  # restarts
    assert " ready " in row
    assert "killed by the watchdog (no /healthz answer)" in row
    assert f"toy-consumer (pid {first}) has not answered /healthz" in (supervised.run / "watchdog.log").read_text()

    os.kill(second, signal.SIGKILL)  # a crash: supervisord's own restart, counted the same way
    third = supervised.wait_for_new_pid(second, 20)
    time.sleep(1.5)
    row = next(line for line in supervised.status().stdout.splitlines() if line.startswith("toy-consumer"))
    assert f"RUNNING  {third}" in row
    assert row.split()[4] == "2", row
    assert "terminated by SIGKILL; not expected" in row


def test_status_says_when_a_process_is_not_ready_and_exits_1(supervised) -> None:
    pid = supervised.pid()
    os.kill(pid, signal.SIGSTOP)  # stopped: it cannot answer (the watchdog needs 3 s and a tick to act)
    try:
        status = supervised.status()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    assert status.returncode == 1, status.stdout
    row = next(line for line in status.stdout.splitlines() if line.startswith("toy-consumer"))
    assert "no answer" in row
