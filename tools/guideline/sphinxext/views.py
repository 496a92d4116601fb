"""Wiring of the presentation layer into the build: views, need cards, need links, seed text.

- Every view of :mod:`guideline.presentation.views` is a directive that leaves
  a placeholder, filled at ``doctree-resolved`` once every page has been read.
  Pages holding a view are re-read whenever any page with needs changes (see
  :func:`_outdated_views`), because sphinx-needs' own incremental build leaves
  them stale; pages showing a need through a role or a back-link are handled
  in :mod:`.freshness`.
- Need nodes become the cards of :mod:`guideline.presentation.card` (before
  sphinx-needs would lay them out as metadata tables), and ``{need}`` links
  read as words ("Recommendation 2.1"), never as an ID in brackets.
- ``{seed-text}`` renders a source's text on file; the text of a source of low
  or no reliability carries a "not for clinical use" mark, on the box and at
  the top of the page, and is left out of the PDF.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from ..presentation import card as cards
from ..presentation import nodes as pnodes
from ..presentation import state
from . import viewcache
from ..presentation.links import need_link
from ..presentation.nodes import PRINT_BUILDERS
from ..presentation.views import OPTIONS, VIEWS, Context

VIEW_DOCS_KEY = "guideline_view_docs"
NEED_DOCS_KEY = "guideline_need_docs"


class view_placeholder(nodes.General, nodes.Element):
    """Replaced by a view once all needs are known."""


def mark_as_view(env: BuildEnvironment, docname: str) -> None:
    """Record that ``docname`` shows needs from other pages (re-read when they change)."""
    getattr(env, VIEW_DOCS_KEY).add(docname)


def _init_env(app: Sphinx, env: BuildEnvironment, *_: Any) -> None:
    for key in (VIEW_DOCS_KEY, NEED_DOCS_KEY):
        if not hasattr(env, key):
            setattr(env, key, set())


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _init_env(app, env)
    getattr(env, VIEW_DOCS_KEY).discard(docname)
    getattr(env, NEED_DOCS_KEY).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _init_env(app, env)
    for key in (VIEW_DOCS_KEY, NEED_DOCS_KEY):
        getattr(env, key).update(getattr(other, key, set()) & docnames)


def _note_need_docs(app: Sphinx, doctree: nodes.document) -> None:
    from sphinx_needs.nodes import Need

    if any(True for _ in doctree.findall(Need)):
        getattr(app.env, NEED_DOCS_KEY).add(app.env.docname)
        # A recommendation card shows its history from the edition's change record.
        path = state.whats_new_path(app.config, app.srcdir)
        if path:
            app.env.note_dependency(str(path))


def _outdated_views(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                    removed: set[str]) -> list[str]:
    """When a page with needs changes, every view page must be rebuilt too."""
    _init_env(app, env)
    touched = added | changed | removed
    if not touched:
        return []
    views = getattr(env, VIEW_DOCS_KEY)
    need_docs = getattr(env, NEED_DOCS_KEY)
    # Only pages that merely show needs (views without needs of their own) can change
    # without changing what the other views show; any other touched page may add,
    # change or remove needs.
    if touched - (views - need_docs):
        return sorted(views - touched)
    return []


def _view_directive(name: str) -> type[SphinxDirective]:
    class ViewDirective(SphinxDirective):
        has_content = False
        option_spec = {option: directives.unchanged for option in OPTIONS.get(name, ())}

        def run(self) -> list[nodes.Node]:
            mark_as_view(self.env, self.env.docname)
            if name == "whats-new":
                path = state.whats_new_path(self.config, self.env.srcdir)
                if path:
                    self.env.note_dependency(str(path))
            node = view_placeholder(view=name, options=dict(self.options))
            self.set_source_info(node)
            return [node]

    ViewDirective.__name__ = f"View_{name.replace('-', '_')}"
    return ViewDirective


# Views whose directive lives in another extension module (surveillance): name -> renderer
# taking (app, fromdoc, needs, options). They draw with the presentation layer's helpers.
RENDERERS: dict[str, Any] = {}


def register_renderer(name: str, renderer: Any) -> None:
    RENDERERS[name] = renderer


def _fill_views(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(view_placeholder))
    if not placeholders:
        return
    cat = state.catalogue(app)
    blocks = viewcache.blocks_for(app)
    for node in placeholders:
        name = node["view"]
        if name in VIEWS:
            out = VIEWS[name](Context(app, docname, cat, node["options"], blocks))
        else:
            out = RENDERERS[name](app, docname, list(cat.needs.values()), node["options"])
        node.replace_self(out)


# -- need cards and need links ----------------------------------------------------

def _render_needs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Before sphinx-needs' own layout (priority 500): cards for our types, words for links."""
    from sphinx_needs.nodes import Need
    from sphinx_needs.roles.need_ref import NeedRef

    need_nodes = list(doctree.findall(Need))
    ref_nodes = list(doctree.findall(NeedRef))
    if not need_nodes and not ref_nodes:
        return
    cat = state.catalogue(app)
    for node in need_nodes:
        need_id = node["ids"][0]
        need = cat.needs.get(need_id)
        if need is None or need.get("type") not in cards.CARDS:
            continue  # sphinx-needs lays it out (and reports what is wrong)
        own = node.get("docname")
        if need.get("hide") or (own and own != need.get("docname")):
            node.parent.remove(node)
            continue
        card = cards.render(app, docname, cat, need, list(node.children))
        node.parent.replace(node, card)  # not replace_self: it would copy sphinx-needs' classes
    for ref in ref_nodes:
        target = ref["reftarget"]
        link = ref.get("need_link")
        if target not in cat.needs or (link is not None and link.part is not None):
            continue  # unknown needs and need parts: sphinx-needs resolves (and warns)
        shown = ref.astext()
        ref.replace_self(need_link(app, docname, cat, target, None if shown == target else shown))


