"""Each rule of the need model rejects what it should, and only that."""

from __future__ import annotations

import re

import pytest


def test_valid_project_builds_without_warnings(build_root):
    built = build_root("model-ok")
    assert built.warnings == ""
    assert {"CLM_SMITH_01", "SRC_SMITH", "REC_USE_01"} <= set(built.needs)
    rec = built.needs["REC_USE_01"]
    assert (rec["grade"], rec["level"], rec["status"]) == ("A", "I", "approved")
    assert rec["based_on"] == ["CLM_SMITH_01"]


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("missing-based-on", r"'based_on' link.*\"based_on\" is a required property"),
        ("wrong-link-type", r"target need type 'rec' is not one of 'claim'.*\[needs\.link_target_type\]"),
        ("bad-grade", r'"Z" is not one of "A" or "C"'),
        ("bad-status", r'"accepted" is not one of "draft", "approved"'),
        ("bad-id", r"Given ID 'REC_use_1' does not match configured regex"),
        ("bad-id-pattern", r'"REC_USE_1" does not match "\^REC_'),
        ("dead-link", r"unknown outgoing link 'CLM_GONE_01'.*\[needs\.link_outgoing\]"),
        ("claim-without-quote", r'"quote" is a required property'),
        ("duplicate-id", r"REC_USE_01"),
        ("bad-source-kind", r'"blog" is not one of'),
    ],
)
def test_model_rule_rejects(build_root, root, expected):
    built = build_root(root)
    assert re.search(expected, built.warnings, re.S), built.warnings
