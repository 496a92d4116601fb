"""One -W build of a copy of the guideline per session (docs/, seeds/, references.bib)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from content_checks import copy_content


@pytest.fixture(scope="session")
def content_copy(tmp_path_factory) -> Path:
    return copy_content(tmp_path_factory.mktemp("content"))


@pytest.fixture(scope="session")
def content_html(content_copy) -> Path:
    out = content_copy / "_html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           str(content_copy / "docs"), str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, f"guideline build failed:\n{proc.stderr[-4000:]}"
    return out
