"""Run the commands Read the Docs runs (.readthedocs.yaml) with its environment, locally."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def rtd_config() -> dict:
    return yaml.safe_load((REPO / ".readthedocs.yaml").read_text(encoding="utf-8"))


def test_config_builds_html_with_warnings_as_errors_and_one_pdf_with_our_engine():
    config = rtd_config()
    assert config["formats"] == ["pdf"]
    assert config["sphinx"]["fail_on_warning"] is True
    commands = config["build"]["jobs"]["build"]["pdf"]
    assert any("guideline.cli edition pdf" in c and "$READTHEDOCS_OUTPUT/pdf" in c for c in commands)
    assert not any("latex" in c for c in commands)


def test_rtd_build_commands(tmp_path):
    config = rtd_config()
    output = tmp_path / "_readthedocs"
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "READTHEDOCS": "True", "READTHEDOCS_OUTPUT": str(output),
           "READTHEDOCS_VERSION": "2026.1", "READTHEDOCS_VERSION_TYPE": "tag",
           "READTHEDOCS_VERSION_NAME": "2026.1", "READTHEDOCS_PROJECT": "living-myeloma-guideline",
           "READTHEDOCS_LANGUAGE": "en",
           "READTHEDOCS_CANONICAL_URL": "https://living-myeloma-guideline.readthedocs.io/en/2026.1/",
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    for key in ("GUIDELINE_EDITION", "GUIDELINE_EDITION_DATE", "GUIDELINE_EDITION_STATUS"):
        env.pop(key, None)
    conf_dir = REPO / Path(config["sphinx"]["configuration"]).parent
    # What RTD runs for `sphinx:` (from the folder of conf.py), -W because fail_on_warning.
    html = subprocess.run([sys.executable, "-m", "sphinx", "-T", "-W", "--keep-going", "-b", "html",
                           "-d", str(tmp_path / "doctrees"), "-D", "language=en", ".", str(output / "html")],
                          cwd=conf_dir, env=env, capture_output=True, text=True)
    assert html.returncode == 0, html.stderr[-3000:]
    index = (output / "html" / "index.html").read_text(encoding="utf-8")
    assert 'data-edition="2026.1"' in index
    for command in config["build"]["jobs"]["build"]["pdf"]:
        done = subprocess.run(["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"
    pdfs = list((output / "pdf").iterdir())
    assert len(pdfs) == 1 and pdfs[0].suffix == ".pdf", pdfs  # RTD wants exactly one file
    reader = PdfReader(str(pdfs[0]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert 5 <= len(reader.pages) <= 200
    assert re.search(r"Edition 2026\.1 \u00b7 \d{4}-\d{2}-\d{2} \u00b7 (final|DRAFT)", text)
    # Numbered as in the HTML: chapter 1 holds good practice statements only since 2026.2.
    assert "Good practice statement 1.1" in text and re.search(r"Recommendation \d+\.1\b", text)
