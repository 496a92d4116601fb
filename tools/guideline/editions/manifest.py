"""manifest.json: what an edition is made of, with the sha256 of every file.

No build time is recorded: the same sources and toolchain give the same
manifest, so rebuilding a final edition can be compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

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
    """sha256 of every file below ``folder`` (POSIX relative paths), the manifest excluded."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() != MANIFEST:
            out[path.relative_to(folder).as_posix()] = sha256(path)
    return out


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
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read(folder: Path) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
