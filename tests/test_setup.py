"""Set-up that keeps state: the generated secret key is kept in the instance folder (so a
restart keeps sessions and invitation links), the environment's wins, and `make run
PORT=…` serves and links on that port."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from reviewhub.config import SECRET_FILE, kept_secret, load_config

ROOT = Path(__file__).resolve().parents[1]


def test_the_generated_key_is_kept_and_private(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == load_config(str(tmp_path))["SECRET_KEY"]  # a restart keeps it
    assert len(str(first)) == 64
    mode = stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode)
    assert mode == 0o600
    monkeypatch.setenv("SECRET_KEY", "uit-de-omgeving")
    assert load_config(str(tmp_path))["SECRET_KEY"] == "uit-de-omgeving"


def test_an_instance_folder_that_cannot_be_written_still_gives_a_key(tmp_path: Path):
    not_a_folder = tmp_path / "instance"
    not_a_folder.write_text("a file where the folder should be")
    assert len(kept_secret(not_a_folder)) == 64


def test_make_run_takes_a_port_for_the_server_and_its_links():
    planned = subprocess.run(["make", "-n", "run", "PORT=5001"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    assert "--port 5001" in planned
    assert 'REVIEWHUB_BASE_URL="${REVIEWHUB_BASE_URL:-http://127.0.0.1:5001}"' in planned
    assert "--port 5000" in subprocess.run(["make", "-n", "run"], cwd=ROOT,
                                           capture_output=True, text=True).stdout  # fmt: skip
