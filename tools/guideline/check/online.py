"""Polite clients for Crossref, PubMed E-utilities and ClinicalTrials.gov API v2.

User-Agent with the contact address from ``guideline.toml``, a minimum interval
between requests per service, timeouts, retries with exponential back-off,
``429``/``503`` ``Retry-After`` honoured, and a clear error when offline. Base URLs
are configurable, so tests point them at a server on 127.0.0.1.
"""

from __future__ import annotations

import email.utils
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote

import requests

from .. import __version__

RETRACTION_TYPES = {"retraction", "withdrawal", "removal", "expression_of_concern", "expression-of-concern",
                    "partial_retraction"}


class OnlineError(Exception):
    """A registry could not be reached or answered with an error (message is user-facing)."""


class NotFound(OnlineError):
    pass


@dataclass
class OnlineConfig:
    contact: str = ""
    crossref_url: str = "https://api.crossref.org"
    pubmed_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    ctgov_url: str = "https://clinicaltrials.gov/api/v2"
    timeout: float = 15.0
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 120.0
    # Seconds between two requests to one service (PubMed allows 3 a second without a key).
    min_interval: dict[str, float] = field(default_factory=lambda: {"crossref": 0.1, "pubmed": 0.34, "ctgov": 0.2})


class Client:
    def __init__(self, config: OnlineConfig, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None) -> None:
        self.config = config
        self.sleep = sleep
        self.session = session or requests.Session()
        contact = f" (mailto:{config.contact})" if config.contact else ""
        self.session.headers["User-Agent"] = f"living-guideline-check/{__version__}{contact}"
        self.session.headers["Accept"] = "application/json"
        self._last: dict[str, float] = {}
        self.down: dict[str, str] = {}

    # -- transport ---------------------------------------------------------
    def _wait_turn(self, service: str) -> None:
        gap = self.config.min_interval.get(service, 0.0)
        last = self._last.get(service)
        if gap and last is not None:
            delay = last + gap - time.monotonic()
            if delay > 0:
                self.sleep(delay)
        self._last[service] = time.monotonic()

    def get_json(self, service: str, url: str, params: dict[str, str] | None = None) -> Any:
        if service in self.down:
            raise OnlineError(self.down[service])
        attempt = 0
        while True:
            self._wait_turn(service)
            try:
                response = self.session.get(url, params=params, timeout=self.config.timeout)
            except requests.ConnectionError as exc:
                message = f"cannot reach {_host(url)} (offline?): {type(exc).__name__}"
                self.down[service] = message
                raise OnlineError(message) from None
            except requests.Timeout:
                if attempt >= self.config.retries:
                    raise OnlineError(f"{_host(url)} did not answer within {self.config.timeout:g} s "
                                      f"({attempt + 1} attempts)") from None
                self.sleep(self.config.backoff * 2 ** attempt)
                attempt += 1
                continue
            except requests.RequestException as exc:
                raise OnlineError(f"request to {_host(url)} failed: {exc}") from None
            if response.status_code == 404:
                raise NotFound(f"{_host(url)} answered 404 Not Found")
            if response.status_code in (429, 500, 502, 503, 504):
                if attempt >= self.config.retries:
                    raise OnlineError(f"{_host(url)} answered {response.status_code} after {attempt + 1} attempts")
                wait = _retry_after(response.headers.get("Retry-After"))
                if wait is None:
                    wait = self.config.backoff * 2 ** attempt
                self.sleep(min(wait, self.config.max_wait))
                attempt += 1
                continue
            if response.status_code >= 400:
                raise OnlineError(f"{_host(url)} answered {response.status_code}")
            try:
                return response.json()
            except ValueError:
                raise OnlineError(f"{_host(url)} answered with something that is not JSON") from None

    # -- services ----------------------------------------------------------
    def crossref(self, doi: str) -> dict[str, Any]:
        data = self.get_json("crossref", f"{self.config.crossref_url}/works/{quote(doi, safe='/():;')}")
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, dict):
            raise OnlineError("Crossref answered without a 'message' record")
        return crossref_metadata(message)

    def pubmed(self, pmid: str) -> dict[str, Any]:
        params = {"db": "pubmed", "id": pmid, "retmode": "json", "tool": "living-guideline-check"}
        if self.config.contact:
            params["email"] = self.config.contact
        data = self.get_json("pubmed", f"{self.config.pubmed_url}/esummary.fcgi", params)
        result = (data or {}).get("result") or {}
        record = result.get(str(pmid))
        if not isinstance(record, dict) or record.get("error"):
            raise NotFound(f"PubMed has no record {pmid}")
        return pubmed_metadata(record)

    def clinicaltrials(self, nct: str) -> dict[str, Any]:
        data = self.get_json("ctgov", f"{self.config.ctgov_url}/studies/{nct}")
        protocol = (data or {}).get("protocolSection") or {}
        ident = protocol.get("identificationModule") or {}
        if not ident.get("nctId"):
            raise NotFound(f"ClinicalTrials.gov has no study {nct}")
        status = protocol.get("statusModule") or {}
        return {"nct": ident.get("nctId"), "title": ident.get("briefTitle") or "",
                "official_title": ident.get("officialTitle") or "", "status": status.get("overallStatus") or ""}


def _host(url: str) -> str:
    match = re.match(r"^[a-z]+://([^/]+)", url)
    return match.group(1) if match else url


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _year(message: dict[str, Any], *keys: str) -> list[int]:
    years = []
    for key in keys:
        parts = (message.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and parts[0][0]:
            years.append(int(parts[0][0]))
    return sorted(set(years))


def crossref_metadata(message: dict[str, Any]) -> dict[str, Any]:
    notices = []
    for relation in ("updated-by", "update-to"):
        for update in message.get(relation) or []:
            kind = str(update.get("type", "")).lower()
            if kind in RETRACTION_TYPES:
                notices.append({"relation": relation, "type": kind, "doi": update.get("DOI", "")})
    return {
        "doi": message.get("DOI", ""),
        "title": _first(message.get("title")),
        "journal": _first(message.get("container-title")),
        "journal_short": _first(message.get("short-container-title")),
        "years": _year(message, "published-print", "published-online", "issued", "published"),
        "volume": str(message.get("volume") or ""),
        "issue": str(message.get("issue") or ""),
        "pages": str(message.get("page") or message.get("article-number") or ""),
        "type": message.get("type", ""),
        "notices": notices,
    }


def pubmed_metadata(record: dict[str, Any]) -> dict[str, Any]:
    year = re.match(r"(\d{4})", str(record.get("pubdate") or record.get("epubdate") or ""))
    doi = next((a.get("value", "") for a in record.get("articleids") or [] if a.get("idtype") == "doi"), "")
    pubtypes = [str(p) for p in record.get("pubtype") or []]
    notices = [{"relation": "pubtype", "type": p} for p in pubtypes
               if p.lower() in ("retracted publication", "retraction of publication", "expression of concern")]
    return {
        "pmid": str(record.get("uid", "")),
        "title": str(record.get("title") or "").rstrip("."),
        "journal": str(record.get("fulljournalname") or ""),
        "journal_short": str(record.get("source") or ""),
        "years": [int(year.group(1))] if year else [],
        "volume": str(record.get("volume") or ""),
        "issue": str(record.get("issue") or ""),
        "pages": str(record.get("pages") or ""),
        "doi": doi,
        "notices": notices,
    }
