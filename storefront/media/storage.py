"""Where image files live under MEDIA_ROOT: `private/` (originals, never served) and `public/`."""
import os
import tempfile
from pathlib import Path

from flask import current_app


def media_root() -> Path:
    return Path(current_app.config["MEDIA_ROOT"])


def private_dir() -> Path:
    return media_root() / "private"


def public_dir() -> Path:
    return media_root() / "public"


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file then rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
