"""The surveillance log: a tracked, append-only JSON Lines file, one event a line.

Events (every line has ``"event"``):

- ``run``: one run of ``guideline watch``: when, and per search whether it
  succeeded, the query, the date it looked back to, how much it found;
- ``hit``: something a run found, once: ``id`` (``PMID:…``, ``NCT…``,
  ``DOI:…@retraction``, …), ``kind``, ``registry``, ``search``, ``query``,
  ``title``, ``date``, ``url``, ``found``, ``cited`` (the cited identifier it
  concerns, if any) and its triage ``state`` (``new`` when recorded);
- ``triage``: a decision on a hit: ``id``, ``state``, ``reason``, ``by``, ``date``;
- ``found``: a hit already recorded, found again by another search (``id``,
  ``search``): not reported again, but the hit then bears on that search's
  recommendations too;
- ``observed``: the status and results flag of a study, written when they
  first become known or change (what status changes are detected against).

The panel may triage by appending a ``triage`` line by hand, or by editing the
``state``/``reason``/``by``/``decided`` fields of a hit line; later ``triage``
lines win. Lines are only ever appended by the toolchain (:func:`append`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..errors import GuidelineError

STATES = ("new", "relevant", "not relevant", "included")
EVENTS = ("run", "hit", "triage", "found", "observed")
HIT_FIELDS = ("id", "kind", "registry", "search", "query", "title", "date", "url", "found", "run")
# Kinds of hit. A retraction or withdrawal of cited work always marks what rests on it;
# an expression of concern does until the recommendation is reviewed; the others count
# once the panel triages them relevant.
RETRACTION_KINDS = ("retraction", "withdrawal")
CONCERN_KINDS = ("expression of concern",)
KINDS = ("publication", "study", "status", "results", *RETRACTION_KINDS, *CONCERN_KINDS, "correction")


@dataclass
class Hit:
    id: str
    kind: str
    registry: str
    search: str
    query: str
    title: str
    date: str
    url: str
    found: str
    run: str
    cited: str = ""
    status: str = ""
    state: str = "new"
    reason: str = ""
    by: str = ""
    decided: str = ""
    line: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    also_found_by: list[str] = field(default_factory=list)

    @property
    def searches(self) -> list[str]:
        """Every search that found the hit, the first one first."""
        return [self.search, *self.also_found_by]

    @property
    def open(self) -> bool:
        return self.state == "new"

    @property
    def found_date(self) -> dt.date:
        return dt.date.fromisoformat(self.found)

    @property
    def decided_date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.decided) if self.decided else None

    def to_event(self) -> dict[str, Any]:
        event: dict[str, Any] = {"event": "hit"}
        event.update({name: getattr(self, name) for name in HIT_FIELDS})
        if self.cited:
            event["cited"] = self.cited
        if self.status:
            event["status"] = self.status
        event["state"] = self.state
        return event


@dataclass
class Run:
    run: str
    date: str
    searches: dict[str, dict[str, Any]]
    line: int = 0


@dataclass
class Log:
    file: str
    hits: dict[str, Hit] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    observed: dict[str, dict[str, Any]] = field(default_factory=dict)

    def last_success(self, search_id: str) -> dt.date | None:
        """The date of the last run in which every part of the search answered."""
        for run in reversed(self.runs):
            outcome = run.searches.get(search_id)
            if outcome and outcome.get("ok"):
                return dt.date.fromisoformat(run.date)
        return None

    def last_attempt(self, search_id: str) -> Run | None:
        for run in reversed(self.runs):
            if search_id in run.searches:
                return run
        return None

    def open_hits(self) -> list[Hit]:
        return [h for h in self.hits.values() if h.open]

    def decided_hits(self) -> list[Hit]:
        return [h for h in self.hits.values() if not h.open]

    def find(self, ref: str) -> Hit:
        """A hit by its id, or by a unique prefix of it (ids of notices are long)."""
        if ref in self.hits:
            return self.hits[ref]
        matches = [h for h in self.hits.values() if h.id.lower().startswith(ref.lower())]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise GuidelineError(self.file, 0, "surv.unknown-hit", f"no hit {ref!r} in the surveillance log",
                                 "`guideline watch status` lists the open hits with their ids")
        raise GuidelineError(self.file, 0, "surv.unknown-hit", f"{ref!r} matches {len(matches)} hits: "
                             + ", ".join(h.id for h in matches[:5]), "give more of the id")


def _fail(file: str, line: int, message: str, hint: str = "") -> GuidelineError:
    return GuidelineError(file, line, "surv.log", message, hint)


def _text(event: dict[str, Any], name: str, file: str, line: int, required: bool = True) -> str:
    value = event.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(file, line, f"{event.get('event')} lacks {name!r} (a non-empty string)")
    return value


def _iso(value: str, file: str, line: int, name: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(file, line, f"{name} {value!r} is not a date (YYYY-MM-DD)") from None
    return value


def _decision(hit: Hit, state: str, reason: str, by: str, date: str, file: str, line: int) -> None:
    if state not in STATES:
        raise _fail(file, line, f"{hit.id}: state {state!r} is not one of {', '.join(STATES)}")
    if state != "new" and not (reason.strip() and by.strip()):
        raise _fail(file, line, f"{hit.id}: a decision ({state}) needs a reason and who decided (by)")
    if state != "new":
        _iso(date, file, line, "decision date")
    hit.state, hit.reason, hit.by, hit.decided = state, reason, by, date if state != "new" else ""
    hit.history.append({"state": state, "reason": reason, "by": by, "date": date, "line": line})


def parse(text: str, file: str) -> Log:
    log = Log(file)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            event = json.loads(raw)
        except ValueError as exc:
            raise _fail(file, number, f"not a JSON object: {exc.msg}",
                        "one JSON object a line; edit the log with care, or use `guideline watch triage`") from None
        if not isinstance(event, dict) or event.get("event") not in EVENTS:
            raise _fail(file, number, f"unknown event {event.get('event') if isinstance(event, dict) else event!r}",
                        f"events: {', '.join(EVENTS)}")
        kind = event["event"]
        if kind == "run":
            searches = event.get("searches")
            if not isinstance(searches, dict):
                raise _fail(file, number, "run lacks its searches")
            log.runs.append(Run(_text(event, "run", file, number),
                                _iso(_text(event, "date", file, number), file, number, "run date"), searches, number))
        elif kind == "hit":
            hit = Hit(**{name: _text(event, name, file, number, name not in ("date", "query")) for name in HIT_FIELDS},
                      cited=_text(event, "cited", file, number, False), status=_text(event, "status", file, number, False),
                      line=number)
            _iso(hit.found, file, number, "found")
            if not hit.url.startswith(("https://", "http://")):
                # Rendered as a link on the Surveillance page: no javascript: or file: addresses.
                raise _fail(file, number, f"{hit.id}: url {hit.url[:60]!r} is not an http(s) address")
            if hit.kind not in KINDS:
                raise _fail(file, number, f"{hit.id}: kind {hit.kind!r} is not one of {', '.join(KINDS)}")
            if hit.id in log.hits:
                raise _fail(file, number, f"hit {hit.id} is already recorded on line {log.hits[hit.id].line}")
            state = _text(event, "state", file, number)
            if state != "new" or event.get("reason") or event.get("by"):  # triaged by editing the line
                _decision(hit, state, _text(event, "reason", file, number, False), _text(event, "by", file, number, False),
                          _text(event, "decided", file, number, False) or hit.found, file, number)
            log.hits[hit.id] = hit
        elif kind == "triage":
            hit_id = _text(event, "id", file, number)
            if hit_id not in log.hits:
                raise _fail(file, number, f"triage of {hit_id}, which no earlier line records")
            _decision(log.hits[hit_id], _text(event, "state", file, number), _text(event, "reason", file, number, False),
                      _text(event, "by", file, number, False), _text(event, "date", file, number), file, number)
        elif kind == "found":
            hit_id = _text(event, "id", file, number)
            if hit_id not in log.hits:
                raise _fail(file, number, f"found of {hit_id}, which no earlier line records")
            search = _text(event, "search", file, number)
            if search not in log.hits[hit_id].searches:
                log.hits[hit_id].also_found_by.append(search)
        else:
            study = _text(event, "id", file, number)
            log.observed[study] = {"status": str(event.get("status") or ""), "results": bool(event.get("results"))}
    return log


def read(path: Path, file: str) -> Log:
    """The log at ``path`` (an absent log is an empty one)."""
    if not path.is_file():
        return Log(file)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _fail(file, 0, "not UTF-8") from None
    return parse(text, file)


def dumps(event: dict[str, Any]) -> str:
    # One line each, keys in a stable order, non-ASCII kept readable in diffs.
    return json.dumps(event, ensure_ascii=False, separators=(", ", ": "))


def append(path: Path, events: list[dict[str, Any]]) -> None:
    """Append events: the file is rewritten atomically as its current bytes plus the new lines.

    Re-reading the current bytes at write time keeps lines another process
    appended meanwhile; an interrupted write leaves the previous file whole.
    """
    if not events:
        return
    current = path.read_bytes() if path.is_file() else b""
    if current and not current.endswith(b"\n"):
        current += b"\n"
    lines = "".join(dumps(e) + "\n" for e in events).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, current + lines)
