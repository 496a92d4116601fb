"""The validator inside the Sphinx build, and the published integrity report.

At ``write-started`` (all needs collected and resolved) the engine of
:mod:`guideline.check` runs on the needs sphinx-needs collected; each
error-level finding becomes a Sphinx warning of type ``guideline.<rule>``
located at file:line, so ``sphinx-build -W`` (and Read the Docs with
``fail_on_warning``) fail on exactly what ``guideline check`` calls an error.
Lower severities only go into the report rendered by ``{integrity-report}``.
``{guideline-rules}`` documents every rule from :mod:`guideline.check.rules`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..errors import GuidelineError
from .views import _table as views_table
from .views import mark_as_view, register_renderer, view_placeholder

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


def _to_need(app: Sphinx, root: Path, item: Any) -> Any:
    from ..check.needs_source import Need

    need = dict(item)
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
    from sphinx_needs.data import SphinxNeedsData

    from ..check.findings import Finding
    from ..check.needs_source import Citation

    root = _root(app)
    needs = [_to_need(app, root, item) for item in SphinxNeedsData(app.env).get_needs_view().values()]
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
    from .bibcache import REFUSED_ATTR

    refused = getattr(app, REFUSED_ATTR, False)
    for f in result.findings:
        if refused and f.rule == "bib.limit":
            continue  # already reported where the build refused the file (bibcache)
        if f.severity == "error":
            path = root / f.file
            logger.warning(f"[{f.rule}] {f.message}", type="guideline", subtype=f.rule,
                           location=f"{path}:{f.line}" if f.line else str(path))


# -- the published report ------------------------------------------------------

class IntegrityReport(SphinxDirective):
    """Counts of verified, unverified and contradicted items and findings by rule."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        mark_as_view(self.env, self.env.docname)
        node = view_placeholder()
        node["view"] = "integrity-report"
        node["options"] = {}
        return [node]


def _table(headers: list[str], rows: list[list[Any]]) -> nodes.table:
    return views_table(headers, [[str(cell) for cell in row] for row in rows], ["integrity-report"])


def render_report(app: Sphinx, fromdoc: str, needs: list[dict[str, Any]], options: dict) -> nodes.Node:
    from ..check.rules import RULES

    box = nodes.container(classes=["integrity-report"])
    result = getattr(app, RESULT_ATTR, None)
    if result is None:
        box += nodes.paragraph(text="The integrity check did not run in this build.")
        return box
    s = result.summary
    claims, refs = s["claims"], s["references"]
    box += nodes.paragraph(text=f"Checked for the edition date {s['edition_date']}: "
                                f"{s['recommendations']} recommendations, {s['needs']} needs, "
                                f"{s['bib_entries']} references.")
    # The legacy single field (verification) is shown only while claims still use it.
    legacy = [["Claims verified", claims.get("verified", 0)],
              ["Claims unverified", claims.get("unverified", 0)],
              ["Claims contradicted", claims.get("contradicted", 0)]]
    box += _table(["Item", "Count"], [
        *(legacy if any(claims.values()) or not any((s.get("assertions") or {}).values()) else []),
        *[[f"Claims asserted {name} (panel)", count] for name, count in (s.get("assertions") or {}).items()],
        ["Good practice statements (ungraded)", s.get("good_practice_statements", 0)],
        ["Quotes found in their sources", f"{s['quotes_found']} of {s['quotes_checked']}"],
        ["Recommendations with a verified claim from a reliable source",
         f"{s['recommendations_supported']} of {s['recommendations']}"],
        ["References verified online (lockfile)", refs["verified"]],
        ["References unverified", refs["unverified"]],
        ["References retracted or with an expression of concern", refs["retracted"]],
        ["Bibliographic fields declared missing (unverified)", s["fields_declared_missing"]],
        ["Findings: errors / warnings / info",
         f"{s['findings']['error']} / {s['findings']['warning']} / {s['findings']['info']}"],
    ])
    by_rule = Counter(f.rule for f in result.findings)
    if by_rule:
        box += nodes.rubric(text="Findings by rule")
        box += _table(["Rule", "Severity", "Count", "What it means"],
                      [[rule, RULES[rule].severity if rule in RULES else "", count,
                        RULES[rule].summary if rule in RULES else ""] for rule, count in sorted(by_rule.items())])
        box += nodes.rubric(text="All findings")
        box += _table(["Where", "Rule", "Severity", "Message"],
                      [[f.location(), f.rule, f.severity, f.message] for f in result.findings])
    else:
        box += nodes.paragraph(text="No findings.")
    return box


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
            section += nodes.paragraph(text=rule.summary[:1].upper() + rule.summary[1:] + ".")
            section += nodes.paragraph(text=f"Fix: {rule.hint}")
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
    app.add_directive("integrity-report", IntegrityReport)
    app.add_directive("guideline-rules", GuidelineRules)
    register_renderer("integrity-report", render_report)
    app.connect("source-read", _source_read)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("write-started", _write_started, priority=600)
