"""Result cache keyed by a content hash of every input, under ``.guideline-cache/``."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .. import __version__
from ..atomic import write_atomic

KEEP = 16


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the checker's own code and data, so an upgrade invalidates old results."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def toolchain_fingerprint() -> str:
    """Hash of the whole guideline package and the versions of the Sphinx stack it runs on:
    what a Sphinx read of the guideline depends on besides the repository's files."""
    from importlib import metadata

    digest = hashlib.sha256(code_fingerprint().encode())
    package = Path(__file__).parent.parent
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    for dist in ("sphinx", "sphinx-needs", "myst-parser", "sphinxcontrib-bibtex", "docutils", "pybtex"):
        try:
            digest.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist}=none".encode())
    return digest.hexdigest()


class Hasher:
    def __init__(self) -> None:
        self._digest = hashlib.sha256(code_fingerprint().encode())

    def add(self, label: str, data: bytes | str) -> "Hasher":
        payload = data.encode() if isinstance(data, str) else data
        self._digest.update(f"\0{label}\0{len(payload)}\0".encode())
        self._digest.update(payload)
        return self

    def add_file(self, label: str, path: Path) -> "Hasher":
        try:
            return self.add(label, path.read_bytes())
        except OSError:
            return self.add(label, b"\0missing")

    def add_files(self, label: str, paths: Iterable[Path], base: Path) -> "Hasher":
        for path in paths:
            self.add_file(f"{label}:{path.relative_to(base).as_posix() if path.is_relative_to(base) else path}", path)
        return self

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / f"check-{key[:32]}.json"

    def get(self, key: str) -> Any | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if data.get("key") == key else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            write_atomic(self._path(key), json.dumps({"key": key, **value}, ensure_ascii=False)
                         .encode("utf-8", "backslashreplace"))
            self._prune()
        except OSError:
            pass  # a cache that cannot be written is only slower

    def _prune(self) -> None:
        files = sorted(self.directory.glob("check-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            old.unlink(missing_ok=True)
