"""What an export reads: needs.json, references.bib, docs/guideline.toml, the panel, reading order.

Everything comes from the content tree being exported (the working tree, or an
edition's exported commit): nothing outside it is read into the bundle.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..check.bibfile import BibEntry, parse_bib
from ..errors import GuidelineError
from ..grading import Settings, load_settings

RATED_TYPES = ("rec", "gps")  # recommendations and good practice statements (contracts.md)
_CITE_ROLE = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`([^`]*)`")


@dataclass(frozen=True)
class Edition:
    id: str
    date: str
    status: str  # final, draft, unreleased


@dataclass
class Inputs:
    needs: dict[str, dict[str, Any]]
    bib: dict[str, BibEntry]
    settings: Settings
    edition: Edition
    base: str  # canonical base of everything the project defines (code systems, extension, identifiers)
    panel_name: str
    panel_text: str
    chapter_order: list[str] = field(default_factory=list)  # docnames in reading order

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        return sorted((n for n in self.needs.values() if n.get("type") in types), key=lambda n: n["id"])

    def cited_keys(self) -> list[str]:
        return cited_keys(self.needs)


def cited_keys(needs: dict[str, dict[str, Any]]) -> list[str]:
    """Every bib key a need cites: its ``cite`` field or a cite role in its body."""
    keys: set[str] = set()
    for need in needs.values():
        if need.get("cite"):
            keys.add(need["cite"])
        for match in _CITE_ROLE.finditer(need.get("content") or ""):
            keys.update(k.strip() for k in match.group(1).split(",") if k.strip())
    return sorted(keys)


def load_needs(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        raise GuidelineError(str(path), 0, "fhir.no-needs", "needs.json not found",
                             "guideline build first (it writes build/html/needs.json), or pass --needs")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["versions"][data["current_version"]]["needs"]
    except (ValueError, KeyError, TypeError) as exc:
        raise GuidelineError(str(path), 0, "fhir.bad-needs", f"not a sphinx-needs needs.json: {exc}") from None


def canonical_base(settings: Settings, docs: Path) -> str:
    """``<html_base_url>/fhir``: canonical URLs of what the project defines live under its address."""
    base = (settings.html_base_url or "").strip()
    if not base:
        raise GuidelineError(str(docs / "guideline.toml"), 0, "fhir.no-base-url",
                             "[guideline] html_base_url is empty; the FHIR export needs it for canonical URLs",
                             "set html_base_url to the address the guideline is served from")
    return base.rstrip("/") + "/fhir"


def panel(docs: Path) -> tuple[str, str]:
    """(name, description) of the panel: ``[panel]`` in guideline.toml, else the Panel section of panel.md."""
    data = tomllib.loads((docs / "guideline.toml").read_text(encoding="utf-8"))
    table = data.get("panel") or {}
    members = [str(m) for m in table.get("members", [])]
    name = str(table.get("name", "")).strip() or ("; ".join(members) if members else "")
    text = _section(docs / "panel.md", "Panel")
    # No panel registered: say so, never name a person who is not registered.
    return name or "Guideline maintainers (no panel registered in guideline.toml)", text


def _section(page: Path, title: str) -> str:
    if not page.is_file():
        return ""
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("#"):
            if inside:
                break
            inside = line.lstrip("#").strip() == title
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


_TOCTREE = re.compile(r"^(`{3,}|:{3,})\{toctree\}[^\n]*\n(.*?)^\1", re.MULTILINE | re.DOTALL)


def reading_order(docs: Path, start: str = "index") -> list[str]:
    """Docnames in toctree order from ``index`` (MyST fenced toctrees), depth first."""
    order: list[str] = []

    def visit(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        page = docs / f"{docname}.md"
        if not page.is_file():
            return
        folder = docname.rpartition("/")[0]
        for block in _TOCTREE.finditer(page.read_text(encoding="utf-8")):
            for raw in block.group(2).splitlines():
                entry = raw.strip()
                if not entry or entry.startswith(":") or "*" in entry:
                    continue
                entry = entry.rsplit("<", 1)[-1].rstrip(">").strip() if entry.endswith(">") else entry
                entry = entry.removesuffix(".md")
                visit(entry.lstrip("/") if entry.startswith("/") else "/".join(filter(None, [folder, entry])))

    visit(start)
    return order


def bib_files(root: Path) -> list[Path]:
    """references.bib at the root (the guideline), else the .bib files beside conf.py (small projects)."""
    main = root / "references.bib"
    return [main] if main.is_file() else sorted((root / "docs").glob("*.bib"))


def load(needs_json: Path, root: Path, edition: Edition) -> Inputs:
    """Read everything an export needs from the content tree at ``root`` (docs/, references.bib)."""
    docs = root / "docs"
    settings = load_settings(docs)
    bib: dict[str, BibEntry] = {}
    for path in bib_files(root):
        bib.update(parse_bib(path, path.relative_to(root).as_posix()).entries)
    needs = load_needs(needs_json)
    name, text = panel(docs)
    inputs = Inputs(needs=needs, bib=bib, settings=settings, edition=edition,
                    base=canonical_base(settings, docs), panel_name=name, panel_text=text,
                    chapter_order=reading_order(docs))
    unknown = [k for k in inputs.cited_keys() if k not in inputs.bib]
    if unknown:
        raise GuidelineError("references.bib", 0, "fhir.unknown-cite",
                             f"cited but not in references.bib: {', '.join(unknown)}",
                             "guideline check reports where; add the entry or fix the key")
    return inputs
