"""Write a file so that readers see the old bytes or the new ones, never a torn file.

Every state file the toolchain rewrites (lockfile, caches, manifests, registry
updates, surveillance log) goes through :func:`write_atomic`: a temporary file in
the same folder, flushed and fsynced, then ``os.replace`` over the target, then
the folder fsynced so the rename survives a crash. ``kill -9`` at any point
leaves either the previous file or the complete new one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, data: bytes | str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` atomically (str is encoded with ``encoding``)."""
    path = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # Not every file system lets a folder be opened for fsync; the rename is done either way.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
