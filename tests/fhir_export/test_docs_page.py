"""docs/toolchain/computable.md: its excerpt is the export, its consumer script runs on the bundle."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from guideline.fhir import bundle as bundle_mod

from .conftest import REPO

pytestmark = pytest.mark.slow  # uses the session's -W build of docs/
PAGE = REPO / "docs" / "toolchain" / "computable.md"
EXCERPT_OF = "REC_ADMIN_01"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", PAGE.read_text(encoding="utf-8"), re.M | re.S)


def test_excerpt_in_the_page_is_the_export(shipped_bundle):
    expected = bundle_mod.dumps(bundle_mod.excerpt(shipped_bundle, EXCERPT_OF))
    [shown] = _blocks("json")
    assert shown == expected, (
        f"the excerpt in {PAGE.relative_to(REPO)} is stale: replace its json block with the output of\n"
        f"  guideline build && guideline export fhir --only {EXCERPT_OF} -o -")


def test_consumer_script_in_the_page_reads_the_bundle(shipped_bundle, shipped_inputs, tmp_path):
    [script] = _blocks("python")
    (tmp_path / "guideline.fhir.json").write_text(bundle_mod.dumps(shipped_bundle), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    approved = [n for n in shipped_inputs.needs.values() if n["type"] in ("rec", "gps") and n["status"] == "approved"]
    listed = re.findall(r"^([A-Z]+_[A-Z0-9]+_[0-9]{2}): ", done.stdout, re.M)
    assert listed == sorted(n["id"] for n in approved)
    claim = shipped_inputs.needs["CLM_HLEE_04"]
    assert f'CLM_HLEE_04 [{claim["cite"]}]: "{claim["quote"]}"' in done.stdout
