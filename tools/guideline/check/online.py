"""Polite, bounded clients for Crossref, PubMed E-utilities and ClinicalTrials.gov API v2.

:class:`Client` is the one HTTP client of the toolchain for public registries (the
validator here; surveillance reuses it). Its public surface is small:

* ``Client(OnlineConfig(...))`` - a User-Agent naming the contact address from
  ``guideline.toml``, a minimum interval between requests per service.
* ``client.get_json(url, params=None)`` - one JSON document. Retries with
  exponential back-off, ``429``/``503`` ``Retry-After`` honoured only while it
  fits the deadline, a response size limit, a clear :class:`OnlineError`
  (offline, deadline, refused) instead of a traceback.
* ``with client.deadline(seconds):`` - a deadline for one unit of work (one
  reference), inside the run's overall deadline (``OnlineConfig.run_deadline``,
  counted from the client's creation or :meth:`Client.start_run`).

A hostile or broken server cannot hold a run: every request runs in a worker
thread that the caller stops waiting for at the deadline, so a server that
drips one byte every few seconds, or asks to retry in an hour, ends in an
:class:`OnlineError` within the deadline. Records are validated field by field
(:class:`MalformedRecord` names the field), so a malformed answer is a finding
for one reference, never a crash of the run. Base URLs are configurable, so
tests point them at a server on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlsplit

import requests

from .. import __version__

RETRACTION_TYPES = {"retraction", "withdrawal", "removal", "expression_of_concern", "expression-of-concern",
                    "partial_retraction"}


class OnlineError(Exception):
    """A registry could not be reached or answered with an error (message is user-facing)."""


class NotFound(OnlineError):
    pass


class DeadlineExceeded(OnlineError):
    """The run's or the reference's deadline passed (message says which; ``run`` is True for the run's)."""

    def __init__(self, message: str, run: bool = False) -> None:
        super().__init__(message)
        self.run = run


class MalformedRecord(OnlineError):
    """The registry answered, but not with a record the checker can use (too large, wrong shape)."""


@dataclass
class OnlineConfig:
    contact: str = ""
    crossref_url: str = "https://api.crossref.org"
    pubmed_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    ctgov_url: str = "https://clinicaltrials.gov/api/v2"
    timeout: float = 15.0            # seconds to connect, and between two bytes of an answer
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 120.0          # longest Retry-After honoured
    reference_deadline: float = 60.0  # one reference, all its registries and retries
    run_deadline: float = 900.0      # the whole run
    max_response_bytes: int = 4_000_000
    max_field_chars: int = 2_000     # a title, journal or page field longer than this is refused
    # Seconds between two requests to one service (PubMed allows 3 a second without a key).
    min_interval: dict[str, float] = field(default_factory=lambda: {"crossref": 0.1, "pubmed": 0.34, "ctgov": 0.2})


class Client:
    def __init__(self, config: OnlineConfig, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None) -> None:
        self.config = config
        self.sleep = sleep
        self._session_given = session is not None
        self.session = session or self._new_session()
        self._last: dict[str, float] = {}
        self.down: dict[str, str] = {}
        self._deadlines: list[tuple[float, str]] = []
        self.start_run()

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        contact = f" (mailto:{self.config.contact})" if self.config.contact else ""
        session.headers["User-Agent"] = f"living-guideline-check/{__version__}{contact}"
        session.headers["Accept"] = "application/json"
        return session

    # -- deadlines ---------------------------------------------------------
    def start_run(self) -> None:
        """Start the run's overall deadline now."""
        self._deadlines = [(time.monotonic() + self.config.run_deadline,
                            f"the run's deadline of {self.config.run_deadline:g} s")]

    @contextlib.contextmanager
    def deadline(self, seconds: float | None = None, what: str = "this reference") -> Iterator[None]:
        """A deadline for one unit of work (default: ``reference_deadline``), within the run's."""
        seconds = self.config.reference_deadline if seconds is None else seconds
        self._deadlines.append((time.monotonic() + seconds, f"the deadline of {seconds:g} s for {what}"))
        try:
            yield
        finally:
            self._deadlines.pop()

    def _remaining(self) -> tuple[float, str, bool]:
        """Seconds left before the nearest deadline, which one it is, and whether it is the run's."""
        when, label = min(self._deadlines)
        return when - time.monotonic(), label, (when, label) == self._deadlines[0]

    def _check_deadline(self) -> float:
        left, label, run = self._remaining()
        if left <= 0:
            raise DeadlineExceeded(f"{label} has passed", run)
        return left

    def _sleep(self, seconds: float, reason: str) -> None:
        left, label, run = self._remaining()
        if seconds > left:
            raise DeadlineExceeded(f"{reason}; waiting {seconds:g} s would pass {label} ({max(left, 0):.0f} s left)",
                                   run)
        self.sleep(seconds)

    # -- transport ---------------------------------------------------------
    def _wait_turn(self, service: str) -> None:
        gap = self.config.min_interval.get(service, 0.0)
        last = self._last.get(service)
        if gap and last is not None:
            delay = last + gap - time.monotonic()
            if delay > 0:
                self._sleep(delay, "rate limit")
        self._last[service] = time.monotonic()

    def _fetch(self, url: str, params: dict[str, str] | None, budget: float) -> tuple[int, str, bytes]:
        """One GET in a worker thread: (status, Retry-After, body). Stops waiting at ``budget``."""
        outcome: dict[str, Any] = {}
        done = threading.Event()
        cancelled = threading.Event()
        session = self.session
        limit = self.config.max_response_bytes
        timeout = min(self.config.timeout, max(budget, 0.01))

        def work() -> None:
            try:
                with session.get(url, params=params, timeout=(timeout, timeout), stream=True) as response:
                    size = response.headers.get("Content-Length", "")
                    if size.isdigit() and int(size) > limit:
                        raise MalformedRecord(f"{_host(url)} answered with {int(size):,} bytes, over the limit "
                                              f"of {limit:,}; refused")
                    body = bytearray()
                    for chunk in response.iter_content(chunk_size=65536):
                        if cancelled.is_set():
                            return
                        body += chunk
                        if len(body) > limit:
                            raise MalformedRecord(f"{_host(url)} answered with more than {limit:,} bytes; refused")
                    outcome["value"] = (response.status_code, response.headers.get("Retry-After", ""), bytes(body))
            except BaseException as exc:  # handed to the caller's thread
                outcome["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=work, name="guideline-online", daemon=True)
        worker.start()
        if not done.wait(budget):
            cancelled.set()
            if not self._session_given:
                self.session = self._new_session()  # the abandoned worker keeps the old one
            _, label, run = self._remaining()
            raise DeadlineExceeded(f"{_host(url)} was still answering when {label} passed", run)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def get_json(self, url: str, params: dict[str, str] | None = None, *, service: str | None = None) -> Any:
        """GET ``url`` and decode its JSON, within the deadlines and the size limit.

        ``service`` groups requests for the rate limit and for "offline" (default: the host).
        Raises :class:`NotFound` (404), :class:`DeadlineExceeded`, :class:`MalformedRecord`
        (too large, not JSON) or :class:`OnlineError` (unreachable, HTTP error)."""
        service = service or _host(url)
        if service in self.down:
            raise OnlineError(self.down[service])
        attempt = 0
        while True:
            self._wait_turn(service)
            budget = self._check_deadline()
            try:
                status, retry_after, body = self._fetch(url, params, budget)
            except requests.ConnectionError as exc:
                if isinstance(exc, requests.ConnectTimeout) or "timed out" in str(exc).lower():
                    failure = f"{_host(url)} did not answer within {self.config.timeout:g} s"
                else:
                    message = f"cannot reach {_host(url)} (offline?): {type(exc).__name__}"
                    self.down[service] = message
                    raise OnlineError(message) from None
            except requests.Timeout:
                failure = f"{_host(url)} did not answer within {self.config.timeout:g} s"
            except requests.RequestException as exc:
                raise OnlineError(f"request to {_host(url)} failed: {type(exc).__name__}") from None
            else:
                if status == 404:
                    raise NotFound(f"{_host(url)} answered 404 Not Found")
                if status not in (429, 500, 502, 503, 504):
                    if status >= 400:
                        raise OnlineError(f"{_host(url)} answered {status}")
                    try:
                        return _json(body)
                    except ValueError:
                        raise MalformedRecord(f"{_host(url)} answered with something that is not JSON") from None
                failure = f"{_host(url)} answered {status}"
                wait = _retry_after(retry_after)
                if wait is not None and attempt < self.config.retries:
                    if wait > self.config.max_wait:
                        raise OnlineError(f"{failure} and asked to retry after {wait:g} s "
                                          f"(more than the {self.config.max_wait:g} s the checker waits)")
                    self._sleep(wait, f"{failure} and asked to retry after {wait:g} s")
                    attempt += 1
                    continue
            if attempt >= self.config.retries:
                raise OnlineError(f"{failure} after {attempt + 1} attempts")
            self._sleep(self.config.backoff * 2 ** attempt, failure)
            attempt += 1

    # -- services ----------------------------------------------------------
    def crossref(self, doi: str) -> dict[str, Any]:
        data = self.get_json(f"{self.config.crossref_url}/works/{quote(doi, safe='/():;')}", service="crossref")
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, dict):
            raise MalformedRecord("Crossref answered without a 'message' record")
        return self._limited(crossref_metadata(message), "Crossref")

    def pubmed(self, pmid: str) -> dict[str, Any]:
        params = {"db": "pubmed", "id": pmid, "retmode": "json", "tool": "living-guideline-check"}
        if self.config.contact:
            params["email"] = self.config.contact
        data = self.get_json(f"{self.config.pubmed_url}/esummary.fcgi", params, service="pubmed")
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, dict):
            raise MalformedRecord("PubMed answered without a 'result' object")
        record = result.get(str(pmid))
        if not isinstance(record, dict) or record.get("error"):
            raise NotFound(f"PubMed has no record {pmid}")
        return self._limited(pubmed_metadata(record), "PubMed")

    def clinicaltrials(self, nct: str) -> dict[str, Any]:
        data = self.get_json(f"{self.config.ctgov_url}/studies/{nct}", service="ctgov")
        if not isinstance(data, dict):
            raise MalformedRecord("ClinicalTrials.gov answered without a study object")
        protocol = _object(data, "protocolSection")
        ident = _object(protocol, "identificationModule")
        if not ident.get("nctId"):
            raise NotFound(f"ClinicalTrials.gov has no study {nct}")
        status = _object(protocol, "statusModule")
        record = {"nct": _text(ident, "nctId"), "title": _text(ident, "briefTitle"),
                  "official_title": _text(ident, "officialTitle"), "status": _text(status, "overallStatus")}
        return self._limited(record, "ClinicalTrials.gov")

    def _limited(self, record: dict[str, Any], registry: str) -> dict[str, Any]:
        """Refuse a record with an implausibly long field: it must not reach the lockfile."""
        limit = self.config.max_field_chars
        for name, value in record.items():
            if isinstance(value, str) and len(value) > limit:
                raise MalformedRecord(f"{registry} record field {name!r} has {len(value):,} characters "
                                      f"(limit {limit:,}); refused")
        return record


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _json(body: bytes) -> Any:
    import json

    return json.loads(body.decode("utf-8-sig"))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


