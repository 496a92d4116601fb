"""Who may touch what under ``build/``: edition locks and temporary work folders.

Everything lives in ``build/.editions-tmp/`` (same filesystem as
``build/editions/``, so finished builds are renamed into place):

- ``<id>.lock``: held exclusively by a build of edition ``<id>`` for its whole
  run (a second build of the same id is refused before it touches anything),
  shared by whoever reads the built edition (a later edition's build, ``site``,
  ``verify``), so nobody reads a folder while it is being replaced;
- ``work-<random>/`` with ``work-<random>.lock``: a build's (or diff's)
  temporary folder, alive exactly as long as its lock is held. A folder whose
  lock nobody holds belongs to a dead process and is removed. Liveness comes
  from the kernel's flock, never from a pid parsed out of a name (the year in
  ``2026.1.<pid>`` was once read as a pid, and a live build's folder deleted);
- ``cleanup.lock``: serialises creating work folders and removing stale ones,
  so a folder is never seen between its creation and its lock.

fcntl.flock locks are released by the kernel when a process dies, even by
``kill -9``.
"""

from __future__ import annotations

import contextlib
import fcntl
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ..errors import GuidelineError

WORK_PREFIX = "work-"


def tmp_root(root: Path) -> Path:
    return root / "build" / ".editions-tmp"


def _open_lock(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return path.open("a")
    except OSError as exc:
        raise GuidelineError(str(path), 0, "edition.io", f"cannot create the lock file: {exc.strerror}",
                             "is build/ writable?") from None


@contextlib.contextmanager
def building(root: Path, edition_id: str) -> Iterator[None]:
    """Exclusive use of build/editions/<id>; refused at once when anyone else uses it."""
    with _open_lock(tmp_root(root) / f"{edition_id}.lock") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GuidelineError(f"build/editions/{edition_id}", 0, "edition.busy",
                                 f"another build (or a reader) of edition {edition_id} is running",
                                 "wait for it to finish, then run the command again") from None
        yield


@contextlib.contextmanager
def reading(root: Path, edition_id: str, log: Callable[[str], None] | None = None) -> Iterator[None]:
    """Shared use of build/editions/<id>: waits for a build of it to finish (log says so), or
    refuses at once when ``log`` is None."""
    with _open_lock(tmp_root(root) / f"{edition_id}.lock") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            if log is None:
                raise GuidelineError(f"build/editions/{edition_id}", 0, "edition.busy",
                                     f"edition {edition_id} is being built", "run the command again when it is done") from None
            log(f"waiting for the build of edition {edition_id} to finish")
            fcntl.flock(handle, fcntl.LOCK_SH)
        yield


@contextlib.contextmanager
def _cleanup_lock(root: Path) -> Iterator[None]:
    with _open_lock(tmp_root(root) / "cleanup.lock") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def work_folder(root: Path) -> Iterator[Path]:
    """A temporary folder in build/.editions-tmp/, removed on exit, reclaimable once its owner is dead."""
    base = tmp_root(root)
    with _cleanup_lock(root):
        name = f"{WORK_PREFIX}{secrets.token_hex(8)}"
        handle = _open_lock(base / f"{name}.lock")
        fcntl.flock(handle, fcntl.LOCK_EX)
        folder = base / name
        folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        (base / f"{name}.lock").unlink(missing_ok=True)
        handle.close()


def clean_stale(root: Path) -> list[Path]:
    """Remove work folders (and their lock files) whose owning process is gone."""
    base = tmp_root(root)
    removed: list[Path] = []
    if not base.is_dir():
        return removed
    with _cleanup_lock(root):
        for entry in sorted(base.iterdir()):
            if entry.name.endswith(".lock") or not entry.is_dir() or entry.is_symlink():
                continue
            lock = base / f"{entry.name}.lock"
            if lock.is_file():
                with lock.open("a") as handle:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # its owner is alive
                    shutil.rmtree(entry, ignore_errors=True)
                    lock.unlink(missing_ok=True)
            else:
                # No lock beside it: created under cleanup.lock with its lock, so a leftover
                # (or a folder of an older toolchain that named folders by pid).
                shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def remove(path: Path) -> None:
    """A folder, or a symlink where a folder was expected (rmtree refuses those), if it is there."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def restore_aside(editions_dir: Path, edition_id: str) -> None:
    """Under the edition's lock: undo a replacement cut short between its two renames."""
    aside = editions_dir / f".{edition_id}.previous"
    if aside.exists() or aside.is_symlink():
        if not (editions_dir / edition_id).exists():
            aside.rename(editions_dir / edition_id)
        else:
            remove(aside)


__all__ = ["building", "reading", "work_folder", "clean_stale", "restore_aside", "remove", "tmp_root"]
