"""The seal of final editions: ``docs/editions.lock.json``, tracked beside the registry.

Nothing under ``build/`` is tracked, so nothing there can say that an edition is
final or what it contains: a manifest can be deleted, or a file edited together
with its recorded hash. The registry says which editions are final; the lock
says what each final edition is, and is written (atomically, never rewritten
in place) the first time an edition is built as final:

    {"format": 1, "editions": {"2026.1": {
        "commit": "<full commit id>",
        "source": "<sha256 of docs/, seeds/, references.bib at that commit>",
        "renderings": {"<renderer id>": "<sha256 of the output files map>"}}}}

- ``commit`` and ``source`` never change: a final edition cannot be pointed at
  other content, and its exported content must hash to ``source``.
- ``renderings``: the outputs (HTML, PDFs, needs.json...) depend on the
  renderer too (the toolchain's files, the Python packages, the system text
  libraries: ``reproducible.renderer``). A fresh clone builds the outputs anew;
  with a renderer already sealed they must be byte-identical to what was sealed
  (the build is reproducible, so a difference means tampering or a bug), with a
  new renderer the rendering of the sealed source is added. Entries are only
  ever added, so a change to an existing one is a visible, reviewable diff.

A sealed edition must stay in the registry, final, at the sealed commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..errors import GuidelineError
from . import registry

LOCK = Path("docs") / "editions.lock.json"
FORMAT = 1
_ABOUT = ("Seal of the final editions (docs/toolchain/editions.md): written by `guideline edition build`, "
          "entries are only ever added. Commit it with the registry.")


def files_digest(files: dict[str, str]) -> str:
    """One sha256 for an edition's outputs: every path with the sha256 of its bytes."""
    return hashlib.sha256(json.dumps(files, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def source_digest(content: Path) -> str:
    """sha256 over the exported content (every path, its kind and bytes; symlinks by target)."""
    digest = hashlib.sha256()
    for path in sorted(content.rglob("*")):
        rel = path.relative_to(content).as_posix()
        if path.is_symlink():
            digest.update(b"L" + rel.encode() + b"\0" + str(path.readlink()).encode() + b"\0")
        elif path.is_file():
            digest.update(b"F" + rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _bad(line: int, message: str) -> GuidelineError:
    return GuidelineError(str(LOCK), line, "edition.lock-syntax", message,
                          "restore docs/editions.lock.json from git (git checkout -- docs/editions.lock.json)")


def parse(data: bytes) -> dict[str, dict[str, Any]]:
    """The sealed editions, checked for shape; a clear error naming the line otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(data[:exc.start].count(b"\n") + 1, f"not UTF-8 (byte 0x{data[exc.start]:02x})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(exc.lineno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("editions"), dict):
        raise _bad(1, f'expected {{"format": {FORMAT}, "editions": {{...}}}}')
    for edition_id, entry in doc["editions"].items():
        line = _line_of(text, edition_id)
        if not registry.is_canonical_id(edition_id):
            raise _bad(line, f"{edition_id!r} is not an edition id (YYYY.N)")
        ok = (isinstance(entry, dict) and isinstance(entry.get("commit"), str) and isinstance(entry.get("source"), str)
              and isinstance(entry.get("renderings", {}), dict)
              and all(isinstance(k, str) and isinstance(v, str) for k, v in entry.get("renderings", {}).items()))
        if not ok:
            raise _bad(line, f"edition {edition_id}: expected commit, source and renderings (id -> sha256)")
    return {k: {"renderings": {}, **v} for k, v in doc["editions"].items()}


def _line_of(text: str, key: str) -> int:
    needle = json.dumps(key) + ":"
    for number, raw in enumerate(text.split("\n"), start=1):
        if needle in raw:
            return number
    return 1


def load(root: Path) -> dict[str, dict[str, Any]]:
    path = root / LOCK
    if not path.is_file():
        return {}
    return parse(path.read_bytes())


def check_registry(sealed: dict[str, dict[str, Any]], editions: list[registry.Edition]) -> None:
    """A sealed edition stays listed, final, at its sealed commit (abbreviations allowed in the registry)."""
    by_id = {e.id: e for e in editions}
    for edition_id, entry in sealed.items():
        edition = by_id.get(edition_id)
        if edition is None:
            raise GuidelineError(str(registry.REGISTRY), 0, "edition.sealed-missing",
                                 f"edition {edition_id} is sealed as final in {LOCK} but not listed in the registry",
                                 "a published edition is never removed: restore its [[edition]] table")
        if not edition.final:
            raise GuidelineError(str(registry.REGISTRY), edition.line, "edition.sealed-final",
                                 f"edition {edition_id} is sealed as final in {LOCK}; it cannot become {edition.status!r}",
                                 "a final edition stays final: register a new edition id for new content")
        if not entry["commit"].lower().startswith(edition.commit.lower()):
            raise GuidelineError(str(registry.REGISTRY), edition.line, "edition.sealed-commit",
                                 f"edition {edition_id} is sealed at commit {entry['commit'][:12]} in {LOCK}; "
                                 f"the registry now says {edition.commit[:12]}",
                                 "a final edition's content never changes: restore its commit, or register a new "
                                 "edition id for new content")


def check_source(sealed: dict[str, dict[str, Any]], edition: registry.Edition, commit: str, digest: str) -> None:
    entry = sealed.get(edition.id)
    if entry is None:
        return
    if entry["commit"] != commit or entry["source"] != digest:
        raise GuidelineError(str(LOCK), 0, "edition.sealed-source",
                             f"edition {edition.id}: the content exported from commit {commit[:12]} does not hash to "
                             f"the sealed source ({entry['source'][:12]}...)",
                             "the repository's objects differ from those the edition was sealed with")


@contextlib.contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    import fcntl

    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # short: one read-modify-write of a small file
        yield


def record(root: Path, lock_file: Path, edition_id: str, commit: str, source: str, renderer_id: str,
           digest: str) -> bool:
    """Add the seal of a final edition (or a new rendering of it); True when the lock changed.

    An existing value is never replaced: a different one is an error, not an update.
    """
    with _exclusive(lock_file):
        sealed = load(root)  # re-read under the lock: another build may have added an edition
        entry = sealed.get(edition_id)
        if entry is None:
            entry = sealed[edition_id] = {"commit": commit, "source": source, "renderings": {}}
        elif entry["commit"] != commit or entry["source"] != source:
            raise GuidelineError(str(LOCK), 0, "edition.sealed-source",
                                 f"edition {edition_id} is already sealed with other content")
        known = entry["renderings"].get(renderer_id)
        if known == digest:
            return False
        if known is not None:
            raise GuidelineError(str(LOCK), 0, "edition.final-differs",
                                 f"edition {edition_id}: this renderer's sealed outputs differ from the new build")
        entry["renderings"][renderer_id] = digest
        doc = {"about": _ABOUT, "format": FORMAT,
               "editions": {k: sealed[k] for k in sorted(sealed, key=lambda i: tuple(map(int, i.split("."))))}}
        write_atomic(root / LOCK, json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return True
