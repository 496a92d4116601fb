"""Furo's navigation tree, rendered once per build instead of once per page.

Furo puts the whole site's navigation on every page. For each page it asks Sphinx
for the global toctree (a deep copy and an HTML render of every entry) and then
re-parses that HTML with BeautifulSoup to add its collapsible checkboxes: work
proportional to the number of pages, done once per page, so a build's cost grows
with the square of its size (about half of a 10,000-need build).

With the arguments furo uses (``collapse=False, maxdepth=-1, titles_only=True,
includehidden=True``) the tree's shape does not depend on the page. Only three
things do: the links (relative to the page), the ``current`` marks on the branch
leading to the page (with ``href="#"`` on its own link and the checkbox of each
current branch checked) and ``current-page`` on the last current item. So the
tree is rendered once, for a page that is nowhere in it, split into tokens, and
each page fills in those three things: the output is byte for byte what furo
writes (``tests/perf/test_navigation.py`` compares every page).

The upstream change this stands in for: furo's ``_compute_navigation_tree``
caching the processed tree per build and marking the current branch per page
(or Sphinx offering a page-independent global toctree with a cheap per-page
"current" pass). The patch is applied only when the theme is furo and only to
that one function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sphinx.application import Sphinx

# Rendered for a page that does not exist, at the root, so no entry is current and
# every link is the target's path from the root.
_NOWHERE = "__guideline_navigation__"
_TAG = re.compile(r"<(/?)(ul|li|a|input)\b([^>]*)>")
_CLASS = re.compile(r'class="([^"]*)"')
_HREF = re.compile(r'href="([^"]*)"')
_ATTRIBUTE = re.compile(r'\s([a-z-]+)=')


@dataclass
class _Item:
    """One ``<li>``: where its tags sit in the token list, and its parents."""

    li: int
    ul: int  # index of the <ul> that holds it
    parent: "_Item | None"
    anchor: int = -1
    checkbox: int = -1
    docname: str | None = None


@dataclass
class NavigationTemplate:
    """The furo navigation tree of one build, as tokens a page fills in."""

    tokens: list[str]
    items: list[_Item] = field(default_factory=list)
    by_docname: dict[str, list[_Item]] = field(default_factory=dict)

    @classmethod
    def parse(cls, html: str, docname_by_uri: dict[str, str]) -> "NavigationTemplate":
        tokens: list[str] = []
        items: list[_Item] = []
        uls: list[int] = []
        open_items: list[_Item] = []
        position = 0
        for match in _TAG.finditer(html):
            tokens.append(html[position:match.start()])
            position = match.end()
            index = len(tokens)
            tokens.append(match.group(0))
            closing, tag = match.group(1), match.group(2)
            if tag == "ul":
                if closing:
                    uls.pop()
                else:
                    uls.append(index)
            elif tag == "li":
                if closing:
                    open_items.pop()
                else:
                    item = _Item(index, uls[-1], open_items[-1] if open_items else None)
                    items.append(item)
                    open_items.append(item)
            elif tag == "a" and not closing and open_items and open_items[-1].anchor < 0:
                href = _HREF.search(match.group(3))
                item = open_items[-1]
                item.anchor = index
                item.docname = docname_by_uri.get(href.group(1)) if href else None
            elif tag == "input" and open_items and open_items[-1].checkbox < 0:
                open_items[-1].checkbox = index
        tokens.append(html[position:])
        template = cls(tokens, items)
        for item in items:
            if item.docname is not None:
                template.by_docname.setdefault(item.docname, []).append(item)
        return template

    def render(self, pagename: str, relative_uri) -> str:
        """The tree as furo writes it on ``pagename``; ``relative_uri(docname)`` gives a link."""
        tokens = self.tokens[:]
        for item in self.items:
            if item.docname is not None and item.docname != pagename:
                tokens[item.anchor] = _set_href(tokens[item.anchor], relative_uri(item.docname))
        current_items: list[_Item] = []
        for item in self.by_docname.get(pagename, []):
            tokens[item.anchor] = _add_class(_set_href(tokens[item.anchor], "#"), "current", first=True)
            branch: _Item | None = item
            while branch is not None and branch not in current_items:
                current_items.append(branch)
                branch = branch.parent
        marked_uls: set[int] = set()
        for item in current_items:
            tokens[item.li] = _add_class(tokens[item.li], "current", after_first=True)
            if item.checkbox >= 0:
                tokens[item.checkbox] = _check(tokens[item.checkbox])
            if item.ul not in marked_uls:
                marked_uls.add(item.ul)
                tokens[item.ul] = _add_class(tokens[item.ul], "current")
        if current_items:
            last = max(current_items, key=lambda i: i.li)
            tokens[last.li] = _add_class(tokens[last.li], "current-page")
        return "".join(tokens)


def _escape(value: str) -> str:
    # What BeautifulSoup's default formatter escapes in an attribute value.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _set_href(tag: str, href: str) -> str:
    return _HREF.sub(lambda _: f'href="{_escape(href)}"', tag, count=1)


def _add_class(tag: str, name: str, first: bool = False, after_first: bool = False) -> str:
    """Add a class as Sphinx and furo order them (Sphinx's ``current`` before furo's own)."""
    match = _CLASS.search(tag)
    if match is None:
        return tag[:-1] + f' class="{name}">'
    classes = match.group(1).split()
    if first:
        classes.insert(0, name)
    elif after_first:
        classes.insert(1, name)
    else:
        classes.append(name)
    return tag[:match.start(1)] + " ".join(classes) + tag[match.end(1):]


def _check(tag: str) -> str:
    """Add ``checked=""`` where BeautifulSoup writes it: attributes in alphabetical order."""
    for match in _ATTRIBUTE.finditer(tag):
        if match.group(1) > "checked":
            return tag[:match.start()] + ' checked=""' + tag[match.start():]
    end = -2 if tag.endswith("/>") else -1
    return tag[:end] + ' checked=""' + tag[end:]


class _State:
    """The app being built and its template; Sphinx builds one app at a time per process."""

    app: Sphinx | None = None
    template: NavigationTemplate | None = None

    @classmethod
    def start(cls, app: Sphinx) -> None:
        cls.app = app if app.config.html_theme == "furo" and app.builder.format == "html" else None
        cls.template = None

    @classmethod
    def reset(cls, *args: Any) -> None:
        cls.template = None

    @classmethod
    def template_for(cls, app: Sphinx) -> NavigationTemplate:
        if cls.template is None:
            from furo.navigation import get_navigation_tree
            from sphinx.environment.adapters.toctree import global_toctree_for_doc

            builder = app.builder
            tree = global_toctree_for_doc(app.env, _NOWHERE, builder, tags=builder.tags, collapse=False,
                                          includehidden=True, maxdepth=-1, titles_only=True)
            html = builder.render_partial(tree)["fragment"] if tree is not None else ""
            uris = {builder.get_relative_uri(_NOWHERE, name): name for name in app.env.found_docs}
            cls.template = NavigationTemplate.parse(get_navigation_tree(html), uris)
        return cls.template


def _patch_furo() -> None:
    import furo

    if getattr(furo._compute_navigation_tree, "guideline_navigation", False):
        return
    original = furo._compute_navigation_tree

    def navigation_tree(context: dict[str, Any]) -> str:
        app = _State.app
        if app is None or "toctree" not in context or "pagename" not in context:
            return original(context)
        page = context["pagename"]
        builder = app.builder
        return _State.template_for(app).render(page, lambda doc: builder.get_relative_uri(page, doc))

    navigation_tree.guideline_navigation = True  # type: ignore[attr-defined]
    navigation_tree.original = original  # type: ignore[attr-defined]
    furo._compute_navigation_tree = navigation_tree


def _on_builder_inited(app: Sphinx) -> None:
    _State.start(app)
    if _State.app is not None:
        _patch_furo()


def setup(app: Sphinx) -> None:
    """Serve furo's navigation from one rendering per build (furo's HTML builds only)."""
    app.connect("builder-inited", _on_builder_inited)
    # The toctrees are final once reading is done; a new read (serve) renders anew.
    app.connect("env-updated", _State.reset)
