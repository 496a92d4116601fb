"""``guideline watch`` against fake registries on 127.0.0.1: what is recorded, and what is not again."""

from __future__ import annotations

import datetime as dt
import time

from werkzeug import Response

from guideline.surveillance import cited as citedmod, impact, log as logmod
from guideline.surveillance.config import CITED
from guideline.surveillance.watch import Watcher, is_due

from .conftest import MAJESTEC, MOREAU_DOI, RUN1, RUN2, esummary_record, retraction, study, work


def run(repo, registries, today, ids=None, client=None):
    config, log = impact.load(repo / "docs", repo)
    client = client or registries.client()
    watcher = Watcher(config, log, client, citedmod.from_bibs([repo / "references.bib"], repo), today,
                      f"{today.isoformat()}T08:00:00Z")
    outcome = watcher.run(ids or config.ids())
    logmod.append(config.log, outcome.events)
    return outcome, logmod.read(config.log, config.log_display)


def hit_ids(outcome):
    return [h["id"] for h in outcome.hits]


def seed_searches(registries):
    registries.esearch["teclistamab[tiab]"] = ["41000003", "41000002", "41000001"]
    for pmid, title in (("41000001", "Teclistamab at a monthly dose"), ("41000002", "Teclistamab in EMD"),
                        ("41000003", "Real-world teclistamab")):
        registries.summaries[pmid] = esummary_record(pmid, title)
    registries.search_studies = [study("NCT07000001", "Teclistamab plus X"),
                                 study("NCT07000002", "Teclistamab step-up in clinic"),
                                 study("NCT07000003", "Teclistamab maintenance", status="NOT_YET_RECRUITING")]


