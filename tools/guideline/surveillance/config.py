"""The saved searches: ``docs/surveillance.toml``.

::

    [surveillance]
    log = "surveillance-log.jsonl"   # the tracked log, relative to docs/
    since = 2026-11-21               # a search's first run looks back to this date
    overlap_days = 7                 # later runs look back to the last run minus this
    page_size = 100                  # records per registry page
    max_pages = 20                   # pages per query at most (a runaway query stops here)

    [cited]
    interval_days = 30               # every DOI, PMID and NCT number in references.bib

    [[search]]
    id = "teclistamab"               # stable; the log refers to it
    title = "Teclistamab"
    topics = ["ADMIN"]               # recommendations REC_ADMIN_NN / GPS_ADMIN_NN
    recommendations = ["REC_AGENT_02"]
    interval_days = 7
    pubmed = 'teclistamab[tiab]'     # E-utilities esearch term
    ctgov = { cond = "multiple myeloma", intr = "teclistamab" }   # API v2 query.cond/intr/term

Unknown keys are errors (a misspelt key would otherwise silently do nothing).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import GuidelineError

CONFIG_FILE = "surveillance.toml"
CITED = "cited"  # the search id under which the cited identifiers are watched
SEARCH_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TOPIC = re.compile(r"^[A-Z0-9]+$")
NEED_ID = re.compile(r"^(REC|GPS)_[A-Z0-9]+_\d+$")
SETTINGS_KEYS = {"log", "since", "overlap_days", "page_size", "max_pages"}
SEARCH_KEYS = {"id", "title", "topics", "recommendations", "interval_days", "pubmed", "ctgov"}
CTGOV_KEYS = {"cond", "intr", "term"}


@dataclass(frozen=True)
class CtgovQuery:
    cond: str = ""
    intr: str = ""
    term: str = ""

    def params(self) -> dict[str, str]:
        """The API v2 query parameters."""
        return {f"query.{name}": value for name, value in
                (("cond", self.cond), ("intr", self.intr), ("term", self.term)) if value}

    def text(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.params().items())


@dataclass(frozen=True)
class Search:
    id: str
    title: str
    interval_days: int
    topics: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    pubmed: str = ""
    ctgov: CtgovQuery | None = None
    line: int = 0

    def covers(self, need_id: str) -> bool:
        """Does a change found by this search bear on the recommendation ``need_id``?"""
        if need_id in self.recommendations:
            return True
        parts = need_id.split("_")
        return len(parts) == 3 and parts[0] in ("REC", "GPS") and parts[1] in self.topics


@dataclass(frozen=True)
class Config:
    file: str  # as displayed, relative to the repository
    log: Path
    log_display: str
    since: dt.date
    overlap_days: int
    page_size: int
    max_pages: int
    cited_interval_days: int
    cited_line: int
    searches: tuple[Search, ...]

    def search(self, search_id: str) -> Search | None:
        return next((s for s in self.searches if s.id == search_id), None)

    def interval(self, search_id: str) -> int | None:
        if search_id == CITED:
            return self.cited_interval_days
        found = self.search(search_id)
        return found.interval_days if found else None

    def line_of(self, search_id: str) -> int:
        if search_id == CITED:
            return self.cited_line
        found = self.search(search_id)
        return found.line if found else 0

    def ids(self) -> list[str]:
        return [s.id for s in self.searches] + [CITED]


def _line(text: str, pattern: str) -> int:
    regex = re.compile(pattern)
    for number, raw in enumerate(text.splitlines(), start=1):
        if regex.search(raw):
            return number
    return 0


def _search_lines(text: str) -> list[int]:
    """Per [[search]] table, the line of its ``id`` (or of its header when it has none)."""
    out: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*\[\[\s*search\s*\]\]", raw):
            out.append(-number)  # the header, until the id is found
        elif out and out[-1] < 0 and re.match(r"^\s*id\s*=", raw):
            out[-1] = number
        elif re.match(r"^\s*\[", raw) and out and out[-1] < 0:
            out[-1] = -out[-1]
    return [abs(n) for n in out]


def _date(value: object, file: str, line: int, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise GuidelineError(file, line, "surv.config", f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _positive(value: object, file: str, line: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise GuidelineError(file, line, "surv.config", f"{what} must be a whole number of at least 1, not {value!r}")
    return value


def _strings(value: object, file: str, line: int, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GuidelineError(file, line, "surv.config", f"{what} must be a list of strings")
    return tuple(value)


def parse(text: str, docs: Path, root: Path, file: str) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's tomllib puts the line only in the message: "... (at line 21, column 13)".
        where = re.search(r"at line (\d+)", str(exc))
        raise GuidelineError(file, int(where.group(1)) if where else 0, "surv.config", f"invalid TOML: {exc}") from None
    unknown = sorted(set(data) - {"surveillance", "cited", "search"})
    if unknown:
        raise GuidelineError(file, _line(text, rf"^\s*\[+\s*{re.escape(unknown[0])}\b"), "surv.config",
                             f"unknown table(s) {', '.join(unknown)}", "tables: [surveillance], [cited], [[search]]")
    settings = data.get("surveillance", {})
    bad = sorted(set(settings) - SETTINGS_KEYS)
    if bad:
        raise GuidelineError(file, _line(text, rf"^\s*{re.escape(bad[0])}\s*="), "surv.config",
                             f"[surveillance]: unknown key(s) {', '.join(bad)}", f"keys: {', '.join(sorted(SETTINGS_KEYS))}")
    if "since" not in settings:
        raise GuidelineError(file, _line(text, r"^\s*\[surveillance\]"), "surv.config",
                             "[surveillance] lacks `since` (the date a search's first run looks back to)")
    log_name = str(settings.get("log", "surveillance-log.jsonl"))
    log = (docs / log_name).resolve()
    if not log.is_relative_to(root.resolve()):
        raise GuidelineError(file, _line(text, r"^\s*log\s*="), "surv.config",
                             f"log {log_name!r} lies outside the repository", "keep the log tracked, under docs/")
    cited = data.get("cited", {})
    bad = sorted(set(cited) - {"interval_days"})
    if bad:
        raise GuidelineError(file, _line(text, rf"^\s*{re.escape(bad[0])}\s*="), "surv.config",
                             f"[cited]: unknown key(s) {', '.join(bad)}", "keys: interval_days")
    cited_line = _line(text, r"^\s*\[cited\]")
    searches: list[Search] = []
    tables = data.get("search", [])
    if not isinstance(tables, list):
        raise GuidelineError(file, 0, "surv.config", "searches must be [[search]] tables")
    lines = _search_lines(text)
    for index, table in enumerate(tables, start=1):
        line = lines[index - 1] if index <= len(lines) else 0
        searches.append(_search(table, index, line, file, {s.id for s in searches}))
    return Config(
        file=file, log=log,
        log_display=log.relative_to(root.resolve()).as_posix(),
        since=_date(settings["since"], file, _line(text, r"^\s*since\s*="), "since"),
        overlap_days=_positive(settings.get("overlap_days", 7), file, _line(text, r"^\s*overlap_days"), "overlap_days"),
        page_size=_positive(settings.get("page_size", 100), file, _line(text, r"^\s*page_size"), "page_size"),
        max_pages=_positive(settings.get("max_pages", 20), file, _line(text, r"^\s*max_pages"), "max_pages"),
        cited_interval_days=_positive(cited.get("interval_days", 30), file, cited_line, "[cited] interval_days"),
        cited_line=cited_line,
        searches=tuple(searches),
    )


def _search(table: dict, index: int, line: int, file: str, taken: set[str]) -> Search:
    search_id = table.get("id")
    if not isinstance(search_id, str) or not SEARCH_ID.match(search_id) or search_id == CITED:
        raise GuidelineError(file, line, "surv.config",
                             f"search #{index}: id {search_id!r} is not a lower-case slug (a-z, 0-9, -)",
                             f"e.g. id = \"teclistamab\"; {CITED!r} is reserved for the cited identifiers")
    if search_id in taken:
        raise GuidelineError(file, line, "surv.config", f"search {search_id!r} is listed twice")
    what = f"search {search_id!r}"
    bad = sorted(set(table) - SEARCH_KEYS)
    if bad:
        raise GuidelineError(file, line, "surv.config", f"{what}: unknown key(s) {', '.join(bad)}",
                             f"keys: {', '.join(sorted(SEARCH_KEYS))}")
    if "interval_days" not in table:
        raise GuidelineError(file, line, "surv.config", f"{what} lacks interval_days")
    topics = _strings(table.get("topics", []), file, line, f"{what}: topics")
    recs = _strings(table.get("recommendations", []), file, line, f"{what}: recommendations")
    for topic in topics:
        if not TOPIC.match(topic):
            raise GuidelineError(file, line, "surv.config", f"{what}: topic {topic!r} is not an ID topic (e.g. EMD)",
                                 "a topic is the middle part of REC_<TOPIC>_<NN>")
    for rec in recs:
        if not NEED_ID.match(rec):
            raise GuidelineError(file, line, "surv.config", f"{what}: {rec!r} is not a recommendation ID",
                                 "REC_<TOPIC>_<NN> or GPS_<TOPIC>_<NN>")
    pubmed = table.get("pubmed", "")
    if not isinstance(pubmed, str):
        raise GuidelineError(file, line, "surv.config", f"{what}: pubmed must be a query string")
    ctgov = None
    if "ctgov" in table:
        raw = table["ctgov"]
        if not isinstance(raw, dict) or set(raw) - CTGOV_KEYS or not all(isinstance(v, str) for v in raw.values()):
            raise GuidelineError(file, line, "surv.config",
                                 f"{what}: ctgov must be a table of cond, intr and term strings")
        ctgov = CtgovQuery(**raw)
        if not ctgov.params():
            raise GuidelineError(file, line, "surv.config", f"{what}: ctgov query is empty")
    if not pubmed.strip() and ctgov is None:
        raise GuidelineError(file, line, "surv.config", f"{what} has neither a pubmed nor a ctgov query")
    if not topics and not recs:
        raise GuidelineError(file, line, "surv.config", f"{what} names no topics and no recommendations",
                             "say which recommendations a new study found by it would bear on")
    return Search(id=search_id, title=str(table.get("title") or search_id),
                  interval_days=_positive(table["interval_days"], file, line, f"{what}: interval_days"),
                  topics=topics, recommendations=recs, pubmed=" ".join(pubmed.split()), ctgov=ctgov, line=line)


def load(docs: Path, root: Path) -> Config | None:
    """The configuration, or None when the guideline has no saved searches."""
    path = docs / CONFIG_FILE
    if not path.is_file():
        return None
    root = root.resolve()
    resolved = path.resolve()
    file = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GuidelineError(file, 0, "surv.config", "not UTF-8") from None
    return parse(text, docs, root, file)
