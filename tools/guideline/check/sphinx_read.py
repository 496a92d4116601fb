"""``guideline check`` runs the build's own Sphinx read, so it is the same gate as the build.

Everything the build enforces while it reads and resolves the guideline (sphinx-needs'
schema: grade, level, status and ID patterns, unknown fields, duplicate IDs, links; MyST:
front matter, directive options; the extension's directives such as ``{seed-text}`` and
its content-safety checks; sphinxcontrib-bibtex; the .bib limits) is a Sphinx warning.
Here Sphinx runs with the ``dummy`` builder (read and resolve, nothing written but a
temporary folder), every warning becomes a :class:`Finding` with the rule id, file and
line ``guideline build`` prints (:func:`guideline.build.located_findings`, one function
for both), and the validator engine runs on the needs Sphinx collected (as inside the
build). There is no second list of rules to keep in step.

The in-build validator is switched off for this run (``guideline_check = False``): the
engine runs once, afterwards, with the check's own options (edition date, lock, online).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .findings import Finding
from .needs_source import Citation, Need
from .rules import finding

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
BUILD_HINT = "`guideline build` (sphinx-build -W) fails on this warning too; fix it at the place named."


@dataclass
class SphinxRead:
    needs: list[Need] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    extra: list[Finding] = field(default_factory=list)      # the sources' own findings (unsafe markup)
    warnings: list[Finding] = field(default_factory=list)   # every Sphinx warning, as the build reports it
    documents: int = 0
    aborted: bool = False                                    # Sphinx stopped: needs are incomplete


def has_sphinx_project(docs: Path) -> bool:
    return (docs / "conf.py").is_file()


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def read_project(docs: Path, root: Path, edition_date: str) -> SphinxRead:
    """Read and resolve ``docs`` as the build does; never raises on bad content."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from ..build import located_findings
    from ..sphinxext.integrity import collected

    result = SphinxRead()
    log = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="guideline-check-") as tmp, \
            _environ(GUIDELINE_EDITION_DATE=edition_date):
        out = Path(tmp) / "out"
        app = None
        try:
            with patch_docutils(docs), docutils_namespace():
                app = Sphinx(docs, docs, out, Path(tmp) / "doctrees", "dummy",
                             confoverrides={"guideline_check": False}, status=None, warning=log,
                             freshenv=True, keep_going=True)
                app.build(force_all=True)
                result.needs, result.citations, result.extra, result.documents = collected(app)
        except Exception as exc:  # a configuration or extension error: one finding, no traceback
            result.aborted = True
            where = "docs/conf.py" if app is None else _display(root, docs)
            message = f"{getattr(exc, 'category', type(exc).__name__)}: {_first_line(exc)}"
            result.warnings.append(finding("build.aborted", where, 0, message))
        text = _ANSI.sub("", log.getvalue())  # Sphinx colours warnings even into a StringIO
        result.warnings[:0] = [_to_finding(f) for f in located_findings(text, docs, out)]
    return result


def _display(root: Path, path: Path) -> str:
    path = path.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:500]


def _to_finding(f) -> Finding:
    """A build finding as a check finding. Every warning fails the build (-W), so each is an
    error. The extension's own warnings, which the build prints as ``[guideline.<rule>] [<rule>]
    message``, keep the validator's rule id (``<rule>``)."""
    rule, message = f.rule, f.message
    own = rule.removeprefix("guideline.")
    if rule.startswith("guideline.") and message.startswith(f"[{own}] "):
        rule, message = own, message[len(own) + 3:]
    return Finding(rule, "error", f.file, f.line, message, BUILD_HINT)


def merge(own: list[Finding], warnings: list[Finding]) -> list[Finding]:
    """The validator's findings and the build's warnings, each problem once.

    The build reports some of the validator's rules itself (``bib.limit``) at the same place."""
    seen = {(f.rule, f.file, f.line) for f in own}
    return own + [w for w in warnings if (w.rule, w.file, w.line) not in seen]
