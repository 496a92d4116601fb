"""The handout is one page; when the key recommendations do not fit, the build says which."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guideline.errors import GuidelineError

ROOTS = Path(__file__).resolve().parents[1] / "roots"
pytestmark = pytest.mark.slow

REC = """
```{{rec}} Recommendation number {n} of a long list
:id: REC_MANY_{n:02d}
:grade: A
:level: I
:status: approved
:introduced: 2024.1
:last_reviewed: 2024-05-01
:based_on: CLM_SMITH_01

{text}
```
"""


def test_handout_overflow_names_what_does_not_fit(tmp_path):
    pytest.importorskip("weasyprint")
    from guideline.editions.pdf import build_pdfs

    docs = tmp_path / "content" / "docs"
    shutil.copytree(ROOTS / "common", docs)
    shutil.copytree(ROOTS / "test-model-ok", docs, dirs_exist_ok=True)
    text = "Do the thing in this way, with care and attention to the details that matter to patients. " * 4
    with (docs / "index.md").open("a", encoding="utf-8") as page:
        page.write("".join(REC.format(n=n, text=text) for n in range(2, 41)))
    with pytest.raises(GuidelineError) as caught:
        build_pdfs(tmp_path / "content", tmp_path / "out", "g", doctrees=tmp_path / "doctrees")
    message = caught.value.message
    assert "handout.overflow" in message and "not one" in message, message
    # Numbered as in the guideline; the last ones are named, the first is not; the reason is given.
    late = message.split("not one: ")[1]
    assert late.startswith("recommendations 1.") and "(Recommendation number" in late and "more" in late
    assert "1.1 (Use it)" not in message
    assert "no recommendation is marked key: true" in message