def test_first_run_records_pubmed_and_ctgov_hits_across_pages(repo, registries):
    seed_searches(registries)
    outcome, log = run(repo, registries, RUN1)
    assert outcome.failures == []
    assert sorted(hit_ids(outcome)) == ["NCT07000001", "NCT07000002", "NCT07000003",
                                        "PMID:41000001", "PMID:41000002", "PMID:41000003"]
    hit = log.hits["PMID:41000002"]
    assert (hit.kind, hit.registry, hit.search, hit.query, hit.title, hit.state) == (
        "publication", "pubmed", "tec", "teclistamab[tiab]", "Teclistamab in EMD", "new")
    assert hit.url == "https://pubmed.ncbi.nlm.nih.gov/41000002/" and hit.found == RUN1.isoformat()
    study_hit = log.hits["NCT07000003"]
    assert (study_hit.kind, study_hit.status, study_hit.query) == (
        "study", "NOT_YET_RECRUITING", "query.cond=Multiple Myeloma; query.intr=teclistamab")
    # Pagination: three PMIDs at two a page, three studies at two a page.
    esearch = [a for a in registries.paths("/eutils/esearch") if a["term"] == "teclistamab[tiab]"]
    assert [a["retstart"] for a in esearch] == ["0", "2"]
    assert [a.get("pageToken") for a in registries.paths("/ctgov/studies") if "query.intr" in a] == [None, "2"]
    # The first run looks back to `since`; PubMed by Entrez date, ClinicalTrials.gov by last update.
    assert esearch[0]["mindate"] == "2026/11/21" and esearch[0]["datetype"] == "edat"
    assert esearch[0]["email"] == "maintainers@example.org"
    assert registries.paths("/ctgov/studies")[0]["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-11-21,MAX]"
    assert log.runs[0].searches["tec"]["ok"] and log.last_success("tec") == RUN1


def test_a_hit_seen_twice_is_not_reported_again(repo, registries):
    seed_searches(registries)
    run(repo, registries, RUN1)
    registries.esearch["teclistamab[tiab]"].insert(0, "41000009")
    registries.summaries["41000009"] = esummary_record("41000009", "Teclistamab, a new report")
    outcome, log = run(repo, registries, RUN2)
    assert hit_ids(outcome) == ["PMID:41000009"]
    assert len(log.hits) == 7 and len(log.runs) == 2
    # The second run looks back to the first minus the overlap, not to `since` again.
    last = [a for a in registries.paths("/eutils/esearch") if a["term"] == "teclistamab[tiab]"][-1]
    assert last["mindate"] == "2026/11/21" and last["maxdate"] == "2026/12/02"
    outcome, _ = run(repo, registries, RUN2 + dt.timedelta(days=8))
    assert hit_ids(outcome) == []
    last = [a for a in registries.paths("/eutils/esearch") if a["term"] == "teclistamab[tiab]"][-1]
    assert last["mindate"] == "2026/11/25"


def test_a_publication_already_cited_is_not_a_hit(repo, registries):
    registries.esearch["teclistamab[tiab]"] = ["35661166", "41000001"]
    registries.summaries["41000001"] = esummary_record("41000001", "Same work, other PMID", MOREAU_DOI.lower())
    outcome, _ = run(repo, registries, RUN1, ["tec"])
    assert [h for h in hit_ids(outcome) if h.startswith("PMID")] == []


def test_retraction_of_a_cited_doi_appearing_between_two_runs(repo, registries):
    outcome, log = run(repo, registries, RUN1, [CITED])
    assert hit_ids(outcome) == [] and log.runs[0].searches[CITED]["ok"]
    registries.works[MOREAU_DOI.lower()] = work(MOREAU_DOI, "Teclistamab in Relapsed or Refractory Multiple Myeloma",
                                                [retraction("10.1056/NEJMx2600001")])
    outcome, log = run(repo, registries, RUN2, [CITED])
    assert hit_ids(outcome) == ["DOI:10.1056/nejmoa2203478@retraction:10.1056/nejmx2600001"]
    hit = log.hits[hit_ids(outcome)[0]]
    assert (hit.kind, hit.registry, hit.cited, hit.date) == ("retraction", "crossref", "doi:10.1056/nejmoa2203478",
                                                              "2026-11-30")
    assert hit.url == "https://doi.org/10.1056/nejmx2600001"
    assert hit.title == "Retraction of: Teclistamab in Relapsed or Refractory Multiple Myeloma"
    outcome, _ = run(repo, registries, RUN2 + dt.timedelta(days=31), [CITED])
    assert hit_ids(outcome) == []


def test_pubmed_retracted_publication_type_of_a_cited_pmid(repo, registries):
    registries.summaries["35661166"]["pubtype"] = ["Journal Article", "Retracted Publication"]
    outcome, log = run(repo, registries, RUN1, [CITED])
    assert hit_ids(outcome) == ["PMID:35661166@retraction"]
    assert log.hits["PMID:35661166@retraction"].cited == "pmid:35661166"


def test_result_posted_on_a_registered_cited_study(repo, registries):
    outcome, log = run(repo, registries, RUN1, [CITED])
    assert hit_ids(outcome) == []  # the first look at a cited study is its baseline
    assert log.observed[MAJESTEC] == {"status": "ACTIVE_NOT_RECRUITING", "results": False}
    registries.studies[MAJESTEC] = study(MAJESTEC, "MajesTEC-1", status="COMPLETED", results_date="2026-11-29",
                                         last_update="2026-11-29")
    outcome, log = run(repo, registries, RUN2, [CITED])
    assert sorted(hit_ids(outcome)) == [f"{MAJESTEC}@results", f"{MAJESTEC}@status:COMPLETED"]
    results = log.hits[f"{MAJESTEC}@results"]
    assert (results.kind, results.date, results.cited) == ("results", "2026-11-29", f"nct:{MAJESTEC}")
    assert log.hits[f"{MAJESTEC}@status:COMPLETED"].status == "ACTIVE_NOT_RECRUITING -> COMPLETED"
    assert log.observed[MAJESTEC] == {"status": "COMPLETED", "results": True}


def test_status_change_of_a_study_found_by_a_search(repo, registries):
    registries.search_studies = [study("NCT07000001", "Teclistamab plus X")]
    run(repo, registries, RUN1, ["tec"])
    registries.search_studies = [study("NCT07000001", "Teclistamab plus X", status="TERMINATED",
                                       last_update="2026-12-01")]
    outcome, log = run(repo, registries, RUN2, ["tec"])
    assert hit_ids(outcome) == ["NCT07000001@status:TERMINATED"]
    assert log.hits["NCT07000001@status:TERMINATED"].search == "tec"


def test_429_with_retry_after_is_honoured(repo, registries, httpserver):
    httpserver.expect_oneshot_request("/eutils/esearch.fcgi").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "3"}))
    registries.esearch["teclistamab[tiab]"] = ["41000001"]
    registries.summaries["41000001"] = esummary_record("41000001", "Teclistamab")
    client = registries.client()
    outcome, _ = run(repo, registries, RUN1, ["tec"], client)
    assert outcome.failures == [] and "PMID:41000001" in hit_ids(outcome)
    assert client.sleeps[0] == 3.0


