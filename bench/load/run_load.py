"""Load and fault test: gunicorn with several workers on loopback, a mixed load from locust,
then a check that every acknowledged reaction is stored; optionally a kill -9 of the server in
the middle of the write load, a restart, and the same check plus the database's own.

    .venv/bin/python bench/load/run_load.py [--database sqlite|postgresql] [--users 64]
        [--seconds 60] [--workers 4] [--kill] [--static]

- sqlite: a fresh file in a temporary folder; postgresql: the database ``reviewhub_load`` on
  127.0.0.1:5432 (user postgres, trust), dropped and made anew.
- The load (bench/load/locustfile.py): 90% page reads (version page, section pages, compare,
  document list), 10% reactions posted through the real form, all as logged-in partners.
- --static: also serve the version page's HTML as a file through gunicorn and load it the
  same way, for the throughput ratio the issue asks for.
- --kill: after half the time, kill -9 every gunicorn process, start it again and let the
  load run on; afterwards every acknowledged reaction must be in the database.
Traffic goes to 127.0.0.1 only; every run is bounded by --seconds. Needs locust
(``.venv/bin/pip install locust``). A report, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_LOAD = "postgresql+psycopg://postgres@127.0.0.1:5432/reviewhub_load"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder}/load.sqlite3"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS reviewhub_load WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE reviewhub_load"))
    admin.dispose()
    return POSTGRES_LOAD


def environment(url: str, port: int, folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "REVIEWHUB_DATABASE_URL": url,
        "REVIEWHUB_BASE_URL": f"http://127.0.0.1:{port}",
        "REVIEWHUB_MAIL_OUTBOX": str(folder / "outbox"),
        "SECRET_KEY": "load-test",  # the same for every worker: sessions survive a restart
        # Every simulated person logs in from 127.0.0.1: no throttle may get in the way.
        "REVIEWHUB_ADDRESS_RATE_LIMIT": "100000 per minute",
        "REVIEWHUB_LOGIN_RATE_LIMIT": "100000 per minute",
        "REVIEWHUB_LOAD_ACKNOWLEDGED": str(folder / "acknowledged.txt"),
    }


def prepare(env: dict[str, str]) -> None:
    flask = [str(BIN / "flask"), "--app", "reviewhub"]
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)


def gunicorn(app: str, port: int, workers: int, env: dict[str, str], cwd: Path = ROOT) -> Any:
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", app],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # one process group: kill -9 reaches master and workers
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/documents/", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def locust(port: int, users: int, seconds: int, prefix: Path, env: dict[str, str],
           user_class: str = "Partner") -> subprocess.Popen[bytes]:  # fmt: skip
    return subprocess.Popen(
        [str(BIN / "locust"), "-f", str(LOCUSTFILE), user_class, "--headless",
         "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def summary(prefix: Path) -> dict[str, dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def stored_tokens(url: str, tokens: list[str]) -> int:
    """How many of the acknowledged reactions' form tokens are in the database."""
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = set(connection.execute(text("SELECT client_token FROM comments")).scalars())
        if url.startswith("sqlite"):
            print("integrity_check:", connection.execute(text("PRAGMA integrity_check")).scalar())
    engine.dispose()
    return len(set(tokens) & stored)


def report(label: str, rows: dict[str, dict[str, str]]) -> None:
    print(f"\n== {label}")
    print(
        f"{'name':28} {'requests':>9} {'fails':>6} {'req/s':>8} {'p50':>6} {'p99':>6} {'size':>8}"
    )
    for name, row in rows.items():
        print(
            f"{name:28} {row['Request Count']:>9} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):8.1f} {row['50%']:>6} {row['99%']:>6} "
            f"{float(row['Average Content Size']):8.0f}"
        )


def static_run(args: argparse.Namespace, folder: Path, env: dict[str, str], port: int) -> None:
    """The version page's HTML served as a file by gunicorn: what the page could reach."""
    html = urllib.request.urlopen(f"http://127.0.0.1:{port}/documents/").read()
    slug = env.get("REVIEWHUB_LOAD_SLUG", "handelingskader-veiligheidsteams")
    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/documents/{slug}/v/3").read()
    (folder / "page.html").write_bytes(page or html)
    (folder / "static_page.py").write_text(
        "from pathlib import Path\n"
        "BODY = (Path(__file__).parent / 'page.html').read_bytes()\n"
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'),\n"
        "                              ('Content-Length', str(len(BODY)))])\n"
        "    return [BODY]\n"
    )
    static_port = free_port()
    server = gunicorn("static_page:app", static_port, args.workers, env, cwd=folder)
    try:
        prefix = folder / "static"
        locust(static_port, args.users, args.seconds, prefix, env, "StaticPage").wait()
        report("the version page as a static file", summary(prefix))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill", action="store_true")
    parser.add_argument("--static", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        port = free_port()
        url = database_url(args.database, folder)
        env = environment(url, port, folder)
        prepare(env)
        server = gunicorn("wsgi:app", port, args.workers, env)
        prefix = folder / "mixed"
        load = locust(port, args.users, args.seconds, prefix, env)
        if args.kill:
            time.sleep(args.seconds / 2)
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
            print(f"kill -9 of every gunicorn process after {args.seconds / 2:.0f} s")
            server = gunicorn("wsgi:app", port, args.workers, env)
        load.wait()
        report(f"mixed load, {args.database}, {args.users} users, {args.workers} workers",
               summary(prefix))  # fmt: skip
        acknowledged_file = folder / "acknowledged.txt"
        tokens = acknowledged_file.read_text().split() if acknowledged_file.exists() else []
        found = stored_tokens(url, tokens)
        print(f"acknowledged reactions: {len(tokens)}, stored: {found}")
        if args.static:
            static_run(args, folder, env, port)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)


if __name__ == "__main__":
    main()