# -- seed text ---------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def is_chinese(text: str) -> bool:
    """A paragraph is Chinese when most of its letters are CJK ideographs or punctuation."""
    letters = [c for c in text if not c.isspace()]
    return bool(letters) and sum(bool(_CJK.match(c)) for c in letters) > len(letters) / 2


class SeedText(SphinxDirective):
    """The verbatim text of a seed, one paragraph per line, Chinese marked as such.

    The path is relative to the repository root and must lie under ``seeds/``.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        from .safety import read_seed

        found = read_seed(self, self.arguments[0])  # reports a path outside seeds/ or bad bytes
        if not isinstance(found, str):
            return found
        text = unicodedata.normalize("NFC", found)
        box = nodes.container(classes=["seed-text"], seed_file=self.arguments[0])
        for line in text.splitlines():
            if not line.strip():
                continue
            classes = ["language-zh-cn", "lang-zh"] if is_chinese(line) else []
            # literal_block would lose wrapping; a line_block keeps the words exactly.
            para = nodes.paragraph(classes=classes)
            para += nodes.Text(line)
            box += para
        return [box]


NOT_FOR_CLINICAL_USE = "Not for clinical use"


def _mark(text: str, classes: list[str]) -> nodes.container:
    box = nodes.container(classes=["not-for-clinical-use", *classes], role="note")
    para = nodes.paragraph()
    para += nodes.strong(text=f"{NOT_FOR_CLINICAL_USE}. ")
    para += nodes.Text(text)
    box += para
    return box


def _mark_unreliable_texts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    containers = list(doctree.findall(nodes.container))
    boxes = [n for n in containers if n.get("seed_file")]
    # A page appraising a source of low or no reliability quotes it (its claims): marked as well.
    marked = any("source-card" in n["classes"] and {f"reliability-{r}" for r in cards.NOT_FOR_CLINICAL_USE}
                 & set(n["classes"]) for n in containers)
    if not boxes and not marked:
        return
    cat = state.catalogue(app)
    for box in boxes:
        source = cat.sources_by_file.get(box["seed_file"]) or {}
        reliability = source.get("reliability") or ""
        if reliability not in cards.NOT_FOR_CLINICAL_USE:
            continue
        marked = True
        if app.builder.name in PRINT_BUILDERS:
            box.replace_self(_mark("The full text of this source (reliability: "
                                   f"{reliability}) is shown only in the HTML edition.", ["in-print"]))
            continue
        box["classes"].append("unreliable-text")
        box.parent.insert(box.parent.index(box), _mark(
            f"The text below is a source of {reliability} reliability, shown so that readers can check "
            "what the guideline says about it. Doses, rates and recommendations in it must not be used.",
            ["at-text"]))
    if marked and app.builder.name not in PRINT_BUILDERS:
        section = next(iter(doctree.findall(nodes.section)), None)
        banner = _mark("This page quotes a source of low or no reliability. What it says is shown so that "
                       "readers can check the guideline, never to be followed.", ["page-banner"])
        if section is not None:
            title = next((i for i, c in enumerate(section.children) if isinstance(c, nodes.title)), -1)
            section.insert(title + 1, banner)
        else:
            doctree.insert(0, banner)


def setup(app: Sphinx) -> None:
    app.add_config_value("guideline_references_doc", "references", "env", types=(str,))
    # The repository root (holding seeds/), relative to the folder of conf.py.
    app.add_config_value("guideline_root", "..", "env", types=(str,))
    app.add_node(view_placeholder)
    viewcache.setup(app)
    pnodes.setup(app)
    for name in VIEWS:
        app.add_directive(name, _view_directive(name))
    app.add_directive("seed-text", SeedText)
    app.connect("env-before-read-docs", _init_env)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _note_need_docs)
    app.connect("env-get-outdated", _outdated_views)
    # After what other modules add to need nodes (surveillance notices, 450), before sphinx-needs
    # lays them out (500): the card keeps every node of the need's content.
    app.connect("doctree-resolved", _render_needs, priority=470)
    app.connect("doctree-resolved", _fill_views)
    app.connect("doctree-resolved", _mark_unreliable_texts, priority=520)
    app.connect("env-updated", state.forget)
    # Pages showing another page's need through a role or a back-link (not a view).
    from . import freshness

    freshness.setup(app)
