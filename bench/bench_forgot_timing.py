"""Benchmark: does asking for a reset link take as long for an unknown address as for an
account's?

The security probe measured 6.4 ms for an existing account and 3.4 ms for an unknown one (n = 40
each, ranges not overlapping): enough to tell which addresses have an account. The form now
schedules the look-up and the mail for after the response, so both answers should take the
same time.

This script serves the app with gunicorn (one sync worker, CSRF on, as in production) on a free
loopback port with a fresh SQLite database and the demo accounts, then posts the form 40 times
for the demo partner's address and 40 times for an unknown one, alternating, each with a fresh
CSRF token, and times each POST as the client sees it (until the whole answer has arrived). A
pause between requests lets the worker finish the work after each answer, so one request does
not slow the next. It prints the median, minimum and maximum of both and whether the ranges
overlap. It is a report, not a test: it always exits 0.

Run from the project root: ``.venv/bin/python bench/bench_forgot_timing.py [--rounds 40]``; with
``--root DIR`` it serves the checkout in DIR instead (to measure an older version).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWN = "partner@example.org"
UNKNOWN = "niemand@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(folder: str, port: int, root: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REVIEWHUB_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        "REVIEWHUB_BASE_URL": f"http://127.0.0.1:{port}",
        "SECRET_KEY": "bench",
        "REVIEWHUB_MAIL_OUTBOX": f"{folder}/outbox",
        # Every request must get as far as the real work: no limit may answer first.
        "REVIEWHUB_ADDRESS_RATE_LIMIT": "100000 per minute",
        "REVIEWHUB_RESET_MAIL_RATE_LIMIT": "100000 per hour",
        "REVIEWHUB_LOGIN_RATE_LIMIT": "100000 per minute",  # what limited the form before
    }
    flask = [sys.executable, "-m", "flask", "--app", "reviewhub"]
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(flask + command, cwd=root, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "wsgi:app"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def form_token(port: int) -> tuple[str, str]:
    """A CSRF token and the session cookie it belongs to."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/password/forgot")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    connection.close()
    assert match, "no CSRF token on the form"
    return match.group(1), cookie


def timed_post(port: int, email: str) -> float:
    token, cookie = form_token(port)
    body = f"csrf_token={token}&email={email.replace('@', '%40')}"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    connection = http.client.HTTPConnection("127.0.0.1", port)
    start = time.perf_counter()
    connection.request("POST", "/password/forgot", body, headers)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    connection.close()
    assert response.status == 302, response.status
    return elapsed


def describe(name: str, times: list[float]) -> str:
    return (
        f"{name:8} median {statistics.median(times):6.2f} ms   "
        f"min {min(times):6.2f}   max {max(times):6.2f}   n = {len(times)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between requests")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = serve(folder, port, args.root.resolve())
        try:
            timed_post(port, UNKNOWN)  # warm up: imports, first template renders
            timed_post(port, KNOWN)
            known, unknown = [], []
            for _ in range(args.rounds):
                for email, times in ((KNOWN, known), (UNKNOWN, unknown)):
                    time.sleep(args.pause)
                    times.append(timed_post(port, email))
            mails = len(list(Path(folder).glob("**/*.eml")))
        finally:
            server.terminate()
            server.wait(10)
    print(describe("known", known))
    print(describe("unknown", unknown))
    overlap = min(known) <= max(unknown) and min(unknown) <= max(known)
    difference = statistics.median(known) - statistics.median(unknown)
    print(f"medians differ by {difference:+.2f} ms; ranges overlap: {overlap}")
    print(f"reset mails written: {mails} (expected {args.rounds + 1})")


if __name__ == "__main__":
    main()
