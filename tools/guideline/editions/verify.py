"""``guideline edition verify``: a built edition against its manifest and, when final, its seal.

:func:`verify` checks a folder against its own manifest: every modified,
missing or extra file, any symlink, empty folder or other non-file. That alone
cannot catch a file edited together with its hash in manifest.json, so
:func:`check` adds what is tracked outside ``build/``: the registry (is the
edition final, at which commit) and the seal in ``docs/editions.lock.json`` (the
sha256 of the outputs of each renderer). Build, site and the command all use
:func:`check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GuidelineError
from . import manifest, registry, seal


@dataclass
class Report:
    edition: str
    modified: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    symlinks: list[str] = field(default_factory=list)
    empty_folders: list[str] = field(default_factory=list)
    special: list[str] = field(default_factory=list)
    seal: list[str] = field(default_factory=list)  # disagreements with the registry or the lock
    unsealed: bool = False  # a final edition whose outputs no seal vouches for
    checked: int = 0

    @property
    def clean(self) -> bool:
        return not (self.modified or self.missing or self.extra or self.symlinks or self.empty_folders
                    or self.special or self.seal)

    @property
    def rule(self) -> str:
        only_unsealed = self.unsealed and len(self.seal) == 1 and self.tampered_files == 0
        return "edition.unsealed" if only_unsealed else "edition.tampered"

    @property
    def tampered_files(self) -> int:
        return sum(map(len, (self.modified, self.missing, self.extra, self.symlinks, self.empty_folders,
                             self.special)))

    def lines(self) -> list[str]:
        out = [f"modified: {p}" for p in self.modified]
        out += [f"missing: {p}" for p in self.missing]
        out += [f"extra: {p}" for p in self.extra]
        out += [f"symlink: {p}" for p in self.symlinks]
        out += [f"empty folder: {p}" for p in self.empty_folders]
        out += [f"not a file: {p}" for p in self.special]
        out += [f"seal: {p}" for p in self.seal]
        return out

    def summary(self) -> str:
        shown = "; ".join(self.lines()[:5]) + (" ..." if len(self.lines()) > 5 else "")
        return f"{len(self.lines())} finding(s): {shown}"


def compare(expected: dict[str, str], actual: dict[str, str], edition: str = "") -> Report:
    return Report(
        edition=edition,
        modified=sorted(p for p in expected if p in actual and actual[p] != expected[p]),
        missing=sorted(p for p in expected if p not in actual),
        extra=sorted(p for p in actual if p not in expected),
        checked=len(expected),
    )


def verify(folder: Path, edition: str) -> Report:
    """The folder against its own manifest.json (a missing or unreadable manifest is an error)."""
    shown = f"build/editions/{edition}/{manifest.MANIFEST}"
    data = manifest.read(folder, shown)
    if data is None:
        raise GuidelineError(shown, 0, "edition.no-manifest",
                             f"edition {edition} is not built (or its manifest.json is missing)",
                             f"guideline edition build {edition}")
    report = compare(data["files"], manifest.file_hashes(folder), edition)
    odd = manifest.oddities(folder)
    report.symlinks, report.empty_folders, report.special = odd["symlinks"], odd["empty_folders"], odd["special"]
    return report


def check(root: Path, edition: registry.Edition, sealed: dict | None = None, folder: Path | None = None) -> Report:
    """:func:`verify`, then the manifest against the registry and, for a final edition, the seal."""
    folder = folder or root / "build" / "editions" / edition.id
    if not folder.is_dir() or folder.is_symlink():
        raise GuidelineError(f"build/editions/{edition.id}", 0, "edition.no-manifest",
                             f"edition {edition.id} is not built", f"guideline edition build {edition.id}")
    report = verify(folder, edition.id)
    data = manifest.read(folder) or {}
    recorded = data.get("edition", {})
    for name in ("id", "date", "status"):
        if recorded.get(name) != getattr(edition, name):
            report.seal.append(f"manifest.json says {name} {recorded.get(name)!r}, the registry {getattr(edition, name)!r}")
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    if not edition.final:
        return report
    sealed = seal.load(root) if sealed is None else sealed
    entry = sealed.get(edition.id)
    renderer = data.get("renderer") if isinstance(data.get("renderer"), dict) else {}
    if entry is None:
        report.unsealed = True
        report.seal.append(f"final edition {edition.id} is not sealed in {seal.LOCK}")
        return report
    if source.get("commit") != entry["commit"]:
        report.seal.append(f"built from commit {str(source.get('commit'))[:12]}, sealed at {entry['commit'][:12]}")
    if source.get("sha256") != entry["source"]:
        report.seal.append("its source hash is not the sealed one")
    expected = entry["renderings"].get(str(renderer.get("id")))
    if expected is None:
        report.unsealed = True
        report.seal.append(f"its renderer {renderer.get('id')!r} has no sealed rendering in {seal.LOCK}")
    elif seal.files_digest(data["files"]) != expected:
        report.seal.append(f"manifest.json's file hashes are not the sealed ones ({seal.LOCK})")
    return report
