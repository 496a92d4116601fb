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
# Canonical ids only: four ASCII digits, a dot, a number without leading zero. re.ASCII keeps \d
# from matching full-width digits; fullmatch keeps "$" from accepting a trailing newline.
ID_PATTERN = re.compile(r"[0-9]{4}\.[1-9][0-9]*", re.ASCII)
COMMIT_PATTERN = re.compile(r"[0-9a-fA-F]{7,40}", re.ASCII)
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


def is_canonical_id(value: object) -> bool:
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def validate_id(edition_id: object, file: str = str(REGISTRY), line: int = 0) -> str:
    """An id is YYYY.N (ASCII digits, no leading zero in N): it becomes a folder name, a tag, a URL."""
    if not is_canonical_id(edition_id):
        shown = repr(edition_id) if isinstance(edition_id, str) else f"{edition_id!r} (a TOML {type(edition_id).__name__}, not a string)"
        raise GuidelineError(file, line, "edition.bad-id",
                             f"edition id {shown} is not of the canonical form YYYY.N (e.g. \"2026.1\")",
                             'write the id as a TOML string of ASCII digits: id = "2026.1"')
    return edition_id  # type: ignore[return-value]


def _table_lines(text: str) -> tuple[list[int], list[int], int]:
    """Line numbers (1-based) of each ``[[edition]]`` header and of the ``id =`` line inside it.

    tomllib gives no positions, so the text is scanned; the n-th header belongs to the n-th table.
    Also the line of an ``edition = ...`` key (a value that is not an array of tables), or 0.
    """
    headers: list[int] = []
    ids: list[int] = []
    key_line = 0
    inside = False  # in an [[edition]] table whose id line is not yet found
    for number, raw in enumerate(text.split("\n"), start=1):  # TOML lines end in \n only
        stripped = raw.strip()
        if re.match(r"\[\[\s*edition\s*\]\]", stripped):
            headers.append(number)
            ids.append(number)  # until its id line is found, point at the header
            inside = True
        elif stripped.startswith("["):
            inside = False
            if not headers and not key_line and re.match(r"\[\s*edition\s*\]", stripped):
                key_line = number  # [edition]: a single table where an array of tables belongs
        elif inside and re.match(r"id\s*=", stripped):
            ids[-1] = number
            inside = False
        elif not headers and not key_line and re.match(r"edition\s*=", stripped):
            key_line = number
    return headers, ids, key_line


def parse(text: str, file: str = str(REGISTRY)) -> list[Edition]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or 0
        if not line:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else 0
        raise GuidelineError(file, line, "edition.syntax", f"invalid TOML: {exc}") from None
    _headers, id_lines, key_line = _table_lines(text)
    tables = data.get("edition", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise GuidelineError(file, key_line or (id_lines[0] if id_lines else 0), "edition.schema",
                             f"'edition' must be [[edition]] tables, not {_describe(tables)}",
                             "each edition is a [[edition]] table with id, date, status, commit and summary")
    editions: list[Edition] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        line = id_lines[index - 1] if index - 1 < len(id_lines) else key_line
        missing = [name for name in FIELDS if name not in table]
        if missing:
            raise GuidelineError(file, line, "edition.schema",
                                 f"edition #{index} lacks {', '.join(missing)}",
                                 "each [[edition]] needs id, date, status, commit and summary")
        unknown = sorted(set(table) - set(FIELDS) - set(OPTIONAL_FIELDS))
        if unknown:
            raise GuidelineError(file, line, "edition.schema", f"edition {table['id']!r}: unknown field(s) {', '.join(unknown)}")
        edition_id = validate_id(table["id"], file, line)
        if edition_id in seen:
            raise GuidelineError(file, line, "edition.duplicate", f"edition {edition_id} is listed twice")
        seen.add(edition_id)
        for name in ("status", "commit", "summary"):
            if not isinstance(table[name], str):
                raise GuidelineError(file, line, "edition.schema",
                                     f"edition {edition_id}: {name} must be a string, not {_describe(table[name])}")
        date = table["date"]
        if isinstance(date, _dt.date) and not isinstance(date, _dt.datetime):
            date = date.isoformat()
        try:
            if not isinstance(date, str):
                raise ValueError
            _dt.date.fromisoformat(date)
        except ValueError:
            raise GuidelineError(file, line, "edition.bad-date", f"edition {edition_id}: date {date!r} is not YYYY-MM-DD") from None
        if table["status"] not in STATUSES:
            raise GuidelineError(file, line, "edition.bad-status",
                                 f"edition {edition_id}: status {table['status']!r} is not one of {', '.join(STATUSES)}")
        commit = table["commit"]
        if not COMMIT_PATTERN.fullmatch(commit):
            raise GuidelineError(file, line, "edition.bad-commit",
                                 f"edition {edition_id}: commit {commit!r} is not a git commit id (7-40 hex digits)")
        triggered_by = table.get("triggered_by", [])
        if not isinstance(triggered_by, list) or not all(isinstance(t, str) and t.strip() for t in triggered_by):
            raise GuidelineError(file, line, "edition.schema",
                                 f"edition {edition_id}: triggered_by must be a list of surveillance hit ids")
        editions.append(Edition(edition_id, date, table["status"], commit, table["summary"].strip(), line,
                                tuple(t.strip() for t in triggered_by)))
    return sorted(editions, key=lambda e: e.key)


def _describe(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def read_text(path: Path, shown: str) -> str:
    """The UTF-8 text of a tracked file; a clear error naming the line of the first bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise GuidelineError(shown, line, "edition.encoding",
                             f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                             "save the file as UTF-8") from None


def load(root: Path) -> list[Edition]:
    path = root / REGISTRY
    if not path.is_file():
        raise GuidelineError(str(REGISTRY), 0, "edition.no-registry", "no edition registry",
                             "list editions in docs/editions.toml ([[edition]] id, date, status, commit, summary)")
    return parse(read_text(path, str(REGISTRY)), str(REGISTRY))


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
