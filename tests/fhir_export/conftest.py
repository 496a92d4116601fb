"""The FHIR bundle of the shipped guideline, from the suite's one build of docs/ (tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guideline.fhir import bundle as bundle_mod
from guideline.fhir import inputs as inputs_mod

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shipped_inputs(guideline_html) -> inputs_mod.Inputs:
    needs = inputs_mod.load_needs(guideline_html / "needs.json")
    dates = [n["last_reviewed"] for n in needs.values() if n.get("last_reviewed")]
    # Dated as `guideline export fhir` dates an unreleased export: the newest last_reviewed.
    edition = inputs_mod.Edition("unreleased", max(dates), "unreleased")
    return inputs_mod.load(guideline_html / "needs.json", REPO, edition)


@pytest.fixture(scope="session")
def shipped_bundle(shipped_inputs) -> dict:
    # A JSON round trip: the tests read what a consumer reads.
    return json.loads(bundle_mod.dumps(bundle_mod.build_bundle(shipped_inputs)))


def resources_of(bundle: dict, rtype: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


def by_identifier(bundle: dict, rtype: str, value: str) -> list[dict]:
    return [r for r in resources_of(bundle, rtype) if any(i.get("value") == value for i in r.get("identifier", []))]
