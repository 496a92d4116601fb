"""What the registries answer, through the project's polite online client.

Transport (rate limits, ``Retry-After``, retries, timeouts, contact address,
base URLs) is :class:`guideline.check.online.Client`; this module only knows
each registry's query parameters, pagination and answer format:

- PubMed E-utilities: ``esearch.fcgi`` (ids, paged with ``retstart``, limited
  to records added since a date) and ``esummary.fcgi`` (title, date, DOI,
  publication types, among them "Retracted Publication");
- ClinicalTrials.gov API v2: ``/studies`` (paged with ``nextPageToken``,
  limited to studies updated since a date) and ``/studies/{nct}``;
- Crossref: ``/works/{doi}``, whose ``updated-by`` lists retractions,
  withdrawals, expressions of concern and corrections.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from ..check.online import Client, OnlineError
from .config import CtgovQuery

PUBMED_TOOL = "living-guideline-surveillance"
ESUMMARY_BATCH = 200
CTGOV_FIELDS = ",".join(("protocolSection.identificationModule", "protocolSection.statusModule", "hasResults"))
# Crossref update types -> the hit kinds of the surveillance log.
CROSSREF_KINDS = {
    "retraction": "retraction", "partial_retraction": "retraction", "removal": "retraction",
    "withdrawal": "withdrawal",
    "expression_of_concern": "expression of concern", "expression-of-concern": "expression of concern",
    "correction": "correction", "erratum": "correction", "corrigendum": "correction",
    "addendum": "correction", "clarification": "correction",
}


class Truncated(Exception):
    """A query matched more than ``max_pages`` pages: the rest was not read."""


def _pubmed_params(client: Client, **params: str) -> dict[str, str]:
    params = {"db": "pubmed", "retmode": "json", "tool": PUBMED_TOOL, **params}
    if client.config.contact:
        params["email"] = client.config.contact
    return params


def pubmed_search(client: Client, term: str, since: dt.date, until: dt.date, page_size: int,
                  max_pages: int) -> tuple[list[str], int]:
    """PMIDs matching ``term`` added to PubMed (Entrez date) from ``since`` to ``until``; and the count."""
    url = f"{client.config.pubmed_url}/esearch.fcgi"
    ids: list[str] = []
    count = 0
    for page in range(max_pages):
        params = _pubmed_params(client, term=term, datetype="edat", mindate=since.strftime("%Y/%m/%d"),
                                maxdate=until.strftime("%Y/%m/%d"), retstart=str(page * page_size),
                                retmax=str(page_size))
        result = (client.get_json(url, params, service="pubmed") or {}).get("esearchresult")
        if not isinstance(result, dict):
            raise OnlineError("PubMed esearch answered without an esearchresult")
        if result.get("ERROR"):
            raise OnlineError(f"PubMed esearch: {result['ERROR']}")
        count = int(result.get("count") or 0)
        batch = [str(i) for i in result.get("idlist") or []]
        ids.extend(i for i in batch if i not in ids)
        if not batch or len(ids) >= count:
            return ids, count
    raise Truncated(f"{count} records match, more than {max_pages} pages of {page_size}")


def pubmed_summaries(client: Client, pmids: list[str]) -> dict[str, dict[str, Any]]:
    """esummary records by PMID (title, date, journal, DOI, publication types)."""
    url = f"{client.config.pubmed_url}/esummary.fcgi"
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(pmids), ESUMMARY_BATCH):
        batch = pmids[start:start + ESUMMARY_BATCH]
        result = (client.get_json(url, _pubmed_params(client, id=",".join(batch)), service="pubmed") or {}).get("result")
        if not isinstance(result, dict):
            raise OnlineError("PubMed esummary answered without a result")
        for pmid in batch:
            record = result.get(pmid)
            if isinstance(record, dict) and not record.get("error"):
                out[pmid] = pubmed_record(record)
    return out


def pubmed_record(record: dict[str, Any]) -> dict[str, Any]:
    doi = next((a.get("value", "") for a in record.get("articleids") or [] if a.get("idtype") == "doi"), "")
    return {
        "pmid": str(record.get("uid", "")),
        "title": str(record.get("title") or "").strip(),
        "date": str(record.get("pubdate") or record.get("epubdate") or ""),
        "journal": str(record.get("source") or ""),
        "doi": doi.lower(),
        "pubtypes": [str(p) for p in record.get("pubtype") or []],
    }


def ctgov_search(client: Client, query: CtgovQuery, since: dt.date, page_size: int,
                 max_pages: int) -> list[dict[str, Any]]:
    """Studies matching ``query`` whose record was updated since ``since`` (new, changed, results posted)."""
    url = f"{client.config.ctgov_url}/studies"
    params = {**query.params(), "filter.advanced": f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]",
              "fields": CTGOV_FIELDS, "pageSize": str(page_size), "countTotal": "true", "format": "json"}
    studies: list[dict[str, Any]] = []
    token = None
    for _ in range(max_pages):
        data = client.get_json(url, {**params, "pageToken": token} if token else params, service="ctgov")
        if not isinstance(data, dict) or not isinstance(data.get("studies", []), list):
            raise OnlineError("ClinicalTrials.gov answered without a list of studies")
        studies.extend(s for s in (study_record(raw) for raw in data.get("studies") or []) if s["nct"])
        token = data.get("nextPageToken")
        if not token:
            return studies
    raise Truncated(f"more than {max_pages} pages of {page_size} studies")


def ctgov_study(client: Client, nct: str) -> dict[str, Any]:
    data = client.get_json(f"{client.config.ctgov_url}/studies/{nct}", service="ctgov")
    record = study_record(data if isinstance(data, dict) else {})
    if not record["nct"]:
        raise OnlineError(f"ClinicalTrials.gov answered without the study {nct}")
    return record


def study_record(raw: dict[str, Any]) -> dict[str, Any]:
    protocol = raw.get("protocolSection") or {}
    ident = protocol.get("identificationModule") or {}
    status = protocol.get("statusModule") or {}
    results_date = (status.get("resultsFirstPostDateStruct") or {}).get("date") or ""
    return {
        "nct": str(ident.get("nctId") or "").upper(),
        "title": str(ident.get("briefTitle") or ident.get("officialTitle") or ""),
        "status": str(status.get("overallStatus") or ""),
        "results": bool(raw.get("hasResults")) or bool(results_date),
        "results_date": str(results_date),
        "first_posted": str((status.get("studyFirstPostDateStruct") or {}).get("date") or ""),
        "last_update": str((status.get("lastUpdatePostDateStruct") or {}).get("date") or ""),
    }


def crossref_updates(client: Client, doi: str) -> tuple[str, list[dict[str, str]]]:
    """The work's title and its update notices (retraction, withdrawal, concern, correction)."""
    data = client.get_json(f"{client.config.crossref_url}/works/{quote(doi, safe='/():;')}", service="crossref")
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise OnlineError("Crossref answered without a 'message' record")
    titles = message.get("title") or []
    title = str(titles[0] if isinstance(titles, list) and titles else titles or "")
    notices = []
    for update in message.get("updated-by") or []:
        kind = CROSSREF_KINDS.get(str(update.get("type", "")).lower())
        if kind is None:
            continue
        parts = ((update.get("updated") or {}).get("date-parts") or [[]])[0]
        date = "-".join(f"{int(p):02d}" if i else str(int(p)) for i, p in enumerate(parts[:3])) if parts else ""
        notices.append({"kind": kind, "type": str(update.get("type")), "doi": str(update.get("DOI") or "").lower(),
                        "date": date, "source": str(update.get("source") or "")})
    return title, notices
