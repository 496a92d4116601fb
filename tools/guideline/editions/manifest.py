"""manifest.json: what an edition is made of, with the sha256 of every file.

No build time is recorded: the same sources and toolchain give the same
manifest, so rebuilding a final edition can be compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..errors import GuidelineError

MANIFEST = "manifest.json"
PACKAGES = ("living-guideline", "sphinx", "sphinx-needs", "myst-parser", "sphinxcontrib-bibtex", "pybtex",
            "furo", "sphinx-simplepdf", "weasyprint", "pydyf")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every regular file below ``folder`` (POSIX relative paths), the manifest excluded.

    Symlinks are never followed (an edition holds files only): :func:`oddities` lists them.
    """
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        if rel != MANIFEST:
            out[rel] = sha256(path)
    return out


def oddities(folder: Path) -> dict[str, list[str]]:
    """What an edition folder must not hold: symlinks, empty folders, anything but files and folders."""
    found: dict[str, list[str]] = {"symlinks": [], "empty_folders": [], "special": []}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found["symlinks"].append(f"{rel} -> {os.readlink(path)}")
        elif path.is_dir():
            if not any(path.iterdir()):
                found["empty_folders"].append(rel)
        elif not path.is_file():
            found["special"].append(rel)
    return found


def prune_empty_folders(folder: Path) -> None:
    """Empty folders carry nothing and cannot be hashed: an edition holds none (verify reports any)."""
    for path in sorted((p for p in folder.rglob("*") if p.is_dir() and not p.is_symlink()),
                       key=lambda p: len(p.parts), reverse=True):
        if not any(path.iterdir()):
            path.rmdir()


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def load_needs(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["versions"][data["current_version"]]["needs"]


def counts(needs: dict[str, dict[str, Any]], bib_keys: set[str] | None = None) -> dict[str, int]:
    by_type: dict[str, int] = {}
    for need in needs.values():
        by_type[need["type"]] = by_type.get(need["type"], 0) + 1
    claims = [n for n in needs.values() if n["type"] == "claim"]
    cited = {n.get("cite") for n in needs.values() if n["type"] in ("claim", "source") and n.get("cite")}
    return {
        "recommendations": by_type.get("rec", 0),
        "recommendations_active": sum(1 for n in needs.values() if n["type"] == "rec"
                                      and n.get("status") in ("approved", "draft")),
        "claims": by_type.get("claim", 0),
        "sources": by_type.get("source", 0),
        "gaps": by_type.get("gap", 0),
        "references": len(bib_keys) if bib_keys is not None else len(cited),
        "references_cited_by_evidence": len(cited),
        "claims_verified": sum(1 for c in claims if c.get("verification") == "verified"),
        "claims_unverified": sum(1 for c in claims if c.get("verification") == "unverified"),
        "claims_contradicted": sum(1 for c in claims if c.get("verification") == "contradicted"),
    }


def bib_keys(bibfile: Path) -> set[str] | None:
    if not bibfile.is_file():
        return None
    from pybtex.database import parse_file

    return set(parse_file(str(bibfile), bib_format="bibtex").entries.keys())


def write(folder: Path, data: dict[str, Any]) -> Path:
    data = {**data, "files": file_hashes(folder)}
    path = folder / MANIFEST
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def read(folder: Path, shown: str | None = None) -> dict[str, Any] | None:
    """The manifest of a built edition, None when there is none; a clear error when it is unreadable."""
    path = folder / MANIFEST
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise _unreadable(path, shown, 0, "is not a regular file")
    if not path.is_file():
        return None
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _unreadable(path, shown, raw[:exc.start].count(b"\n") + 1,
                          f"is not UTF-8 (byte 0x{raw[exc.start]:02x})") from None
    except json.JSONDecodeError as exc:
        raise _unreadable(path, shown, exc.lineno, f"is not valid JSON ({exc.msg})") from None
    files = data.get("files") if isinstance(data, dict) else None
    edition = data.get("edition") if isinstance(data, dict) else None
    if not (isinstance(files, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
            and isinstance(edition, dict)):
        raise _unreadable(path, shown, 1, 'lacks "edition" or a "files" map of path -> sha256')
    return data


def _unreadable(path: Path, shown: str | None, line: int, why: str) -> GuidelineError:
    return GuidelineError(shown or str(path), line, "edition.bad-manifest", f"manifest.json {why}",
                          "the edition is damaged: move its folder away and build it again")
