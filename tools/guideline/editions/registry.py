"""The edition registry: ``docs/editions.toml``, one ``[[edition]]`` table per edition.

    [[edition]]
    id = "2026.1"            # calendar style YYYY.N; also a folder name, a git tag, a RTD version
    date = "2026-03-01"
    status = "final"         # draft | final
    commit = "0123abcd..."   # the source commit the edition is built from
    summary = "What triggered this edition."
    triggered_by = ["PMID:..."]  # optional: surveillance-log hits that triggered it

Editions are ordered by id (year, then number); the predecessor of an edition
is the one before it in that order.
"""

from __future__ import annotations

import datetime as _dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import GuidelineError

REGISTRY = Path("docs") / "editions.toml"
ID_PATTERN = re.compile(r"^\d{4}\.\d+$")
COMMIT_PATTERN = re.compile(r"^[0-9a-fA-F]{7,40}$")
STATUSES = ("draft", "final")
FIELDS = ("id", "date", "status", "commit", "summary")
OPTIONAL_FIELDS = ("triggered_by",)  # ids of hits in the surveillance log (guideline.surveillance)


@dataclass(frozen=True)
class Edition:
    id: str
    date: str
    status: str
    commit: str
    summary: str
    line: int = 0
    triggered_by: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[int, int]:
        year, number = self.id.split(".")
        return int(year), int(number)

    @property
    def final(self) -> bool:
        return self.status == "final"

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


def validate_id(edition_id: str, file: str = str(REGISTRY), line: int = 0) -> str:
    """An id is YYYY.N: it becomes a folder name, so no separators and no '..'."""
    if not isinstance(edition_id, str) or "/" in edition_id or "\\" in edition_id or ".." in edition_id \
            or not ID_PATTERN.match(edition_id):
        raise GuidelineError(file, line, "edition.bad-id",
                             f"edition id {edition_id!r} is not of the form YYYY.N (e.g. 2026.1)",
                             "ids are calendar style; no path separators, no '..'")
    return edition_id


def _line_of(text: str, edition_id: str) -> int:
    for number, raw in enumerate(text.splitlines(), start=1):
        if re.match(rf'^\s*id\s*=\s*["\']{re.escape(str(edition_id))}["\']', raw):
            return number
    return 0


def parse(text: str, file: str = str(REGISTRY)) -> list[Edition]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GuidelineError(file, getattr(exc, "lineno", 0) or 0, "edition.syntax", f"invalid TOML: {exc}") from None
    tables = data.get("edition", [])
    if not isinstance(tables, list):
        raise GuidelineError(file, 0, "edition.schema", "editions must be [[edition]] tables")
    editions: list[Edition] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        line = _line_of(text, table.get("id", ""))
        missing = [name for name in FIELDS if name not in table]
        if missing:
            raise GuidelineError(file, line, "edition.schema",
                                 f"edition #{index} lacks {', '.join(missing)}",
                                 "each [[edition]] needs id, date, status, commit and summary")
        unknown = sorted(set(table) - set(FIELDS) - set(OPTIONAL_FIELDS))
        if unknown:
            raise GuidelineError(file, line, "edition.schema", f"edition {table['id']!r}: unknown field(s) {', '.join(unknown)}")
        edition_id = validate_id(str(table["id"]), file, line)
        if edition_id in seen:
            raise GuidelineError(file, line, "edition.duplicate", f"edition {edition_id} is listed twice")
        seen.add(edition_id)
        date = table["date"]
        if isinstance(date, _dt.date):
            date = date.isoformat()
        try:
            _dt.date.fromisoformat(str(date))
        except ValueError:
            raise GuidelineError(file, line, "edition.bad-date", f"edition {edition_id}: date {date!r} is not YYYY-MM-DD") from None
        if table["status"] not in STATUSES:
            raise GuidelineError(file, line, "edition.bad-status",
                                 f"edition {edition_id}: status {table['status']!r} is not one of {', '.join(STATUSES)}")
        commit = str(table["commit"])
        if not COMMIT_PATTERN.match(commit):
            raise GuidelineError(file, line, "edition.bad-commit",
                                 f"edition {edition_id}: commit {commit!r} is not a git commit id (7-40 hex digits)")
        triggered_by = table.get("triggered_by", [])
        if not isinstance(triggered_by, list) or not all(isinstance(t, str) and t.strip() for t in triggered_by):
            raise GuidelineError(file, line, "edition.schema",
                                 f"edition {edition_id}: triggered_by must be a list of surveillance hit ids")
        editions.append(Edition(edition_id, str(date), table["status"], commit, str(table["summary"]).strip(), line,
                                tuple(t.strip() for t in triggered_by)))
    return sorted(editions, key=lambda e: e.key)


def load(root: Path) -> list[Edition]:
    path = root / REGISTRY
    if not path.is_file():
        raise GuidelineError(str(REGISTRY), 0, "edition.no-registry", "no edition registry",
                             "list editions in docs/editions.toml ([[edition]] id, date, status, commit, summary)")
    return parse(path.read_text(encoding="utf-8"), str(REGISTRY))


def get(editions: list[Edition], edition_id: str) -> Edition:
    validate_id(edition_id, "<command line>")
    for edition in editions:
        if edition.id == edition_id:
            return edition
    known = ", ".join(e.id for e in editions) or "none"
    raise GuidelineError(str(REGISTRY), 0, "edition.unknown", f"edition {edition_id} is not in the registry",
                         f"known editions: {known}")


def predecessor(editions: list[Edition], edition: Edition) -> Edition | None:
    earlier = [e for e in editions if e.key < edition.key]
    return earlier[-1] if earlier else None


def newest_final(editions: list[Edition]) -> Edition | None:
    finals = [e for e in editions if e.final]
    return max(finals, key=lambda e: e.key) if finals else None
