"""Registries that answer badly (issue 9, section 4): every case ends in a finding for the
reference within the configured deadline, never a hang, an internal error or a bloated lock.

Deadlines in these tests are short (1-2 s); assertions are on outcomes, with one generous
upper bound on elapsed time (60 s) so a busy machine cannot fail them.
"""

from __future__ import annotations

import json
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from guideline.check.lock import check_lock
from guideline.check.online import Client, DeadlineExceeded, MalformedRecord, OnlineConfig

from .test_online import DOI, crossref_work, entry, esummary, rules, run

GENEROUS = 60.0


@pytest.fixture(scope="module")
def _threaded_server():
    # Threaded: a dripping answer abandoned by one test must not hold the next one's requests.
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def httpserver(_threaded_server):
    yield _threaded_server
    _threaded_server.clear()


@pytest.fixture
def bounded(httpserver):
    """A client with short deadlines and real sleeps."""
    base = httpserver.url_for("").rstrip("/")

    def make(**overrides) -> Client:
        config = OnlineConfig(contact="maintainers@example.org", crossref_url=base + "/crossref",
                              pubmed_url=base + "/eutils", ctgov_url=base + "/ctgov/api/v2", timeout=1.0,
                              retries=2, backoff=0.01, min_interval={}, reference_deadline=1.5, run_deadline=30)
        for name, value in overrides.items():
            setattr(config, name, value)
        return Client(config)

    return make


def timed_run(entries, client, old=None):
    started = time.monotonic()
    findings, lock = run(entries, client, old)
    assert time.monotonic() - started < GENEROUS
    return findings, lock


def test_retry_after_an_hour_is_not_waited_for(httpserver, bounded):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_data(
        "come back later", status=503, headers={"Retry-After": "3600"})
    findings, lock = timed_run([entry()], bounded())
    assert rules(findings) == ["online.unavailable"]
    assert "retry after 3600 s" in findings[0].message
    assert lock == {}


def test_retry_after_beyond_the_deadline_is_not_waited_for(httpserver, bounded):
    # max_wait allows it, the reference's deadline does not
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_data(
        "busy", status=429, headers={"Retry-After": "30"})
    findings, _ = timed_run([entry()], bounded(max_wait=7200))
    assert rules(findings) == ["online.unavailable"]
    assert "deadline of 1.5 s for moreau2022" in findings[0].message


def _drip(request):
    def body():
        for _ in range(20):  # one byte at a time, each well inside the read timeout
            yield b" "
            time.sleep(0.3)
    return Response(body(), content_type="application/json")


def test_dripping_server_ends_at_the_reference_deadline(httpserver, bounded):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_handler(_drip)
    findings, lock = timed_run([entry()], bounded(), old={"moreau2022": {"kept": True}})
    assert rules(findings) == ["online.unavailable"]
    assert "still answering" in findings[0].message and "moreau2022" in findings[0].message
    assert lock == {"moreau2022": {"kept": True}}


def test_run_deadline_stops_the_run_and_names_what_was_left(httpserver, bounded):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_handler(_drip)
    entries = [entry(), entry(doi="10.1056/other")]
    entries[1].key = "second2022"
    findings, lock = timed_run(entries, bounded(run_deadline=1.0, reference_deadline=20),
                               old={"second2022": {"kept": True}})
    assert rules(findings) == ["online.unavailable"]
    assert "run's deadline of 1 s" in findings[0].message
    assert "2 reference(s) not checked: moreau2022, second2022" in findings[0].message
    assert lock == {"second2022": {"kept": True}}


def test_oversized_response_is_refused(httpserver, bounded):
    work = crossref_work(title=["x" * 10_000_000])  # a 10 MB title
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_json(work)
    findings, lock = timed_run([entry()], bounded())
    assert rules(findings) == ["online.malformed"]
    assert "over the limit" in findings[0].message and lock == {}


def test_oversized_response_without_content_length_is_refused(httpserver, bounded):
    def chunked(request):
        return Response((b"x" * 65536 for _ in range(200)), content_type="application/json")

    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_handler(chunked)
    findings, _ = timed_run([entry()], bounded(max_response_bytes=1_000_000))
    assert rules(findings) == ["online.malformed"] and "more than 1,000,000 bytes" in findings[0].message


def test_overlong_field_never_reaches_the_lock(httpserver, bounded):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_json(crossref_work(title=["T" * 50_000]))
    findings, lock = timed_run([entry()], bounded())
    assert rules(findings) == ["online.malformed"]
    assert "'title' has 50,000 characters" in findings[0].message
    assert lock == {}


