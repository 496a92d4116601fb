"""Content safety: a page cannot inject HTML or publish a file from outside the repository.

The decision is taken on the parsed document, whatever syntax produced it
(MyST, ``{eval-rst}``, an ``.rst`` page, any spelling a parser accepts):

1. docutils' own switches are off for every page: ``raw_enabled`` and
   ``file_insertion_enabled`` (include, literalinclude, csv-table/raw ``:file:``
   and ``:url:``, image size probing). The guideline shows seeds with
   ``{seed-text}`` and needs no file insertion.
2. The directives and the role that would insert raw output or a file are
   registered under their docutils names (``raw``, ``include``,
   ``literalinclude``, ``csv-table`` with ``:file:``/``:url:``). docutils looks
   names up case-insensitively, so every spelling reaches them; they read
   nothing and leave a :class:`refused` marker, so the refusal carries a rule id.
3. At ``doctree-read`` (after Sphinx noted the page's dependencies, before the
   doctree is pickled) :func:`find_unsafe` checks the doctree: refused markers,
   any ``raw`` node (MyST turns HTML blocks and inline HTML into raw nodes
   without consulting ``raw_enabled``), any link or image URI whose scheme is
   not http, https or mailto, any file the page reads (image, download, seed,
   ...) that resolves outside docs/ and seeds/ (symlinks followed), and the
   page's effective docutils settings (a ``docutils.conf`` cannot turn 1. back on).
   A page whose source file resolves outside docs/ is never read at all.

A rejected page is emptied at once, reported as ``guideline.safe.*`` warnings
located at file:line, and dropped from the project before anything is written
(no HTML, no ``_sources`` copy, no needs in needs.json, no PDF); the build then
ends with a non-zero status even without ``-W``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst.directives.misc import Raw
from docutils.parsers.rst.directives.tables import CSVTable
from docutils.parsers.rst.roles import raw_role
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..check.rules import Rule

logger = logging.getLogger(__name__)

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# docutils settings every guideline page is parsed with.
SETTINGS = {"raw_enabled": False, "file_insertion_enabled": False}
REJECTED_ATTR = "guideline_rejected_docs"
_READ_LIST_ATTR = "_guideline_docnames_to_read"
_APP_REJECTED_ATTR = "_guideline_rejected"
# A URI's scheme as a browser sees it: leading controls and spaces are dropped,
# tabs and line breaks inside are ignored ("java\tscript:" is javascript:).
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_IGNORED_IN_URI = re.compile(r"[\t\n\r]")


# Rules only the build can decide (they need the parsed page). safe.raw-html,
# safe.raw-directive and safe.include-outside live with the validator's rules.
SAFETY_RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("safe.file-insertion", "error",
         "a directive inserts a file or a URL (include, literalinclude, csv-table :file: or :url:)",
         "Write the text in the page, or show a source's text with {seed-text} seeds/<file>.",
         "```{include} ../../notes/private.md\n```", "```{seed-text} seeds/majestec1.txt\n```", "markdown"),
    Rule("safe.url-scheme", "error",
         "a link or image address uses a scheme other than http, https or mailto",
         "Link with https:// or a relative link; javascript:, data:, file: and other schemes are refused.",
         "```{eval-rst}\n`trial <javascript:alert(1)>`_\n```", "[trial](https://clinicaltrials.gov/)",
         "markdown"),
    Rule("safe.symlink-outside", "error",
         "a page or a seed is a symbolic link to a file outside docs/ or seeds/",
         "Commit the file itself under docs/ or seeds/, not a link to it.",
         "docs/notes.md -> /home/me/notes.md", "docs/notes.md (a regular file)", "text"),
    Rule("safe.settings", "error",
         "a docutils.conf turns raw output or file insertion back on",
         "Remove raw_enabled / file_insertion_enabled from docutils.conf: every page is parsed with both off.",
         "[general]\nraw_enabled: yes", "(no docutils.conf, or one without these two settings)", "text"),
    Rule("safe.rejected", "error",
         "pages were rejected by the content-safety check and not written (summary at the end of a build)",
         "Fix every guideline.safe.* warning above it.",
         "content-safety check rejected 1 page(s), not written: notes",
         "(no page rejected)", "text"),
)}


@dataclass(frozen=True)
class Unsafe:
    """One reason to reject a page: rule id, where, and what was found."""

    rule: str
    source: str
    line: int
    message: str
    docname: str = ""  # for a finding about the whole page (no line)

    @property
    def location(self) -> str | tuple[str, None]:
        if self.line or not self.docname:
            return f"{self.source}:{self.line}" if self.line else self.source
        return (self.docname, None)  # Sphinx names the page's file


class refused(nodes.Element, nodes.Invisible):
    """Left where a refused directive or role stood; the doctree check reports it."""


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


# -- 2. the refusing directives and role -------------------------------------------

def _marker(rule: str, message: str, source: str, line: int) -> refused:
    node = refused(rule=rule, message=message)
    node.source, node.line = source, line
    return node


class _Refusal(SphinxDirective):
    """Accepts what the original directive accepts, reads nothing, leaves a marker."""

    has_content = True
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    rule = ""
    what = ""

    def run(self) -> list[nodes.Node]:
        source, line = self.get_source_info()
        argument = self.arguments[0] if self.arguments else ""
        return [_marker(self.rule, self.what.format(name=self.name, argument=argument), source, line)]


class RefusedRaw(_Refusal):
    option_spec = Raw.option_spec
    rule = "safe.raw-directive"
    what = "the {name!r} directive ({argument}) passes raw output through; guideline pages cannot"


class RefusedInclude(_Refusal):
    option_spec = Include.option_spec
    rule = "safe.file-insertion"
    what = "the {name!r} directive ({argument}) inserts a file; guideline pages cannot"


class RefusedLiteralInclude(RefusedInclude):
    option_spec = LiteralInclude.option_spec


class GuardedCSVTable(CSVTable):
    """``csv-table`` with its content inline; ``:file:`` and ``:url:`` are refused."""

    def run(self) -> list[nodes.Node]:
        for option in ("file", "url"):
            if option in self.options:
                source, line = self.state_machine.get_source_and_line(self.lineno)
                return [_marker("safe.file-insertion",
                                f"the {self.name!r} directive reads :{option}: {self.options[option]}; "
                                "guideline pages cannot insert files or URLs", source, line)]
        return super().run()


def refused_raw_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                     options: dict | None = None, content: list[str] | None = None) -> tuple[list, list]:
    """The ``raw`` role and every role derived from it (``.. role:: r(raw)``)."""
    source, line = inliner.reporter.get_source_and_line(lineno)
    fmt = (options or {}).get("format", "no format")
    return [_marker("safe.raw-directive",
                    f"the role {name!r} is derived from 'raw' ({fmt}); guideline pages cannot pass raw output",
                    source, line)], []


refused_raw_role.options = dict(raw_role.options)  # type: ignore[attr-defined]


# -- 3. the doctree check -------------------------------------------------------------

def repository_root(app: Sphinx) -> Path:
    """The repository (holding seeds/), as configured by ``guideline_root``."""
    return (Path(app.confdir) / getattr(app.config, "guideline_root", "..")).resolve()


def allowed_roots(app: Sphinx) -> list[Path]:
    """Where the files a page reads may live: docs/, seeds/ and the declared .bib files."""
    roots = [Path(app.srcdir).resolve(), repository_root(app) / "seeds"]
    roots += [Path(os.path.normpath(Path(app.confdir) / bib)) for bib in getattr(app.config, "bibtex_bibfiles", [])]
    return roots


def is_inside(path: Path, roots: list[Path]) -> bool:
    """``path`` (symlinks followed) is one of ``roots`` or lies under one."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop resolves nowhere
        return False
    return any(resolved == root or resolved.is_relative_to(root) for root in roots)


