"""A real mail server (aiosmtpd) and a real worker (`flask --app reviewhub worker`, a process of
its own), for the tests that send mail the way production does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def worker(env: dict[str, str], log: Path, threads: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """`flask --app reviewhub worker` in a process of its own, stopped as Ctrl-C would; what
    it logs goes to ``log``."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "reviewhub",
                "worker",
                "--workers",
                str(threads),
            ],
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(inbox: Inbox, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)


@contextmanager
def mail_server() -> Iterator[tuple[int, Inbox]]:
    """An SMTP server on a free port of 127.0.0.1 that keeps what it receives."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
