"""The guideline content: evidence behind every recommendation, exact quotes,
known citation keys, seed files matching their manifest.

The first group runs the checks on a real build of the guideline; the second
feeds them broken data to show that each one can fail.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

import content_checks as cc
from content_checks import REPO, copy_content


@pytest.fixture(scope="session")
def needs(guideline_html):
    # The suite's one -W build of docs/ (tests/conftest.py), built outside the work tree.
    return cc.load_needs(guideline_html)


@pytest.fixture(scope="session")
def bib():
    return cc.load_bib(REPO / "references.bib")


# ---- the real guideline --------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("check", cc.ALL_NEEDS_CHECKS, ids=lambda f: f.__name__)
def test_needs(needs, check):
    assert check(needs) == []


@pytest.mark.slow
def test_cite_keys_known(needs, bib):
    assert cc.check_cite_keys(needs, bib) == []


@pytest.mark.slow
def test_quotes_verbatim(needs, bib):
    assert cc.check_quotes(needs, bib, REPO) == []


@pytest.mark.slow
def test_source_files_listed(needs):
    assert cc.check_source_files_in_manifest(needs, REPO) == []


@pytest.mark.slow
def test_every_type_present(needs):
    kinds = {n["type"] for n in needs.values()}
    assert {"rec", "gps", "claim", "source", "gap"} <= kinds


def test_manifest_matches_files():
    assert cc.check_manifest(REPO) == []


def test_bib_parses_and_keys_unique(bib):
    assert len(bib.entries) >= 4


# ---- the checks can fail --------------------------------------------------

@pytest.fixture
def broken(needs):
    return copy.deepcopy(needs)


def _first(needs, kind, **match):
    return next(n for n in needs.values() if n["type"] == kind and all(n.get(k) == v for k, v in match.items()))


@pytest.mark.slow
def test_rec_without_evidence_fails(broken):
    _first(broken, "rec")["based_on"] = []
    assert cc.check_recs_have_evidence(broken)
    assert cc.check_evidence_chain(broken)


@pytest.mark.slow
@pytest.mark.parametrize("field", ["quote", "cite"])
def test_claim_without_quote_or_cite_fails(broken, field):
    _first(broken, "claim")[field] = ""
    assert cc.check_claims_have_quote_and_cite(broken)


@pytest.mark.slow
def test_unknown_cite_key_fails(broken, bib):
    _first(broken, "claim")["cite"] = "nosuchkey2099"
    assert cc.check_cite_keys(broken, bib) == [f"{_first(broken, 'claim', cite='nosuchkey2099')['id']}: "
                                                "cite key 'nosuchkey2099' not in references.bib"]


@pytest.mark.slow
def test_altered_quote_fails(broken, bib):
    src = next(s for s in broken.values() if s["type"] == "source" and s.get("file"))
    claim = _first(broken, "claim", cite=src["cite"])
    claim["quote"] = claim["quote"].replace("e", "é", 1)
    assert cc.check_quotes(broken, bib, REPO) == [
        f"{claim['id']}: quote not found verbatim in one paragraph of {src['file']}"]


@pytest.mark.slow
def test_quote_of_file_less_source_checked_against_title(broken, bib):
    src = next(s for s in broken.values() if s["type"] == "source" and not s.get("file")
               and any(c.get("cite") == s["cite"] for c in broken.values() if c["type"] == "claim"))
    claim = _first(broken, "claim", cite=src["cite"])
    claim["quote"] = "a phrase that is in no title"
    assert cc.check_quotes(broken, bib, REPO)


@pytest.mark.slow
def test_whitespace_only_differences_pass(broken, bib):
    src = next(s for s in broken.values() if s["type"] == "source" and s.get("file"))
    claim = _first(broken, "claim", cite=src["cite"])
    claim["quote"] = "  " + claim["quote"].replace(" ", "\n", 1) + " "
    assert cc.check_quotes(broken, bib, REPO) == []


@pytest.mark.slow
def test_contradicted_without_correction_fails(broken):
    for c in broken.values():
        c["contradicts"] = []
    _first(broken, "claim")["assertion"] = "contradicted"
    assert cc.check_contradictions(broken)


@pytest.mark.slow
def test_approved_rec_on_contradicted_claim_fails(broken):
    rec = _first(broken, "rec", status="approved")
    broken[rec["based_on"][0]]["assertion"] = "contradicted"
    assert any("approved but rests on" in m for m in cc.check_evidence_chain(broken))


def test_manifest_checksum_mismatch_fails(tmp_path):
    repo = copy_content(tmp_path)
    seed = next(p for p in (repo / "seeds").iterdir() if p.suffix == ".txt")
    seed.write_bytes(seed.read_bytes() + b" ")
    assert cc.check_manifest(repo) == [f"MANIFEST seeds/{seed.name}: sha256 does not match the file"]


def test_unlisted_seed_fails(tmp_path):
    repo = copy_content(tmp_path)
    shutil.copy2(next((repo / "seeds").glob("*.txt")), repo / "seeds" / "extra.txt")
    assert cc.check_manifest(repo) == ["seeds/extra.txt: not listed in MANIFEST.toml"]
