"""Uploads that wait between a preview and its confirmation: kept in the instance folder under
a random name, with what the form said beside them, and forgotten after a day. A token names
one; the scope (a version, a person) makes a token useless anywhere else."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from flask import current_app

KEEP_SECONDS = 24 * 3600  # a preview not confirmed within a day is forgotten


class WaitingFiles:
    def __init__(self, folder: str) -> None:
        self.folder_name = folder

    def keep(self, scope: str, data: bytes, meta: dict[str, Any]) -> str:
        self._forget_old()
        token = secrets.token_urlsafe(24)
        paths = self._paths(scope, token)
        assert paths is not None
        paths[0].write_bytes(data)
        paths[1].write_text(json.dumps(meta), "utf-8")
        return token

    def get(self, scope: str, token: str) -> tuple[dict[str, Any], bytes] | None:
        paths = self._paths(scope, token)
        if paths is None or not paths[0].exists() or not paths[1].exists():
            return None
        return json.loads(paths[1].read_text("utf-8")), paths[0].read_bytes()

    def forget(self, scope: str, token: str) -> None:
        for path in self._paths(scope, token) or ():
            path.unlink(missing_ok=True)

    def _folder(self) -> Path:
        folder = Path(current_app.instance_path) / self.folder_name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _paths(self, scope: str, token: str) -> tuple[Path, Path] | None:
        if not token or not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
            return None
        base = self._folder() / f"{scope}-{token}"
        return base.with_suffix(".upload"), base.with_suffix(".json")

    def _forget_old(self) -> None:
        limit = time.time() - KEEP_SECONDS
        for path in self._folder().iterdir():
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
