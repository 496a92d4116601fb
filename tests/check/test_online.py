"""The real online client against a real HTTP server on 127.0.0.1 (no internet)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time

import pytest
from werkzeug import Response

from guideline.check.bibfile import BibEntry
from guideline.check.lock import check_lock, verify_online
from guideline.check.online import Client, OnlineConfig

from .conftest import EDITION, base_files, check

DOI = "10.1056/NEJMoa2203478"


def crossref_work(**overrides):
    message = {
        "DOI": DOI, "type": "journal-article",
        "title": ["Teclistamab in Relapsed or Refractory Multiple Myeloma"],
        "container-title": ["New England Journal of Medicine"], "short-container-title": ["N Engl J Med"],
        "published-print": {"date-parts": [[2022, 8, 11]]}, "published-online": {"date-parts": [[2022, 6, 5]]},
        "issued": {"date-parts": [[2022, 8, 11]]},
        "volume": "387", "issue": "6", "page": "495-505",
    }
    message.update(overrides)
    return {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}


def esummary(pmid="35661166", **overrides):
    record = {"uid": pmid, "pubdate": "2022 Aug 11", "epubdate": "2022 Jun 5", "source": "N Engl J Med",
              "title": "Teclistamab in Relapsed or Refractory Multiple Myeloma.", "volume": "387", "issue": "6",
              "pages": "495-505", "fulljournalname": "The New England journal of medicine",
              "articleids": [{"idtype": "pubmed", "value": pmid}, {"idtype": "doi", "value": DOI}],
              "pubtype": ["Journal Article"]}
    record.update(overrides)
    return {"header": {"type": "esummary", "version": "0.3"}, "result": {"uids": [pmid], pmid: record}}


def ctgov(nct="NCT04557098"):
    return {"protocolSection": {"identificationModule": {"nctId": nct, "briefTitle": "MajesTEC-1"},
                                "statusModule": {"overallStatus": "ACTIVE_NOT_RECRUITING"}}}


def entry(**fields) -> BibEntry:
    base = {"title": "Teclistamab in Relapsed or Refractory Multiple Myeloma", "journal": "N Engl J Med",
            "year": "2022", "volume": "387", "number": "6", "pages": "495--505", "doi": DOI}
    base.update(fields)
    return BibEntry("moreau2022", "article", {k: v for k, v in base.items() if v is not None}, 3, "references.bib")


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def client(httpserver):
    sleeps = Sleeps()
    base = httpserver.url_for("").rstrip("/")
    config = OnlineConfig(contact="maintainers@example.org", crossref_url=base + "/crossref",
                          pubmed_url=base + "/eutils", ctgov_url=base + "/ctgov/api/v2", timeout=0.5,
                          retries=2, backoff=0.01, min_interval={})
    c = Client(config, sleep=sleeps)
    c.sleeps = sleeps
    return c


def run(entries, client, old=None):
    return verify_online({e.key: e for e in entries}, client, dt.date(2026, 2, 1), old or {})


def rules(findings):
    return sorted(f.rule for f in findings)


def test_verified_doi_with_polite_user_agent(httpserver, client):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_json(crossref_work())
    findings, lock = run([entry()], client)
    assert findings == []
    record = lock["moreau2022"]
    assert record["status"] == "verified" and record["retrieved"] == "2026-02-01"
    assert record["records"]["crossref"]["volume"] == "387"
    request, _ = httpserver.log[0]
    assert "mailto:maintainers@example.org" in request.headers["User-Agent"]
    # offline, the lock now vouches for the entry
    lock_findings, counts = check_lock({"moreau2022": entry()}, lock, "references.lock.json")
    assert lock_findings == [] and counts.verified == 1


def test_crossref_retraction_is_an_error(httpserver, client):
    work = crossref_work(**{"updated-by": [{"type": "retraction", "DOI": "10.1056/NEJMx999",
                                            "updated": {"date-parts": [[2023, 1, 1]]}, "source": "retraction-watch"}]})
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_json(work)
    findings, lock = run([entry()], client)
    assert rules(findings) == ["online.retracted"]
    assert lock["moreau2022"]["status"] == "retracted"
    lock_findings, counts = check_lock({"moreau2022": entry()}, lock, "references.lock.json")
    assert rules(lock_findings) == ["lock.retracted"] and counts.retracted == 1


def test_expression_of_concern_via_update_to(httpserver, client):
    work = crossref_work(**{"update-to": [{"type": "expression_of_concern", "DOI": "10.1/x"}]})
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_json(work)
    assert rules(run([entry()], client)[0]) == ["online.retracted"]


def test_metadata_mismatch(httpserver, client):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_json(crossref_work())
    findings, _ = run([entry(volume="388", pages="495--506", journal="NEJM")], client)
    assert rules(findings) == ["online.journal-mismatch", "online.mismatch", "online.mismatch"]
    # offline drift report against what was retrieved
    _, lock = run([entry()], client)
    drift, counts = check_lock({"moreau2022": entry(volume="388")}, lock, "references.lock.json")
    assert rules(drift) == ["lock.drift"] and counts.unverified == 1


def test_doi_not_found(httpserver, client):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_data("Resource not found.", status=404)
    findings, lock = run([entry()], client)
    assert rules(findings) == ["online.not-found"]
    assert lock["moreau2022"]["status"] == "not-found"


def test_429_honours_retry_after(httpserver, client):
    httpserver.expect_ordered_request(f"/crossref/works/{DOI}").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request(f"/crossref/works/{DOI}").respond_with_json(crossref_work())
    findings, lock = run([entry()], client)
    assert findings == [] and lock["moreau2022"]["status"] == "verified"
    assert client.sleeps == [7.0]


def test_persistent_503_gives_up_with_back_off(httpserver, client):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_data("busy", status=503)
    findings, lock = run([entry()], client, old={"moreau2022": {"kept": True}})
    assert rules(findings) == ["online.unavailable"]
    assert "503 after 3 attempts" in findings[0].message
    assert client.sleeps == [0.01, 0.02]  # exponential back-off
    assert lock == {"moreau2022": {"kept": True}}  # nothing learnt: the old record stays


def test_timeout_is_retried_then_reported(httpserver, client):
    def slow(request):
        time.sleep(1.0)
        return Response(json.dumps(crossref_work()), content_type="application/json")

    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_handler(slow)
    findings, _ = run([entry()], client)
    assert rules(findings) == ["online.unavailable"]
    assert "did not answer" in findings[0].message


def test_pubmed_esummary(httpserver, client):
    httpserver.expect_request("/eutils/esummary.fcgi", query_string={
        "db": "pubmed", "id": "35661166", "retmode": "json", "tool": "living-guideline-check",
        "email": "maintainers@example.org"}).respond_with_json(esummary())
    findings, lock = run([entry(doi=None, pmid="35661166")], client)
    assert findings == []
    assert lock["moreau2022"]["records"]["pubmed"]["journal_short"] == "N Engl J Med"


def test_pubmed_retracted_publication_and_unknown_pmid(httpserver, client):
    httpserver.expect_request("/eutils/esummary.fcgi", query_string={
        "db": "pubmed", "id": "35661166", "retmode": "json", "tool": "living-guideline-check",
        "email": "maintainers@example.org"}).respond_with_json(
        esummary(pubtype=["Journal Article", "Retracted Publication"]))
    assert rules(run([entry(doi=None, pmid="35661166")], client)[0]) == ["online.retracted"]
    httpserver.clear()
    httpserver.expect_request("/eutils/esummary.fcgi").respond_with_json(
        {"result": {"uids": [], "99999999": {"uid": "99999999", "error": "cannot get document summary"}}})
    assert rules(run([entry(doi=None, pmid="99999999")], client)[0]) == ["online.not-found"]


def test_clinicaltrials_v2(httpserver, client):
    httpserver.expect_request("/ctgov/api/v2/studies/NCT04557098").respond_with_json(ctgov())
    httpserver.expect_request("/ctgov/api/v2/studies/NCT99999999").respond_with_data("", status=404)
    findings, lock = run([entry(doi=None, nct="NCT04557098")], client)
    assert findings == [] and lock["moreau2022"]["records"]["clinicaltrials"]["status"] == "ACTIVE_NOT_RECRUITING"
    assert rules(run([entry(doi=None, nct="NCT99999999")], client)[0]) == ["online.not-found"]


def test_offline_is_one_clear_message():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    client = Client(OnlineConfig(crossref_url=base, pubmed_url=base, ctgov_url=base, min_interval={}),
                    sleep=lambda s: None)
    findings, lock = run([entry(), entry(doi="10.1056/other")], client)
    assert rules(findings) == ["online.unavailable"]
    assert "offline?" in findings[0].message and lock == {}


def test_cli_online_writes_the_lock(httpserver, repo, monkeypatch):
    from click.testing import CliRunner

    from guideline.check.cli import check as check_command

    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_json(crossref_work())
    httpserver.expect_request("/eutils/esummary.fcgi").respond_with_json(esummary())
    files = base_files()
    del files["references.lock.json"]
    root = repo(files)
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("GUIDELINE_PUBMED_URL", base + "/eutils")
    result = CliRunner().invoke(check_command, [
        "--root", str(root), "--online", "--edition-date", EDITION.isoformat(),
        "--crossref-url", base + "/crossref"])
    assert result.exit_code == 0, result.output
    lock = json.loads((root / "references.lock.json").read_text())
    assert lock["entries"]["moreau2022"]["status"] == "verified"
    assert set(lock["entries"]["moreau2022"]["records"]) == {"crossref", "pubmed"}
    assert check(root).findings == []