def test_a_failing_registry_fails_its_search_and_keeps_the_others(repo, registries, httpserver):
    httpserver.expect_request("/ctgov/studies").respond_with_response(Response("down", status=503))
    # pytest-httpserver answers with the first matching permanent handler: put the failure first.
    httpserver.handlers.insert(0, httpserver.handlers.pop())
    registries.esearch["teclistamab[tiab]"] = ["41000001"]
    registries.summaries["41000001"] = esummary_record("41000001", "Teclistamab")
    registries.esearch['"cytokine release syndrome"[tiab] AND myeloma[tiab]'] = ["41000005"]
    registries.summaries["41000005"] = esummary_record("41000005", "CRS on bispecifics")
    outcome, log = run(repo, registries, RUN1, ["tec", "crs"])
    assert len(outcome.failures) == 1
    assert outcome.failures[0].startswith("tec: ClinicalTrials.gov: ") and "answered 503" in outcome.failures[0]
    assert sorted(hit_ids(outcome)) == ["PMID:41000001", "PMID:41000005"]
    outcomes = log.runs[0].searches
    assert outcomes["tec"]["ok"] is False and outcomes["crs"]["ok"] is True
    assert "answered 503" in outcomes["tec"]["parts"][1]["error"] and "error" not in outcomes["tec"]["parts"][0]
    config, _ = impact.load(repo / "docs", repo)
    assert is_due(log, config, "tec", RUN1) and not is_due(log, config, "crs", RUN1)


def test_a_registry_that_does_not_answer_in_time(repo, registries, httpserver):
    def slow(request):
        time.sleep(1.0)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(slow)
    httpserver.handlers.insert(0, httpserver.handlers.pop())
    outcome, log = run(repo, registries, RUN1, ["crs"], registries.client(timeout=0.2, retries=0))
    assert len(outcome.failures) == 1 and "did not answer within 0.2 s" in outcome.failures[0]
    assert log.runs[0].searches["crs"]["ok"] is False and log.hits == {}


def test_a_runaway_query_stops_at_max_pages(repo, registries):
    registries.esearch["teclistamab[tiab]"] = [str(41000000 + i) for i in range(12)]  # 6 pages of 2 > 5
    outcome, log = run(repo, registries, RUN1, ["tec"])
    assert outcome.failures and "more than 5 pages of 2" in outcome.failures[0]
    assert log.runs[0].searches["tec"]["ok"] is False


def test_a_hit_found_by_a_second_search_is_not_reported_again_but_bears_on_its_topic_too(repo, registries):
    crs_term = '"cytokine release syndrome"[tiab] AND myeloma[tiab]'
    registries.esearch["teclistamab[tiab]"] = ["41000001"]
    registries.summaries["41000001"] = esummary_record("41000001", "CRS with teclistamab")
    outcome, log = run(repo, registries, RUN1, ["tec"])
    assert hit_ids(outcome) == ["PMID:41000001"]
    registries.esearch[crs_term] = ["41000001"]
    outcome, log = run(repo, registries, RUN2, ["tec", "crs"])
    assert hit_ids(outcome) == []
    assert log.hits["PMID:41000001"].searches == ["tec", "crs"]
    found = [e for e in outcome.events if e["event"] == "found"]
    assert found == [{"event": "found", "id": "PMID:41000001", "search": "crs", "date": RUN2.isoformat(),
                      "run": f"{RUN2.isoformat()}T08:00:00Z"}]
    outcome, log = run(repo, registries, RUN2, ["crs"])
    assert [e for e in outcome.events if e["event"] == "found"] == []  # recorded once
