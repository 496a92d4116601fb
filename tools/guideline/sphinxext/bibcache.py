"""Remove sphinxcontrib-bibtex's per-citation overhead; the output stays the same.

These costs grow with the number of citations (profiled at 1,000 and 10,000 needs):

1. Plugin look-ups. Resolving each ``{cite:p}`` calls ``pybtex.plugin.find_plugin``
   (a formatting style, a backend), which asks ``importlib.metadata.entry_points``
   and so reads the entry points of every installed distribution again: about
   half of a 1,000-need build. The answer for a (group, name) pair cannot change
   while the process runs, so the entry-point scan is done once. ``find_plugin``
   itself is left alone: runtime plugins (``register_plugin``) still come first,
   and every caller is covered however it imported ``find_plugin``.
2. ``BibtexDomain.get_filtered_entries`` scans every citation reference for
   every bib entry to learn where the entry is cited: entries x citations
   (25 million set operations at 10,000 needs, a minute of the build). The same
   answer comes from an index built once per bibliography.
3. ``BibtexDomain.resolve_xref`` scans every formatted citation for every cite
   role, twice: citations x entries. It is handed only the citations with the
   role's keys, in their original order, from an index built after the
   citations are formatted (``env-updated``).

4. Every build, even a no-op, formats every cited entry again (twice, for the
   tooltips): seconds at 10,000 needs. Formatted entries are kept in the
   environment, keyed by the style, the label and the entry's content, and
   reused while all three are unchanged.

5. ``BibliographyTransform.run`` looks for the back-references of every citation
   of a bibliography in all citation references: citations x references
   (2,500 x 10,000 at 10,000 needs). Back-references are only taken from the
   bibliography's own document, so the transform is handed only the references
   made in documents that hold a bibliography, in their original order, from a
   list built once after the citations are collected (``env-updated``).

tests/perf/test_bibcache.py compares the HTML with and without these changes.
Set ``guideline_bib_cache = False`` in conf.py to build without them.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from importlib import metadata
from types import ModuleType
from typing import Any, Iterable

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging

INDEX_ATTR = "_guideline_citations_by_key"
REFUSED_ATTR = "guideline_bib_refused"  # app attribute: a .bib was refused (reported by file and line)
LIMITS_KEY = "guideline_bib_limits_passed"  # env attribute: {path: (mtime_ns, size)} that parsed clean
logger = logging.getLogger(__name__)


# -- 1. plugin look-ups --------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _cached_entry_points(**selection: str) -> metadata.EntryPoints:
    return metadata.entry_points(**selection)


def _plugin_modules() -> list[ModuleType]:
    """The modules that call ``entry_points`` by a module-level name."""
    import pybtex.plugin
    import sphinxcontrib.bibtex.plugin

    return [pybtex.plugin, sphinxcontrib.bibtex.plugin]


# -- 2. where each entry is cited: one index per bibliography ----------------------

def _filtered_entries(self: Any, bibliography_key: Any) -> Iterable[tuple[str, Any]]:
    """``BibtexDomain.get_filtered_entries`` (sphinxcontrib-bibtex 2.7) with the cited
    documents of each key looked up in an index instead of a scan of all citations."""
    from sphinxcontrib.bibtex.domain import _FilterVisitor, logger

    cited_in: dict[str, set[str]] = defaultdict(set)
    for citation_ref in self.citation_refs:
        for target in citation_ref.targets:
            cited_in[target.key].add(citation_ref.docname)
    bibliography = self.bibliographies[bibliography_key]
    for entry in self.get_entries(bibliography.bibfiles):
        key = bibliography.keyprefix + entry.key
        cited_docnames = set(cited_in.get(key, ()))
        visitor = _FilterVisitor(entry=entry, docname=bibliography_key.docname, cited_docnames=cited_docnames)
        try:
            success = visitor.visit(bibliography.filter_)
        except ValueError as err:
            logger.warning("syntax error in :filter: expression; %s" % err,
                           location=(bibliography_key.docname, bibliography.line),
                           type="bibtex", subtype="filter_syntax_error")
            success = bool(cited_docnames)  # the original recovers the same way
        if success or entry.key in bibliography.keys:
            yield key, entry


# -- 3. the citations a cite role can resolve to ------------------------------------

def _index_citations(app: Sphinx, env: BuildEnvironment) -> None:
    """After sphinxcontrib-bibtex formatted the citations (its own env-updated)."""
    try:
        domain = env.get_domain("cite")
    except ExtensionError:  # sphinxcontrib-bibtex not loaded
        return
    by_key: dict[str, list[Any]] = defaultdict(list)
    for position, citation in enumerate(domain.citations):
        by_key[citation.key].append((position, citation))
    setattr(domain, INDEX_ATTR, (len(domain.citations), dict(by_key)))


def _wrap_resolve_xref(resolve_xref: Any) -> Any:
    @functools.wraps(resolve_xref)
    def resolve_with_index(self: Any, env: Any, fromdocname: str, builder: Any, typ: str, target: str,
                           node: Any, contnode: Any) -> Any:
        from sphinxcontrib.bibtex.citation_target import parse_citation_targets

        citations = self.data["citations"]
        size, by_key = getattr(self, INDEX_ATTR, (-1, {}))
        if size != len(citations):  # not indexed for this list: the original path
            return resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode)
        keys = {t.key for t in parse_citation_targets(target)}
        # The same citations the original scan would find, in the same order.
        self.data["citations"] = [c for _, c in sorted((pc for k in keys for pc in by_key.get(k, ())),
                                                       key=lambda pc: pc[0])]
        try:
            return resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode)
        finally:
            self.data["citations"] = citations

    resolve_with_index.guideline_original = resolve_xref  # type: ignore[attr-defined]
    return resolve_with_index


# -- 4. formatted entries, kept between builds -------------------------------------------

FORMATTED_KEY = "guideline_bib_formatted"  # env attribute, pickled with the environment
_formatted: dict[str, Any] = {"previous": {}, "now": {}, "formatted": 0}  # "formatted": misses, for tests


def _entry_fingerprint(entry: Any) -> tuple:
    persons = tuple((role, tuple(tuple(tuple(getattr(p, part)) for part in (
        "first_names", "middle_names", "prelast_names", "last_names", "lineage_names")) for p in people))
        for role, people in entry.persons.items())
    return entry.key, entry.type, tuple(entry.fields.items()), persons


def _wrap_format_entry(format_entry: Any) -> Any:
    @functools.wraps(format_entry)
    def format_entry_cached(self: Any, label: str, entry: Any, bib_data: Any = None) -> Any:
        if bib_data is not None or "crossref" in entry.fields:  # depends on other entries
            return format_entry(self, label, entry, bib_data=bib_data)
        key = (type(self).__module__, type(self).__qualname__, type(self.name_style).__qualname__,
               type(self.label_style).__qualname__, self.abbreviate_names, self.min_crossrefs, label,
               _entry_fingerprint(entry))
        formatted = _formatted["now"].get(key) or _formatted["previous"].get(key)
        if formatted is None:
            formatted = format_entry(self, label, entry)
            _formatted["formatted"] += 1
        _formatted["now"][key] = formatted
        return formatted

    format_entry_cached.guideline_original = format_entry  # type: ignore[attr-defined]
    return format_entry_cached


def _load_formatted(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    _formatted.update(previous=getattr(env, FORMATTED_KEY, None) or {}, now={}, formatted=0)


def _keep_formatted(app: Sphinx, env: BuildEnvironment) -> None:
    """Only what this build used is kept, so the cache does not grow with removed entries."""
    setattr(env, FORMATTED_KEY, _formatted["now"])
    _formatted["previous"] = {}


# -- 5. back-references: only the references of documents holding a bibliography ---------

BIB_DOC_REFS_ATTR = "_guideline_citation_refs_of_bibliography_docs"
_bibliography_runs = {"indexed": 0}  # transforms handed the indexed list this build, for tests


def _index_bibliography_refs(app: Sphinx, env: BuildEnvironment) -> None:
    """After the read phase: the citation references whose document holds a bibliography."""
    try:
        domain = env.get_domain("cite")
    except ExtensionError:  # sphinxcontrib-bibtex not loaded
        return
    refs = domain.citation_refs
    bibliography_docs = {key.docname for key in domain.bibliographies}
    setattr(domain, BIB_DOC_REFS_ATTR, (refs, len(refs), [ref for ref in refs if ref.docname in bibliography_docs]))
    _bibliography_runs["indexed"] = 0


def _wrap_bibliography_run(run: Any) -> Any:
    @functools.wraps(run)
    def run_with_own_refs(self: Any, **kwargs: Any) -> None:
        domain = self.document.settings.env.get_domain("cite")
        refs = domain.data["citation_refs"]
        indexed, size, of_bibliography_docs = getattr(domain, BIB_DOC_REFS_ATTR, (None, -1, []))
        if indexed is not refs or size != len(refs):  # not indexed for this list: the original path
            return run(self, **kwargs)
        # The original keeps only references made in the bibliography's own document;
        # each of those is in this list, in the same order.
        domain.data["citation_refs"] = of_bibliography_docs
        _bibliography_runs["indexed"] += 1
        try:
            return run(self, **kwargs)
        finally:
            domain.data["citation_refs"] = refs

    run_with_own_refs.guideline_original = run  # type: ignore[attr-defined]
    return run_with_own_refs


# -- 6. the .bib files checked before sphinxcontrib-bibtex parses them -------------------

# What would make sphinxcontrib-bibtex stop with a crash report naming no file, or never end.
REFUSING_RULES = ("bib.syntax", "bib.encoding", "bib.limit")


def _check_bibfiles(app: Sphinx) -> None:
    """The validator's parser (:func:`guideline.check.bibfile.parse_bib`: syntax, encoding and
    the limits of :func:`~guideline.check.bibfile.check_limits`) on every bibtex file, before
    sphinxcontrib-bibtex parses them (its handler runs at priority 500). A refused file is
    reported by file and line and never handed to pybtex. ``guideline build`` runs the same
    parser before Sphinx starts; this is what a plain ``sphinx-build`` (Read the Docs) gets.
    Files unchanged since they last passed are not parsed again; a file is named as the
    integrity report names it, so one build parses it once (parse_bib keeps the result by
    content and name)."""
    from pathlib import Path

    from ..check.bibfile import parse_bib
    from .integrity import _display, _root

    confdir = Path(app.confdir)
    passed = getattr(app.env, LIMITS_KEY, None) or {}
    keep = []
    for name in app.config.bibtex_bibfiles or []:
        path = (confdir / name).resolve()
        try:
            stamp = (path.stat().st_mtime_ns, path.stat().st_size)
        except OSError:
            stamp = None  # sphinxcontrib-bibtex reports a missing file
        findings = [] if stamp is None or passed.get(str(path)) == stamp else \
            [f for f in parse_bib(path, _display(_root(app), path)).findings if f.rule in REFUSING_RULES]
        for f in findings:
            location = f"{path}:{f.line}" if f.line else str(path)
            if f.rule == "bib.limit":
                logger.warning(f.message, type="bib", subtype="limit", location=location)
            else:
                logger.error(f"[{f.rule}] {f.message}", type="guideline", subtype=f.rule, location=location)
        if findings:
            continue
        if stamp is not None:
            passed[str(path)] = stamp
        keep.append(name)
    setattr(app.env, LIMITS_KEY, passed)
    if len(keep) < len(app.config.bibtex_bibfiles or []):
        # The build goes on and fails on the finding above; its citations are not reported
        # once each as unknown keys.
        app.config.bibtex_bibfiles = keep
        app.config.suppress_warnings = [*app.config.suppress_warnings, "bibtex.key_not_found"]
        setattr(app, REFUSED_ATTR, True)


def _fail_on_refused(app: Sphinx, exception: Exception | None) -> None:
    # A guideline without its bibliography is not a build, with or without -W.
    if getattr(app, REFUSED_ATTR, False) and exception is None:
        app.statuscode = 1


# -- switching on and off --------------------------------------------------------------

def install() -> None:
    from pybtex.style.formatting import BaseStyle
    from sphinxcontrib.bibtex.domain import BibtexDomain
    from sphinxcontrib.bibtex.transforms import BibliographyTransform

    for module in _plugin_modules():
        module.entry_points = _cached_entry_points  # type: ignore[attr-defined]
    if not hasattr(BibtexDomain, "_guideline_original_filtered_entries"):
        BibtexDomain._guideline_original_filtered_entries = BibtexDomain.get_filtered_entries  # type: ignore[attr-defined]
        BibtexDomain.get_filtered_entries = _filtered_entries  # type: ignore[method-assign]
        BibtexDomain.resolve_xref = _wrap_resolve_xref(BibtexDomain.resolve_xref)  # type: ignore[method-assign]
        BaseStyle.format_entry = _wrap_format_entry(BaseStyle.format_entry)  # type: ignore[method-assign]
        BibliographyTransform.run = _wrap_bibliography_run(BibliographyTransform.run)  # type: ignore[method-assign]


def uninstall() -> None:
    from pybtex.style.formatting import BaseStyle
    from sphinxcontrib.bibtex.domain import BibtexDomain
    from sphinxcontrib.bibtex.transforms import BibliographyTransform

    for module in _plugin_modules():
        module.entry_points = metadata.entry_points  # type: ignore[attr-defined]
    _cached_entry_points.cache_clear()
    if hasattr(BibtexDomain, "_guideline_original_filtered_entries"):
        BibtexDomain.get_filtered_entries = BibtexDomain._guideline_original_filtered_entries  # type: ignore[method-assign]
        BibtexDomain.resolve_xref = BibtexDomain.resolve_xref.guideline_original  # type: ignore[attr-defined]
        BaseStyle.format_entry = BaseStyle.format_entry.guideline_original  # type: ignore[attr-defined]
        BibliographyTransform.run = BibliographyTransform.run.guideline_original  # type: ignore[attr-defined]
        del BibtexDomain._guideline_original_filtered_entries


def is_installed() -> bool:
    from sphinxcontrib.bibtex.domain import BibtexDomain

    return (all(module.entry_points is _cached_entry_points for module in _plugin_modules())  # type: ignore[attr-defined]
            and hasattr(BibtexDomain, "_guideline_original_filtered_entries"))


def _on_config_inited(app: Sphinx, config: Config) -> None:
    if config.guideline_bib_cache:
        install()
    else:
        uninstall()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("guideline_bib_cache", True, "", types=(bool,))
    app.connect("config-inited", _on_config_inited)
    # Before sphinxcontrib-bibtex's builder-inited handler (priority 500) parses the files.
    app.connect("builder-inited", _check_bibfiles, priority=400)
    app.connect("build-finished", _fail_on_refused)
    # After sphinxcontrib-bibtex's own env-updated handler (priority 500) formats the citations.
    app.connect("env-updated", _index_citations, priority=900)
    app.connect("env-updated", _index_bibliography_refs, priority=900)
    app.connect("env-before-read-docs", _load_formatted)
    app.connect("env-updated", _keep_formatted, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