# -- record parsing: every field checked for its type ------------------------------------

def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedRecord(f"field {key!r} is {type(value).__name__}, not an object")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedRecord(f"field {key!r} is {type(value).__name__}, not a list")
    return value


def _scalar(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise MalformedRecord(f"field {key!r} is {type(value).__name__}, not text")
    return str(value)


def _text(data: dict[str, Any], key: str) -> str:
    return _scalar(data.get(key), key)


def _first(data: dict[str, Any], key: str) -> str:
    """Crossref's lists of one title; a bare string is accepted."""
    value = data.get(key)
    if isinstance(value, list):
        return _scalar(value[0], key) if value else ""
    return _scalar(value, key)


def _year(message: dict[str, Any], *keys: str) -> list[int]:
    years = []
    for key in keys:
        parts = _list(_object(message, key), "date-parts") if key in message else []
        if not parts:
            continue
        if not isinstance(parts[0], list):
            raise MalformedRecord(f"{key}.date-parts is not a list of lists")
        if not parts[0] or parts[0][0] is None:
            continue
        year = parts[0][0]
        if isinstance(year, bool) or not isinstance(year, (int, str)) or not str(year).isdigit():
            raise MalformedRecord(f"{key}.date-parts has the year {year!r}, not a number")
        years.append(int(year))
    return sorted(set(years))


def crossref_metadata(message: dict[str, Any]) -> dict[str, Any]:
    """The fields the checker compares, from a Crossref ``message`` (raises MalformedRecord)."""
    notices = []
    for relation in ("updated-by", "update-to"):
        for update in _list(message, relation):
            if not isinstance(update, dict):
                raise MalformedRecord(f"an entry of {relation!r} is {type(update).__name__}, not an object")
            kind = _text(update, "type").lower()
            if kind in RETRACTION_TYPES:
                notices.append({"relation": relation, "type": kind, "doi": _text(update, "DOI")})
    return {
        "doi": _text(message, "DOI"),
        "title": _first(message, "title"),
        "journal": _first(message, "container-title"),
        "journal_short": _first(message, "short-container-title"),
        "years": _year(message, "published-print", "published-online", "issued", "published"),
        "volume": _text(message, "volume"),
        "issue": _text(message, "issue"),
        "pages": _text(message, "page") or _text(message, "article-number"),
        "type": _text(message, "type"),
        "notices": notices,
    }


def pubmed_metadata(record: dict[str, Any]) -> dict[str, Any]:
    """The fields the checker compares, from one E-utilities esummary record."""
    year = re.match(r"(\d{4})", _text(record, "pubdate") or _text(record, "epubdate"))
    doi = ""
    for article_id in _list(record, "articleids"):
        if not isinstance(article_id, dict):
            raise MalformedRecord("an entry of 'articleids' is not an object")
        if article_id.get("idtype") == "doi":
            doi = _text(article_id, "value")
            break
    pubtypes = [_scalar(p, "pubtype") for p in _list(record, "pubtype")]
    notices = [{"relation": "pubtype", "type": p} for p in pubtypes
               if p.lower() in ("retracted publication", "retraction of publication", "expression of concern")]
    return {
        "pmid": _text(record, "uid"),
        "title": _text(record, "title").rstrip("."),
        "journal": _text(record, "fulljournalname"),
        "journal_short": _text(record, "source"),
        "years": [int(year.group(1))] if year else [],
        "volume": _text(record, "volume"),
        "issue": _text(record, "issue"),
        "pages": _text(record, "pages"),
        "doi": doi,
        "notices": notices,
    }