@pytest.mark.parametrize("body, says", [
    (crossref_work(issued={"date-parts": [["x"]]}), "year 'x'"),
    (crossref_work(**{"published-print": {"date-parts": "2022"}}), "not a list"),
    (crossref_work(**{"updated-by": "retraction"}), "'updated-by' is str"),
    (crossref_work(**{"updated-by": ["retraction"]}), "not an object"),
    (crossref_work(title={"a": 1}), "'title' is dict"),
    ([crossref_work()], "without a 'message'"),
    ({"status": "ok"}, "without a 'message'"),
    ("not json at all", "not JSON"),
], ids=["date-parts-x", "date-parts-string", "updated-by-string", "updated-by-list-of-strings",
        "title-object", "json-list", "missing-message", "not-json"])
def test_malformed_record_is_a_finding_for_that_reference(httpserver, bounded, body, says):
    handler = httpserver.expect_request(f"/crossref/works/{DOI}")
    if isinstance(body, str):
        handler.respond_with_data(body, content_type="application/json")
    else:
        handler.respond_with_data(json.dumps(body), content_type="application/json")
    httpserver.expect_request("/crossref/works/10.1056/good").respond_with_json(crossref_work(DOI="10.1056/good"))
    good = entry(doi="10.1056/good")
    good.key = "good2022"
    findings, lock = timed_run([entry(), good], bounded())
    assert rules(findings) == ["online.malformed"], findings
    assert says in findings[0].message and findings[0].message.startswith("moreau2022:")
    assert "moreau2022" not in lock
    assert lock["good2022"]["status"] == "verified"  # the run went on


def test_pubmed_list_body_is_malformed(httpserver, bounded):
    httpserver.expect_request("/eutils/esummary.fcgi").respond_with_json([1, 2, 3])
    findings, _ = timed_run([entry(doi=None, pmid="35661166")], bounded())
    assert rules(findings) == ["online.malformed"]


def test_pubmed_malformed_articleids(httpserver, bounded):
    httpserver.expect_request("/eutils/esummary.fcgi").respond_with_json(esummary(articleids="doi"))
    assert rules(timed_run([entry(doi=None, pmid="35661166")], bounded())[0]) == ["online.malformed"]


def test_ctgov_malformed_module(httpserver, bounded):
    httpserver.expect_request("/ctgov/api/v2/studies/NCT04557098").respond_with_json(
        {"protocolSection": {"identificationModule": ["NCT04557098"]}})
    assert rules(timed_run([entry(doi=None, nct="NCT04557098")], bounded())[0]) == ["online.malformed"]


def test_contradicting_record_is_never_stored_as_verified(httpserver, bounded):
    httpserver.expect_request(f"/crossref/works/{DOI}").respond_with_json(crossref_work(volume="388"))
    findings, lock = timed_run([entry()], bounded())
    assert rules(findings) == ["online.mismatch"]
    assert lock["moreau2022"]["status"] == "mismatch"
    assert lock["moreau2022"]["mismatches"] == ["crossref: volume 387 vs 388"]
    # offline, the lock keeps saying so (an error), and the reference is not counted verified
    offline, counts = check_lock({"moreau2022": entry()}, lock, "references.lock.json")
    assert rules(offline) == ["lock.mismatch"] and counts.verified == 0 and counts.unverified == 1


def test_unknown_lock_status_is_not_verified():
    lock = {"moreau2022": {"identifiers": {"doi": DOI.lower()}, "status": "trust me", "records": {}}}
    offline, counts = check_lock({"moreau2022": entry()}, lock, "references.lock.json")
    assert rules(offline) == ["lock.unverified"] and counts.verified == 0


def test_get_json_is_the_small_public_api(httpserver, bounded):
    """What surveillance reuses: get_json(url, params) within deadlines, errors as exceptions."""
    httpserver.expect_request("/any", query_string={"q": "1"}).respond_with_json({"ok": True})
    httpserver.expect_request("/big").respond_with_json({"x": "y" * 2_000})
    httpserver.expect_request("/slow").respond_with_handler(_drip)
    client = bounded(max_response_bytes=1_000)
    assert client.get_json(httpserver.url_for("/any"), {"q": "1"}) == {"ok": True}
    with pytest.raises(MalformedRecord):
        client.get_json(httpserver.url_for("/big"))
    with client.deadline(1.0, what="the slow query"), pytest.raises(DeadlineExceeded, match="the slow query"):
        client.get_json(httpserver.url_for("/slow"))
    request, _ = httpserver.log[0]
    assert "mailto:maintainers@example.org" in request.headers["User-Agent"]