def uri_scheme(uri: str) -> str:
    """The scheme a browser would use for ``uri`` ('' for a relative link)."""
    cleaned = _IGNORED_IN_URI.sub("", uri).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                  "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
                                                  "\x1c\x1d\x1e\x1f\x20")
    match = _SCHEME.match(cleaned)
    return match[1].lower() if match else ""


def _where(node: nodes.Node, default: str) -> tuple[str, int]:
    """Source and line of ``node``, from the nearest ancestor that knows them."""
    current: nodes.Node | None = node
    while current is not None:
        if getattr(current, "line", None):
            return current.source or default, current.line
        current = current.parent
    return default, 0


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _node_uris(node: nodes.Element) -> list[str]:
    if isinstance(node, (nodes.reference, nodes.target)) and node.get("refuri"):
        return [node["refuri"]]
    if isinstance(node, nodes.image):
        return [node.get("uri", ""), *node.get("candidates", {}).values()]
    if isinstance(node, addnodes.download_reference):
        return [node.get("reftarget", "")]
    return []


def find_unsafe(app: Sphinx, docname: str, doctree: nodes.document) -> list[Unsafe]:
    """Everything in the parsed page that may not be published."""
    page = str(app.env.doc2path(docname))
    found: list[Unsafe] = []
    for setting, value in SETTINGS.items():
        if getattr(doctree.settings, setting, None) != value:
            found.append(Unsafe("safe.settings", page, 0,
                                f"docutils setting {setting} is {getattr(doctree.settings, setting, None)!r} "
                                f"for this page (a docutils.conf?); the guideline requires {value!r}", docname))
    for node in doctree.findall(nodes.Element):
        source, line = _where(node, page)
        if isinstance(node, refused):
            found.append(Unsafe(node["rule"], source, line, node["message"]))
        elif isinstance(node, nodes.raw):
            # The markup itself is not echoed: the log should not carry it either.
            found.append(Unsafe("safe.raw-html", source, line,
                                f"raw {node.get('format') or ''} output (an HTML block, inline HTML or a raw "
                                "node): guideline pages cannot pass markup through; use MyST syntax"))
        else:
            for uri in _node_uris(node):
                scheme = uri_scheme(uri)
                if scheme and scheme not in SAFE_SCHEMES:
                    found.append(Unsafe("safe.url-scheme", source, line,
                                        f"link or image address {_snippet(uri)!r} uses the scheme {scheme!r}; "
                                        f"only {', '.join(sorted(SAFE_SCHEMES))} and relative links are allowed"))
    roots = allowed_roots(app)
    for dependency in sorted(app.env.dependencies.get(docname, ()), key=str):
        path = Path(app.srcdir) / dependency
        if not is_inside(path, roots):
            found.append(Unsafe("safe.include-outside", page, _line_of_file(doctree, path, app),
                                f"the page reads {path} which resolves outside docs/ and seeds/ "
                                f"(to {_resolved(path)})", docname))
    return list(dict.fromkeys(found))  # a reference and its target carry the same URI


