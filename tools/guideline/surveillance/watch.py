"""One run of the saved searches: registry answers in, log events out.

A hit is recorded once: anything whose id the log already holds is not
reported again. A search succeeds only when every registry it asks answered;
a failed search stays due (and, past its interval, overdue), while what the
other searches found is still recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from ..check.online import Client, NotFound, OnlineError
from . import registries
from .cited import Cited
from .config import CITED, Config, Search
from .log import Log


def is_due(log: Log, config: Config, search_id: str, today: dt.date) -> bool:
    last = log.last_success(search_id)
    interval = config.interval(search_id) or 0
    return last is None or last + dt.timedelta(days=interval) <= today


def schedule(log: Log, config: Config, search_id: str, today: dt.date) -> tuple[str, str]:
    """(last successful run, next due) of a search, as the status command and page print them."""
    last = log.last_success(search_id)
    if last is None:
        return "never", "now (never run)"
    due = last + dt.timedelta(days=config.interval(search_id) or 0)
    if due < today:
        return last.isoformat(), f"overdue since {due.isoformat()}"
    return last.isoformat(), due.isoformat() + (" (due today)" if due == today else "")


@dataclass
class Outcome:
    events: list[dict[str, Any]]
    hits: list[dict[str, Any]]
    failures: list[str]
    ran: list[str]


class Watcher:
    def __init__(self, config: Config, log: Log, client: Client, cited: Cited, today: dt.date,
                 now: str, progress: Callable[[str], None] = lambda line: None) -> None:
        self.config, self.log, self.client, self.cited = config, log, client, cited
        self.today, self.now, self.progress = today, now, progress
        self.hits: list[dict[str, Any]] = []
        self.found_again: list[dict[str, Any]] = []
        self.observations: list[dict[str, Any]] = []
        self.observed = dict(log.observed)

    # -- bookkeeping -----------------------------------------------------------
    def _seen(self, hit_id: str) -> bool:
        return hit_id in self.log.hits or any(h["id"] == hit_id for h in self.hits)

    def _searches_of(self, hit_id: str) -> list[str]:
        known = self.log.hits.get(hit_id)
        searches = list(known.searches) if known else []
        searches += [h["search"] for h in self.hits if h["id"] == hit_id]
        return searches + [f["search"] for f in self.found_again if f["id"] == hit_id]

    def _hit(self, hit_id: str, kind: str, registry: str, search: str, query: str, title: str, date: str,
             url: str, **extra: str) -> bool:
        if self._seen(hit_id):
            # Not news, but it bears on this search's recommendations too.
            if search != CITED and search not in self._searches_of(hit_id):
                self.found_again.append({"event": "found", "id": hit_id, "search": search,
                                         "date": self.today.isoformat(), "run": self.now})
            return False
        event = {"event": "hit", "id": hit_id, "kind": kind, "registry": registry, "search": search,
                 "query": query, "title": title or hit_id, "date": date, "url": url,
                 "found": self.today.isoformat(), "run": self.now}
        event.update({k: v for k, v in extra.items() if v})
        event["state"] = "new"
        self.hits.append(event)
        return True

    def _study(self, study: dict[str, Any], search: str, query: str, cited: str = "") -> int:
        """Record a study's news against what was observed before; returns the hits added."""
        nct = study["nct"]
        before = self.observed.get(nct)
        now = {"status": study["status"], "results": study["results"]}
        added = 0
        url = f"https://clinicaltrials.gov/study/{nct}"
        if not cited:
            # New when first seen; when seen before, this notes that this search found it too.
            added += self._hit(nct, "study", "ctgov", search, query, study["title"], study["first_posted"],
                               url, status=study["status"])
        if before is not None:  # (a cited study's first look is its baseline)
            if study["status"] and before["status"] and study["status"] != before["status"]:
                added += self._hit(f"{nct}@status:{study['status']}", "status", "ctgov", search, query,
                                   study["title"], study["last_update"], url, cited=cited,
                                   status=f"{before['status']} -> {study['status']}")
            if study["results"] and not before["results"]:
                added += self._hit(f"{nct}@results", "results", "ctgov", search, query, study["title"],
                                   study["results_date"] or study["last_update"], url + "?tab=results", cited=cited,
                                   status=study["status"])
        if before != now:
            self.observed[nct] = now
            self.observations.append({"event": "observed", "id": nct, **now, "date": self.today.isoformat(),
                                      "run": self.now})
        return added

    def _since(self, search_id: str) -> dt.date:
        last = self.log.last_success(search_id)
        if last is None:
            return self.config.since
        return max(self.config.since, last - dt.timedelta(days=self.config.overlap_days))

    # -- the searches ------------------------------------------------------------
    def _pubmed(self, search: Search, since: dt.date) -> dict[str, Any]:
        ids, count = registries.pubmed_search(self.client, search.pubmed, since, self.today,
                                              self.config.page_size, self.config.max_pages)
        for known in (i for i in ids if self._seen(f"PMID:{i}")):
            self._hit(f"PMID:{known}", "publication", "pubmed", search.id, search.pubmed, "", "", "")
        fresh = [i for i in ids if not self._seen(f"PMID:{i}") and i not in self.cited.pmid]
        records = registries.pubmed_summaries(self.client, fresh) if fresh else {}
        new = 0
        for pmid in fresh:
            record = records.get(pmid)
            if record is None or (record["doi"] and record["doi"] in self.cited.doi):
                continue  # withdrawn from PubMed meanwhile, or already cited
            new += self._hit(f"PMID:{pmid}", "publication", "pubmed", search.id, search.pubmed, record["title"],
                             record["date"], f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")
        return {"found": count, "new": new}

    def _ctgov(self, search: Search, since: dt.date) -> dict[str, Any]:
        assert search.ctgov is not None
        studies = registries.ctgov_search(self.client, search.ctgov, since, self.config.page_size,
                                          self.config.max_pages)
        query = search.ctgov.text()
        # Cited studies are watched by the cited-identifier search, once.
        new = sum(self._study(s, search.id, query) for s in studies if s["nct"] not in self.cited.nct)
        return {"found": len(studies), "new": new}

    def _cited_dois(self) -> dict[str, Any]:
        new, problems = 0, []
        for doi, key in sorted(self.cited.doi.items()):
            try:
                title, notices = registries.crossref_updates(self.client, doi)
            except NotFound:
                problems.append(f"Crossref does not know {doi} ({key})")
                continue
            for notice in notices:
                suffix = notice["kind"].replace(" ", "-") + (f":{notice['doi']}" if notice["doi"] else "")
                new += self._hit(f"DOI:{doi}@{suffix}", notice["kind"], "crossref", CITED, f"cited DOI {doi} ({key})",
                                 f"{notice['kind'].capitalize()} of: {title or doi}", notice["date"],
                                 f"https://doi.org/{notice['doi'] or doi}", cited=f"doi:{doi}")
        return {"found": len(self.cited.doi), "new": new, "problems": problems}

    def _cited_pmids(self) -> dict[str, Any]:
        pmids = sorted(self.cited.pmid)
        records = registries.pubmed_summaries(self.client, pmids)
        new = 0
        for pmid in pmids:
            record = records.get(pmid)
            if record and "retracted publication" in (p.lower() for p in record["pubtypes"]):
                new += self._hit(f"PMID:{pmid}@retraction", "retraction", "pubmed", CITED,
                                 f"cited PMID {pmid} ({self.cited.pmid[pmid]})", f"Retracted: {record['title']}",
                                 record["date"], f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", cited=f"pmid:{pmid}")
        problems = [f"PubMed does not know {p} ({self.cited.pmid[p]})" for p in pmids if p not in records]
        return {"found": len(pmids), "new": new, "problems": problems}

    def _cited_ncts(self) -> dict[str, Any]:
        new, problems = 0, []
        for nct, key in sorted(self.cited.nct.items()):
            try:
                study = registries.ctgov_study(self.client, nct)
            except NotFound:
                problems.append(f"ClinicalTrials.gov does not know {nct} ({key})")
                continue
            new += self._study(study, CITED, f"cited NCT {nct} ({key})", cited=f"nct:{nct}")
        return {"found": len(self.cited.nct), "new": new, "problems": problems}

    def _parts(self, search_id: str) -> list[tuple[str, str, Callable[[], dict[str, Any]]]]:
        if search_id == CITED:
            parts = []
            if self.cited.doi:
                parts.append(("crossref", f"{len(self.cited.doi)} cited DOIs", self._cited_dois))
            if self.cited.pmid:
                parts.append(("pubmed", f"{len(self.cited.pmid)} cited PMIDs", self._cited_pmids))
            if self.cited.nct:
                parts.append(("ctgov", f"{len(self.cited.nct)} cited NCT numbers", self._cited_ncts))
            return parts
        search = self.config.search(search_id)
        assert search is not None
        since = self._since(search_id)
        parts = []
        if search.pubmed:
            parts.append(("pubmed", search.pubmed, lambda: {"since": since.isoformat(), **self._pubmed(search, since)}))
        if search.ctgov:
            parts.append(("ctgov", search.ctgov.text(),
                          lambda: {"since": since.isoformat(), **self._ctgov(search, since)}))
        return parts

    def run(self, search_ids: list[str]) -> Outcome:
        outcomes: dict[str, dict[str, Any]] = {}
        failures: list[str] = []
        total = len(search_ids)
        for index, search_id in enumerate(search_ids, start=1):
            parts_out = []
            ok = True
            for registry, query, call in self._parts(search_id):
                label = {"pubmed": "PubMed", "ctgov": "ClinicalTrials.gov", "crossref": "Crossref"}[registry]
                self.progress(f"[{index}/{total}] {search_id}: {label} ...")
                try:
                    if registry == "crossref":  # one request per cited identifier: bounded by the run's deadline
                        result = call()
                    else:  # one saved query: bounded like one reference of `guideline check --online`
                        with self.client.deadline(what=f"the {label} query of {search_id}"):
                            result = call()
                except (OnlineError, registries.Truncated) as exc:
                    ok = False
                    message = f"{search_id}: {label}: {exc}"
                    failures.append(message)
                    parts_out.append({"registry": registry, "query": query, "error": str(exc)})
                    self.progress(f"[{index}/{total}] {search_id}: {label} FAILED: {exc}")
                    continue
                parts_out.append({"registry": registry, "query": query, **result})
                self.progress(f"[{index}/{total}] {search_id}: {label}: {result['found']} found, {result['new']} new"
                              + "".join(f"; {p}" for p in result.get("problems", [])))
            outcomes[search_id] = {"ok": ok, "parts": parts_out}
        run = {"event": "run", "run": self.now, "date": self.today.isoformat(), "searches": outcomes}
        return Outcome([run, *self.hits, *self.found_again, *self.observations], list(self.hits), failures,
                       list(search_ids))
