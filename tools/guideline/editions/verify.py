"""``guideline edition verify``: every modified, missing or extra file of a built edition."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GuidelineError
from . import manifest


@dataclass
class Report:
    edition: str
    modified: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def clean(self) -> bool:
        return not (self.modified or self.missing or self.extra)

    def lines(self) -> list[str]:
        out = [f"modified: {p}" for p in self.modified]
        out += [f"missing: {p}" for p in self.missing]
        out += [f"extra: {p}" for p in self.extra]
        return out


def compare(expected: dict[str, str], actual: dict[str, str], edition: str = "") -> Report:
    return Report(
        edition=edition,
        modified=sorted(p for p in expected if p in actual and actual[p] != expected[p]),
        missing=sorted(p for p in expected if p not in actual),
        extra=sorted(p for p in actual if p not in expected),
        checked=len(expected),
    )


def verify(folder: Path, edition: str) -> Report:
    data = manifest.read(folder)
    if data is None:
        where = folder / manifest.MANIFEST
        raise GuidelineError(str(where), 0, "edition.no-manifest",
                             f"edition {edition} is not built (or its manifest.json is missing)",
                             f"guideline edition build {edition}")
    return compare(data["files"], manifest.file_hashes(folder), edition)
