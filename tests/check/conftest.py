"""A tiny valid guideline repository, written from a dict, that each test mutates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from guideline.check.engine import Options, Result, run_check

EDITION = dt.date(2026, 3, 1)

TOML = """[guideline]
title = "Test guideline"
review_interval_days = 365
contact = "maintainers@example.org"

[grading]
name = "Test scheme"

[grading.levels]
I = "Randomised trials."
II = "Other."

[grading.grades]
A = "Strongly recommended."
B = "Recommended."
"""

BIB = """@article{moreau2022,
  author = {Moreau, Philippe and Garfall, Alfred L. and van de Donk, Niels W. C. J.},
  title = {Teclistamab in Relapsed or Refractory Multiple Myeloma},
  journal = {N Engl J Med},
  year = {2022},
  volume = {387},
  number = {6},
  pages = {495--505},
  doi = {10.1056/NEJMoa2203478},
  issn = {0028-4793},
  pmid = {35661166},
}
"""

SEED = ("Teclistamab in relapsed or refractory multiple myeloma.\n"
        "Among 165 patients, the overall response rate was 63.0\u00a0% \u2014 with\n"
        "a median duration of response of 18.4\u00a0months.\n")

INDEX = """# Test guideline

Teclistamab works {cite:p}`moreau2022`.

```{source} MajesTEC-1
:id: SRC_MAJES
:cite: moreau2022
:kind: primary trial report
:reliability: high
:file: seeds/majestec.txt
```

```{claim} Response rate
:id: CLM_MAJES_01
:cite: moreau2022
:quote: the overall response rate was 63.0 % - with a median duration
:verification: verified
```

```{rec} Offer teclistamab
:id: REC_TEC_01
:status: approved
:based_on: CLM_MAJES_01
:grade: A
:level: I
:introduced: 2026.1
:last_reviewed: 2026-01-10

Offer teclistamab {cite:p}`moreau2022`.
```
"""

LOCK_RECORD = {
    "identifiers": {"doi": "10.1056/nejmoa2203478", "pmid": "35661166"},
    "retrieved": "2026-02-01",
    "status": "verified",
    "records": {"crossref": {"doi": "10.1056/NEJMoa2203478",
                             "title": "Teclistamab in Relapsed or Refractory Multiple Myeloma",
                             "journal": "New England Journal of Medicine", "journal_short": "N Engl J Med",
                             "years": [2022], "volume": "387", "issue": "6", "pages": "495-505",
                             "notices": []}},
    "notices": [],
    "problems": [],
}


def lock_text(**changes) -> str:
    record = json.loads(json.dumps(LOCK_RECORD))
    record.update(changes)
    return json.dumps({"format": 1, "entries": {"moreau2022": record}})


def base_files() -> dict[str, str | bytes]:
    return {
        "docs/guideline.toml": TOML,
        "docs/index.md": INDEX,
        "references.bib": BIB,
        "seeds/majestec.txt": SEED,
        "references.lock.json": lock_text(),
    }


def write_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def check(root: Path, **kwargs) -> Result:
    kwargs.setdefault("use_cache", False)
    return run_check(Options(root=root, edition=EDITION, **kwargs))


@pytest.fixture
def repo(tmp_path: Path):
    """Write a (mutated) copy of the valid repository and return its root."""

    def make(files: dict[str, str | bytes] | None = None) -> Path:
        return write_repo(tmp_path / "repo", files if files is not None else base_files())

    return make
