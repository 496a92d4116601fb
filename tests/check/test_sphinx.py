"""Inside the build: an error-level finding fails ``sphinx-build -W`` with its rule id."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import EDITION, INDEX, base_files, write_repo

CONF = """
extensions = ["myst_parser", "sphinxcontrib.bibtex", "guideline.sphinxext"]
myst_enable_extensions = ["colon_fence", "deflist", "attrs_inline", "attrs_block", "fieldlist"]
bibtex_bibfiles = ["../references.bib"]
exclude_patterns = ["_build"]
root_doc = "index"
"""

REPORT = """

## Integrity

```{integrity-report}
```

```{bibliography}
```
"""


def build(tmp_path: Path, index: str) -> subprocess.CompletedProcess:
    files = base_files()
    files["docs/conf.py"] = CONF
    files["docs/index.md"] = index + REPORT
    root = write_repo(tmp_path / "proj", files)
    env = {"GUIDELINE_EDITION_DATE": EDITION.isoformat(), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(root / "docs"),
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=300, env=env)


def test_sound_project_builds_and_publishes_the_report(tmp_path):
    proc = build(tmp_path, INDEX)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Claims verified" in html and "Quotes found in their sources" in html


def test_quote_not_in_source_fails_the_build(tmp_path):
    proc = build(tmp_path, INDEX.replace("was 63.0 %", "was 73.0 %"))
    assert proc.returncode != 0
    assert "[ev.quote-not-found]" in proc.stderr
    assert "docs/index.md:13" in proc.stderr  # the same line guideline check reports
    assert "guideline.ev.quote-not-found" in proc.stderr