def _resolved(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return "a symlink loop"


def _line_of_file(doctree: nodes.document, path: Path, app: Sphinx) -> int:
    """The line of the image or download that reads ``path``, if one does."""
    wanted = _resolved(path)
    for node in doctree.findall(nodes.Element):
        for uri in _node_uris(node):
            if not uri or uri_scheme(uri):
                continue
            # Image candidates are relative to docs/; written URIs to the page.
            candidates = (Path(app.srcdir) / uri, Path(app.env.relfn2path(uri, app.env.docname)[1]))
            if any(_resolved(candidate) == wanted for candidate in candidates):
                return _where(node, "")[1]
    return 0


def read_seed(directive: SphinxDirective, relative: str) -> str | list[nodes.Node]:
    """The text of a seed named by a directive, or the nodes that report why it cannot be shown.

    The path must lie under seeds/ as written and once symlinks are followed; the
    text must be UTF-8 (a wrong byte is reported at the seed's file and line).
    """
    seeds = repository_root(directive.env.app) / "seeds"
    path = Path(os.path.normpath(seeds.parent / relative))
    source, line = directive.get_source_info()
    if path.is_relative_to(seeds) and not is_inside(path, [seeds]):
        return [_marker("safe.symlink-outside",
                        f"the seed {relative} is a link to {_resolved(path)}, outside seeds/; it was not read",
                        source, line)]
    if not path.is_relative_to(seeds) or not path.is_file():
        logger.warning(f"[ev.source-file] {relative} is not a file under seeds/", type="guideline",
                       subtype="ev.source-file", location=f"{source}:{line}")
        return []
    directive.env.note_dependency(str(path.resolve()))
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw.count(b"\n", 0, exc.start) + 1
        logger.warning(f"[ev.source-file] byte 0x{raw[exc.start]:02X} is not UTF-8 (latin-1 or cp1252?); "
                       f"save the seed as UTF-8 (shown by {source}:{line})", type="guideline",
                       subtype="ev.source-file", location=f"{path}:{bad_line}")
        return []


def report(unsafe: Unsafe) -> None:
    """One rejection as a Sphinx warning: ``guideline.<rule>``, located at file:line."""
    logger.warning(f"[{unsafe.rule}] {unsafe.message}", type="guideline", subtype=unsafe.rule,
                   location=unsafe.location)


def _rejected(env: BuildEnvironment) -> dict[str, list[str]]:
    if not hasattr(env, REJECTED_ATTR):
        setattr(env, REJECTED_ATTR, {})
    return getattr(env, REJECTED_ATTR)


def _empty(doctree: nodes.document) -> None:
    """Drop every node of a rejected page, and every index into them (all are pickled)."""
    doctree.clear()
    for name, value in list(vars(doctree).items()):
        if name in ("attributes", "children", "settings", "reporter", "transformer"):
            continue
        if isinstance(value, nodes.Node):
            setattr(doctree, name, None)
        elif isinstance(value, (dict, list, set)):
            value.clear()
    doctree += nodes.paragraph(text="This page was rejected by the content-safety check.")


# -- events -----------------------------------------------------------------------------

def _apply_settings(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Switch docutils' raw and file insertion off; never read a page stored outside docs/."""
    env.settings.update(SETTINGS)
    setattr(env, REJECTED_ATTR, {})
    setattr(app, _READ_LIST_ATTR, docnames)
    srcdir = [Path(app.srcdir).resolve()]
    for docname in list(docnames):
        path = Path(env.doc2path(docname))
        if not is_inside(path, srcdir):
            report(Unsafe("safe.symlink-outside", str(path), 0,
                          f"the page is a link to {_resolved(path)}, outside docs/; it was not read", docname))
            docnames.remove(docname)
            _rejected(env)[docname] = ["safe.symlink-outside"]


def _doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    found = find_unsafe(app, docname, doctree)
    if not found:
        return
    for unsafe in found:
        report(unsafe)
    _empty(doctree)
    _rejected(app.env)[docname] = sorted({u.rule for u in found})


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _rejected(env).update({d: r for d, r in _rejected(other).items() if d in docnames})


def _drop_rejected(app: Sphinx, env: BuildEnvironment) -> None:
    """Remove rejected pages from the project before the environment is saved or anything written."""
    rejected = _rejected(env)
    read_list = getattr(app, _READ_LIST_ATTR, [])
    for docname in sorted(rejected):
        app.events.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)
        env.project.docnames.discard(docname)
        env._write_doc_doctree_cache.pop(docname, None)
        (Path(app.doctreedir) / f"{docname}.doctree").unlink(missing_ok=True)
        while docname in read_list:
            read_list.remove(docname)
    if rejected and not env.found_docs and hasattr(app.builder, "search"):
        app.builder.search = False  # Sphinx's search index cannot be built for no page at all
    setattr(app, _APP_REJECTED_ATTR, dict(rejected))
    rejected.clear()


def _fail_build(app: Sphinx, exception: Exception | None) -> None:
    rejected = getattr(app, _APP_REJECTED_ATTR, {})
    if rejected and exception is None:
        logger.error(f"content-safety check rejected {len(rejected)} page(s), not written: "
                     f"{', '.join(sorted(rejected))}", type="guideline", subtype="safe.rejected")
        app.statuscode = 1


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(refused, **{fmt: (_skip, None) for fmt in ("html", "latex", "text", "man", "texinfo")})
    for name, directive in (("raw", RefusedRaw), ("include", RefusedInclude),
                            ("literalinclude", RefusedLiteralInclude), ("csv-table", GuardedCSVTable)):
        app.add_directive(name, directive, override=True)
    app.add_role("raw", refused_raw_role, override=True)
    app.connect("env-before-read-docs", _apply_settings, priority=1)
    # After Sphinx's collectors (priority 500) have noted the page's dependencies.
    app.connect("doctree-read", _doctree_read, priority=900)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _drop_rejected, priority=1)
    app.connect("build-finished", _fail_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
