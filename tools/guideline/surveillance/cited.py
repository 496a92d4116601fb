"""The registry identifiers the bibliography cites: each DOI, PMID and NCT number with its bib key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..check import bibfile
from ..check.identifiers import entry_identifiers


@dataclass
class Cited:
    """The registry identifiers in the bibliography, each with its bib key."""

    doi: dict[str, str] = field(default_factory=dict)
    pmid: dict[str, str] = field(default_factory=dict)
    nct: dict[str, str] = field(default_factory=dict)

    def key_of(self, cited: str) -> str | None:
        """``doi:…``/``pmid:…``/``nct:…`` -> the bib key citing it now."""
        kind, _, value = cited.partition(":")
        table = {"doi": self.doi, "pmid": self.pmid, "nct": self.nct}.get(kind, {})
        return table.get(value.upper() if kind == "nct" else value.lower())


def from_entries(entries: dict[str, bibfile.BibEntry]) -> Cited:
    out = Cited()
    for key, entry in entries.items():
        for kind, value in entry_identifiers(entry).items():
            getattr(out, kind).setdefault(value, key)
    return out


def from_bibs(bibs: list[Path], root: Path) -> Cited:
    entries: dict[str, bibfile.BibEntry] = {}
    for bib in bibs:
        if bib.is_file():
            shown = bib.relative_to(root).as_posix() if bib.is_relative_to(root) else str(bib)
            for key, entry in bibfile.parse_bib(bib, shown).entries.items():
                entries.setdefault(key, entry)
    return from_entries(entries)
