"""What supervisord does not do by itself for an operator on call.

`status`: each process supervisord runs, its state, how many times it was started again since supervisord started
and why it last stopped, and whether it is ready to do its work (its own /readyz, with the reason when it is not).
supervisord keeps no restart count, so it is read from supervisord's log: every `spawned:` line after the last
`supervisord started` is a start; all but the first are restarts (by supervisord after a crash, by the watchdog, or
by an operator).

`watchdog`: supervisord restarts a process that exits, not one that hangs (a deadlocked loop, a process stopped
with SIGSTOP). Run as supervisord's event listener on TICK_5, it asks every running program's /healthz and kills
(SIGKILL, its whole process group) one that has not answered for WATCHDOG_AFTER_SECONDS (30, as the Kubernetes
liveness probe: 3 × 10 s); supervisord then starts it again like any process that died. A program younger than
that is left alone: it may still be migrating its database.

    python deploy/supervise.py status <run dir>      (deploy/services.sh status)
    python deploy/supervise.py watchdog <run dir>    (an [eventlistener] in supervisord.conf)
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from supervisor import childutils
from supervisor.xmlrpc import SupervisorTransport

SPAWNED = re.compile(r"^(\S+ \S+) INFO spawned: '([^']+)' with pid (\d+)")
EXITED = re.compile(r"^(\S+ \S+) \w+ exited: (\S+) \((.*)\)$")
STARTED = re.compile(r"INFO supervisord started with pid")
KILLED = re.compile(r"^\S+ \S+ watchdog: (\S+) \(pid (\d+)\)", re.MULTILINE)
STAMP = "%Y-%m-%d %H:%M:%S"


@dataclass
class History:
    starts: int = 0
    pid: str = ""  # of the latest start
    last_exit: str = ""
    exited_pid: str = ""
    exited_at: str = ""


def histories(run: Path) -> dict[str, History]:
    """Starts and last exit of each program since supervisord started, the watchdog's kills named as such."""
    seen: dict[str, History] = {}
    log = run / "supervisord.log"
    if not log.exists():
        return seen
    for line in log.read_text(errors="replace").splitlines():
        if STARTED.search(line):
            seen = {}
        elif m := SPAWNED.match(line):
            history = seen.setdefault(m.group(2), History())
            history.starts, history.pid = history.starts + 1, m.group(3)
        elif m := EXITED.match(line):
            history = seen.setdefault(m.group(2), History())
            history.last_exit, history.exited_pid, history.exited_at = m.group(3), history.pid, m.group(1)[11:19]
    kills = run / "watchdog.log"
    killed = set(KILLED.findall(kills.read_text(errors="replace")) if kills.exists() else ())
    for name, history in seen.items():
        if (name, history.exited_pid) in killed:
            history.last_exit = "killed by the watchdog (no /healthz answer)"
        if history.last_exit:
            history.last_exit += f" at {history.exited_at}"
    return seen


def probe_urls(conf: Path, path: str = "/readyz") -> dict[str, str]:
    """Where each program answers `path` (/readyz or /healthz): a worker on its --metrics-port, an API on its
    <SERVICE>_HTTP_PORT, the portal on PORTAL_HTTP_PORT (/healthz only: it holds no state)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(conf)
    env = dict(re.findall(r'(\w+)="([^"]*)"', parser.get("supervisord", "environment", fallback="")))
    urls: dict[str, str] = {}
    for section in parser.sections():
        if not section.startswith("program:"):
            continue
        name = section.removeprefix("program:")
        command = parser.get(section, "command")
        if m := re.search(r"--metrics-port (\d+)", command):
            urls[name] = f"http://127.0.0.1:{m.group(1)}{path}"
        elif name.endswith("-api") and (port := env.get(f"{name.removesuffix('-api').upper()}_HTTP_PORT")):
            urls[name] = f"http://127.0.0.1:{port}{path}"
        elif name == "portal" and (port := env.get("PORTAL_HTTP_PORT")):
            urls[name] = f"http://127.0.0.1:{port}/healthz"
    return urls


def readiness(url: str | None) -> str:
    if url is None:
        return "-"
    try:
        with urllib.request.urlopen(url, timeout=2):
            return "ready"
    except urllib.error.HTTPError as error:
        try:
            reason = json.loads(error.read() or b"{}").get("reason") or ""
        except ValueError:
            reason = ""
        reason = " ".join(str(reason).split())  # one line in the table, however the worker worded it
        return f"NOT READY ({(reason[:90] + '…') if len(reason) > 90 else reason or error.code})"
    except OSError as error:
        return f"no answer ({getattr(error, 'reason', error)})"


def uptime(seconds: int) -> str:
    hours, rest = divmod(max(seconds, 0), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def status(run: Path) -> int:
    proxy = xmlrpc.client.ServerProxy(
        "http://127.0.0.1", transport=SupervisorTransport(None, None, f"unix://{run / 'supervisor.sock'}")
    )
    processes = proxy.supervisor.getAllProcessInfo()
    seen = histories(run)
    urls = probe_urls(run / "supervisord.conf")
    now = int(time.time())
    rows = [("PROCESS", "STATE", "PID", "UPTIME", "RESTARTS", "READY", "LAST EXIT")]
    unhealthy = 0
    for info in sorted(processes, key=lambda p: p["name"]):
        name, state = info["name"], info["statename"]
        history = seen.get(name, History())
        ready = readiness(urls.get(name)) if state == "RUNNING" else "-"
        unhealthy += state != "RUNNING" or not ready.startswith(("ready", "-"))
        rows.append(
            (
                name,
                state,
                str(info["pid"] or "-"),
                uptime(now - info["start"]) if state == "RUNNING" else "-",
                str(max(history.starts - 1, 0)),
                ready,
                history.last_exit or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    return 1 if unhealthy else 0


def alive(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3):
            return True
    except (OSError, ValueError):
        return False


def watchdog(run: Path) -> int:
    after = float(os.environ.get("WATCHDOG_AFTER_SECONDS", "30"))
    urls = probe_urls(run / "supervisord.conf", "/healthz")
    rpc = childutils.getRPCInterface(os.environ)
    silent_since: dict[tuple[str, int], float] = {}  # (program, pid) → when it first did not answer
    with ThreadPoolExecutor(max_workers=8) as pool:
        while True:
            headers, _payload = childutils.listener.wait(sys.stdin, sys.stdout)
            if headers["eventname"].startswith("TICK"):
                now = time.time()
                running = [
                    p
                    for p in rpc.supervisor.getAllProcessInfo()
                    if p["statename"] == "RUNNING" and p["name"] in urls and now - p["start"] >= after
                ]
                answers = pool.map(lambda p: alive(urls[p["name"]]), running)
                watched = set()
                for info, answered in zip(running, answers, strict=True):
                    key = (info["name"], info["pid"])
                    watched.add(key)
                    if answered:
                        silent_since.pop(key, None)
                        continue
                    since = silent_since.setdefault(key, now)
                    if now - since >= after:
                        print(
                            f"{time.strftime(STAMP)} watchdog: {info['name']} (pid {info['pid']}) has not answered "
                            f"/healthz for {now - since:.0f} s: killed for supervisord to start it again",
                            file=sys.stderr,
                            flush=True,
                        )
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(info["pid"], signal.SIGKILL)
                        silent_since.pop(key, None)
                for key in set(silent_since) - watched:
                    silent_since.pop(key)
            childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    command, run = sys.argv[1], Path(sys.argv[2])
    sys.exit({"status": status, "watchdog": watchdog}[command](run))
