"""Files the service keeps for someone (an attachment, an export made in the background): in
a folder of the instance, under a random name, readable by the service's own user only."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path


def write_private(folder: Path, chunks: Iterable[bytes]) -> tuple[str, int]:
    """Write ``chunks`` to a new file in ``folder`` (made if need be) under a random name,
    mode 0600; its name and size."""
    stored_name = secrets.token_hex(16)
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    size = 0
    with os.fdopen(descriptor, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
            size += len(chunk)
    return stored_name, size
