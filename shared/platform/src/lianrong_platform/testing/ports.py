"""Ports for the servers a test starts.

Not port 0's answer: the kernel hands that out from the ephemeral range (32768–60999 here), the same range every
outgoing connection's local port comes from, so with a dozen processes connecting to Kafka and PostgreSQL a port
found free can be taken by a client before the server binds it. These come from below that range, are checked
bindable, and are never handed out twice in one test run."""

from __future__ import annotations

import random
import socket

LOW, HIGH = 20000, 32000
_given: set[int] = set()


def free_port() -> int:
    for _ in range(1000):
        port = random.randint(LOW, HIGH)
        if port in _given:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError(f"no free port between {LOW} and {HIGH}")
