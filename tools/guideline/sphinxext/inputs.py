"""Inputs another extension would stop on with a crash report, located first.

sphinxcontrib-bibtex parses the .bib files at ``builder-inited`` and stops with
"Extension error ... please open an issue" naming no file. ``guideline build``
checks the files before Sphinx starts; a plain ``sphinx-build`` (Read the Docs)
gets the same findings here, by file and line, just before that report.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _check_bibfiles(app: Sphinx) -> None:
    from ..build import bibliography_problems

    confdir = Path(app.confdir)
    for finding in bibliography_problems(confdir, list(getattr(app.config, "bibtex_bibfiles", []))):
        logger.error(f"[{finding.rule}] {finding.message}", type="guideline", subtype=finding.rule,
                     location=f"{confdir.parent / finding.file}:{finding.line}")


def setup(app: Sphinx) -> None:
    # Before sphinxcontrib-bibtex reads the files (its handler has the default priority 500).
    app.connect("builder-inited", _check_bibfiles, priority=400)
