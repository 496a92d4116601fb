"""The validator inside the Sphinx build, and the published integrity report.

At ``write-started`` (all needs collected and resolved) the engine of
:mod:`guideline.check` runs on the needs sphinx-needs collected; each
error-level finding becomes a Sphinx warning of type ``guideline.<rule>``
located at file:line, so ``sphinx-build -W`` (and Read the Docs with
``fail_on_warning``) fail on exactly what ``guideline check`` calls an error.
Lower severities only go into the report rendered by the ``{integrity-report}`` view
(:mod:`guideline.presentation.views`).
``{guideline-rules}`` documents every rule from :mod:`guideline.check.rules`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..errors import GuidelineError
from ..presentation.words import inline_markup, sentence

logger = logging.getLogger(__name__)
DOCS_KEY = "guideline_integrity_docs"
RESULT_ATTR = "guideline_integrity_result"
NEED_LINKS = ("based_on", "supersedes", "contradicts", "raised_by", "corroborated_by")


def _root(app: Sphinx) -> Path:
    return (Path(app.confdir) / app.config.guideline_root).resolve()


def _display(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _data(env: BuildEnvironment) -> dict[str, Any]:
    if not hasattr(env, DOCS_KEY):
        setattr(env, DOCS_KEY, {})
    return getattr(env, DOCS_KEY)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    """Citations and unsafe markup of a page, as written (before any directive runs)."""
    from ..check.needs_source import scan_markdown

    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return
    root = _root(app)
    scan = scan_markdown(source[0], _display(root, path), docname, path, (Path(app.srcdir).resolve(), root / "seeds"))
    _data(app.env)[docname] = {
        "citations": [(c.key, c.file, c.line) for c in scan.citations],
        "findings": [f.to_dict() for f in scan.findings],
    }


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _data(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    theirs = getattr(other, DOCS_KEY, {})
    _data(env).update({d: theirs[d] for d in docnames if d in theirs})


def _to_need(app: Sphinx, root: Path, need: dict[str, Any]) -> Any:
    from ..check.needs_source import Need

    docname = need.get("docname") or ""
    file = _display(root, Path(app.env.doc2path(docname))) if docname else "<external needs>"
    fields: dict[str, str] = {}
    for name in ("status", "cite", "quote", "verification", "assertion", "kind", "reliability", "file", "grade",
                 "level", "strength", "direction", "certainty", "paradigm", "introduced", "last_reviewed"):
        value = need.get(name)
        if value not in (None, ""):
            fields[name] = str(value)
    links = {name: [str(t) for t in need.get(name) or []] for name in NEED_LINKS if need.get(name)}
    return Need(str(need.get("id") or ""), str(need.get("type") or ""), str(need.get("title") or ""),
                fields, links, docname, file, int(need.get("lineno") or 0), str(need.get("content") or ""))


def collected(app: Sphinx) -> tuple[list[Any], list[Any], list[Any], int]:
    """(needs, citations, findings from the sources, documents) as this Sphinx run collected them.

    The in-build check and ``guideline check`` (:mod:`guideline.check.sphinx_read`) both
    hand exactly this to the validator engine."""
    from ..check.findings import Finding
    from ..check.needs_source import Citation
    from ..presentation.state import need_dicts

    root = _root(app)
    needs = [_to_need(app, root, need) for need in need_dicts(app).values()]
    docs = _data(app.env)
    citations = [Citation(*c) for d in sorted(docs) for c in docs[d]["citations"]]
    extra = [Finding.from_dict(f) for d in sorted(docs) for f in docs[d]["findings"]]
    return needs, citations, extra, len(app.env.found_docs)


def run_integrity(app: Sphinx) -> Any:
    from ..check.engine import Options, check_collected

    root = _root(app)
    opts = Options(root=root, docs=Path(app.srcdir),
                   bibs=[Path(app.confdir) / b for b in getattr(app.config, "bibtex_bibfiles", [])],
                   lock=root / app.config.guideline_lockfile)
    needs, citations, extra, documents = collected(app)
    return check_collected(opts, needs, citations, extra, documents=documents)


def _write_started(app: Sphinx, builder: Any) -> None:
    if not app.config.guideline_check:
        return
    try:
        result = run_integrity(app)
    except GuidelineError as exc:
        logger.warning(f"[{exc.rule}] {exc.message}", type="guideline", subtype=exc.rule,
                       location=f"{exc.file}:{exc.line}" if exc.line else exc.file)
        return
    setattr(app, RESULT_ATTR, result)
    root = _root(app)
    from .bibcache import REFUSED_ATTR, REFUSING_RULES

    refused = getattr(app, REFUSED_ATTR, False)
    for f in result.findings:
        if refused and f.rule in REFUSING_RULES:
            continue  # already reported where the build refused the file (bibcache)
        if f.severity == "error":
            path = root / f.file
            logger.warning(f"[{f.rule}] {f.message}", type="guideline", subtype=f.rule,
                           location=f"{path}:{f.line}" if f.line else str(path))


# -- the rules page (the report itself is the view ``integrity-report`` of
# guideline.presentation.views) ---------------------------------------------

class GuidelineRules(SphinxDirective):
    """Every validator rule with its severity, message, fix, and a bad and a good example."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from ..check.rules import RULES
        from .safety import SAFETY_RULES

        out: list[nodes.Node] = []
        for rule in [*RULES.values(), *SAFETY_RULES.values()]:
            section = nodes.container(classes=["guideline-rule"], ids=[f"rule-{rule.id.replace('.', '-')}"])
            section += nodes.rubric(text=f"{rule.id} ({rule.severity})")
            section += nodes.paragraph("", "", *inline_markup(sentence(rule.summary) + "."))
            section += nodes.paragraph("", "", *inline_markup(f"Fix: {rule.hint}"))
            for label, code in (("Triggers it:", rule.bad), ("Passes:", rule.good)):
                section += nodes.paragraph(text=label)
                block = nodes.literal_block(code, code)
                # Abbreviated examples ("...") are not valid BibTeX/JSON for the highlighter.
                block["language"] = rule.lang if rule.lang == "markdown" or "..." not in code else "text"
                section += block
            out.append(section)
        return out


def setup(app: Sphinx) -> None:
    app.add_config_value("guideline_check", True, "env", types=(bool,))
    app.add_config_value("guideline_lockfile", "references.lock.json", "env", types=(str,))
    app.add_directive("guideline-rules", GuidelineRules)
    app.connect("source-read", _source_read)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("write-started", _write_started, priority=600)
