"""Read need records, citations and unsafe markup from MyST sources without Sphinx.

Uses myst-parser's own markdown-it parser (with the project's block extensions)
and its directive option parser, so a need's options are read exactly as the
build reads them. Inline parsing is skipped (it is most of markdown-it's cost)
except where a ``<`` asks whether inline HTML is present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from docutils.parsers.rst import Directive, directives
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.directives import is_option_line, parse_directive_arguments, parse_directive_text
from myst_parser.parsers.mdit import create_md_parser

from .. import model
from .findings import Finding
from .rules import finding

NEED_TYPES = ("rec", "gps", "claim", "source", "gap")
LINK_NAMES = tuple(link.name for link in model.LINKS)
MYST_EXTENSIONS = frozenset({"colon_fence", "deflist", "attrs_inline", "attrs_block", "fieldlist"})
# Directives whose body is not MyST (nothing to recurse into).
LITERAL_DIRECTIVES = frozenset({
    "code", "code-block", "code-cell", "sourcecode", "math", "literalinclude", "include",
    "mermaid", "graphviz", "csv-table", "list-table", "needtable", "needflow", "needlist",
    "needpie", "needbar", "needextract", "needfilter", "needimport", "bibliography", "raw", "eval-rst",
})
CITE_RE = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`([^`]*)`")
_INFO_RE = re.compile(r"^\{([A-Za-z0-9_:+\-]+)\}\s*(.*)$")
_RST_UNSAFE = re.compile(r"^\s*\.\.\s+(raw|include|literalinclude)::\s*(.*)$", re.M)
_FAST_PATH_MARKERS = ("```", "~~~", ":::", "<")


@dataclass
class Need:
    id: str
    type: str
    title: str
    fields: dict[str, str]
    links: dict[str, list[str]]
    docname: str
    file: str
    line: int
    # The body as written (MyST); claims' restatements are checked against their quotes.
    content: str = ""

    def get(self, name: str) -> str:
        return self.fields.get(name) or ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "title": self.title, "fields": self.fields,
                "links": self.links, "docname": self.docname, "file": self.file, "line": self.line,
                "content": self.content}


@dataclass(frozen=True)
class Citation:
    key: str
    file: str
    line: int


@dataclass
class DocScan:
    needs: list[Need] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


class _AnyOptions(dict):
    """An option spec accepting every option as text, as sphinx-needs' dynamic spec does."""

    def __missing__(self, key: str):
        return directives.unchanged


class _NeedDirective(Directive):
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOptions(id=directives.unchanged)


class _GenericDirective(_NeedDirective):
    """Any other directive: options are skipped, the body is scanned."""


@lru_cache(maxsize=8)
def _parser(extensions: frozenset[str] = MYST_EXTENSIONS, inline: bool = False):
    md = create_md_parser(MdParserConfig(enable_extensions=set(extensions)), RendererHTML)
    if not inline:
        md.core.ruler.disable("inline")
    return md


# Option lines whose value myst's option tokenizer reads verbatim: a plain key, and a
# value that is not quoted, not a block scalar and carries no comment, tab or odd line break.
_FAST_OPTION = re.compile(r"([A-Za-z0-9_\-]+):(?: +([^ '\"|>][^\n]*?))? *")
_SLOW_CHARS = re.compile(r"[#\t\r\x00\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _fast_directive_text(argument: str, content: str):
    """myst's parse_directive_text for the common shape of a need, or None if unsure.

    Agreement with myst-parser is a tested property (tests/check/test_needs_source.py).
    """
    if content.startswith("---") or not content.lstrip().startswith(":"):
        return None
    lines = content.splitlines()
    options: dict[str, str] = {}
    count = 0
    while count < len(lines) and is_option_line(lines[count]):
        yaml_line = lines[count].lstrip()[1:]
        match = None if _SLOW_CHARS.search(yaml_line) else _FAST_OPTION.fullmatch(yaml_line)
        if match is None:
            return None
        options[match.group(1)] = match.group(2) or ""
        count += 1
    body = "\n".join(lines[count:]).splitlines()  # as myst re-joins and re-splits the body
    if body and not body[0].strip():
        body = body[1:]
        count += 1
    arguments = parse_directive_arguments(_NeedDirective, argument)
    return (arguments[0] if arguments else ""), options, body, count


def parse_need_text(argument: str, content: str, line: int, directive=None):
    """(title, options, body lines, body offset) of a directive, as myst-parser reads it."""
    cls = directive or _NeedDirective
    fast = _fast_directive_text(argument, content) if cls is _NeedDirective else None
    if fast is not None:
        return fast
    parsed = parse_directive_text(cls, argument, content, line=line)
    return (parsed.arguments[0] if parsed.arguments else ""), parsed.options, parsed.body, parsed.body_offset


def split_links(value: str) -> list[str]:
    return [item for raw in re.split(r",|;", value or "") if (item := raw.strip())]


def cite_keys(text: str) -> list[tuple[str, int]]:
    """Keys of citation roles in ``text`` with their 0-based line offsets."""
    out = []
    for match in CITE_RE.finditer(text):
        offset = text.count("\n", 0, match.start())
        for key in re.sub(r"\{[^{}]*\}", "", match.group(1)).split(","):
            if key.strip():
                out.append((key.strip(), offset))
    return out


@dataclass
class _Context:
    file: str
    docname: str
    doc_dir: Path | None
    allowed_roots: tuple[Path, ...]
    scan: DocScan


def scan_markdown(text: str, file: str, docname: str = "", doc_path: Path | None = None,
                  allowed_roots: tuple[Path, ...] = ()) -> DocScan:
    """Needs, citations and safety findings of one MyST document."""
    ctx = _Context(file, docname, doc_path.parent if doc_path else None, allowed_roots, DocScan())
    _scan(text, 0, ctx)
    return ctx.scan


def _scan(text: str, offset: int, ctx: _Context) -> None:
    md = _parser()
    try:
        tokens = md.parse(text)
    except Exception as exc:  # markdown-it is robust, but never crash on content
        ctx.scan.findings.append(finding("doc.unreadable", ctx.file, offset + 1, f"cannot parse: {exc}"))
        return
    for token in tokens:
        line = offset + (token.map[0] if token.map else 0) + 1
        if token.type == "html_block":
            ctx.scan.findings.append(finding("safe.raw-html", ctx.file, line,
                                             f"raw HTML block: {_snippet(token.content)}"))
        elif token.type == "inline":
            _scan_inline(token.content, line, ctx, md)
        elif token.type in ("fence", "colon_fence"):
            _scan_directive(token.info.strip(), token.content, line, ctx)


def _scan_inline(content: str, line: int, ctx: _Context, md) -> None:
    for key, delta in cite_keys(content):
        ctx.scan.citations.append(Citation(key, ctx.file, line + delta))
    if "<" in content:
        children = _parser(inline=True).parseInline(content)[0].children or []
        for child in children:
            if child.type == "html_inline":
                ctx.scan.findings.append(finding("safe.raw-html", ctx.file, line,
                                                 f"inline HTML: {_snippet(child.content)}"))


def _scan_directive(info: str, content: str, line: int, ctx: _Context) -> None:
    match = _INFO_RE.match(info)
    if not match:
        return  # a code block
    name, argument = match.group(1), match.group(2)
    if name == "raw":
        ctx.scan.findings.append(finding("safe.raw-directive", ctx.file, line, f"raw directive ({argument or 'no format'})"))
        return
    if name in ("include", "literalinclude"):
        _check_include(name, argument, line, ctx)
        return
    if name == "eval-rst":
        for rst in _RST_UNSAFE.finditer(content):
            rst_line = line + 1 + content.count("\n", 0, rst.start())
            if rst.group(1) == "raw":
                ctx.scan.findings.append(finding("safe.raw-directive", ctx.file, rst_line, "raw directive in eval-rst"))
            else:
                _check_include(rst.group(1), rst.group(2), rst_line, ctx)
        return
    if name in LITERAL_DIRECTIVES:
        return
    cls = _NeedDirective if name in NEED_TYPES else _GenericDirective
    title, options, body, body_start = argument, {}, content, line + 1
    try:
        title, options, lines, body_offset = parse_need_text(argument, content, line, cls)
    except Exception:  # MarkupError: the build reports it; take the body as it is
        pass
    else:
        body, body_start = "\n".join(lines), line + 1 + max(body_offset, 0)
    if name in NEED_TYPES:
        _add_need(name, title, options, line, ctx, body)
    if any(marker in body for marker in _FAST_PATH_MARKERS):
        _scan(body, body_start - 1, ctx)
    else:
        for key, delta in cite_keys(body):
            ctx.scan.citations.append(Citation(key, ctx.file, body_start + delta))


def _add_need(kind: str, title: str, options: dict[str, Any], line: int, ctx: _Context, body: str = "") -> None:
    values = {k: ("" if v is None else str(v)) for k, v in options.items()}
    links = {name: split_links(values.pop(name)) for name in LINK_NAMES if name in values}
    need_id = values.pop("id", "")
    fields = {k: v for k, v in values.items()}
    ctx.scan.needs.append(Need(need_id, kind, title or "", fields, links, ctx.docname, ctx.file, line, body))


def _check_include(name: str, argument: str, line: int, ctx: _Context) -> None:
    target = argument.strip()
    if not target or ctx.doc_dir is None or not ctx.allowed_roots:
        return
    if target.startswith("<") or "://" in target:
        ctx.scan.findings.append(finding("safe.include-outside", ctx.file, line,
                                         f"{name} of {target!r}: only files under docs/ or seeds/ may be included"))
        return
    base = ctx.allowed_roots[0] if target.startswith("/") else ctx.doc_dir
    resolved = (base / target.lstrip("/")).resolve()
    if not any(resolved.is_relative_to(root.resolve()) for root in ctx.allowed_roots):
        ctx.scan.findings.append(finding("safe.include-outside", ctx.file, line,
                                         f"{name} of {target!r} resolves outside docs/ and seeds/"))


def _snippet(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text[:width] + ("..." if len(text) > width else ""))


def iter_documents(docs_dir: Path) -> list[Path]:
    """MyST documents under ``docs_dir``, skipping build output and hidden folders."""
    out = []
    for path in sorted(docs_dir.rglob("*.md")):
        parts = path.relative_to(docs_dir).parts
        if any(p.startswith((".", "_build")) for p in parts[:-1]):
            continue
        out.append(path)
    return out


def scan_file(path: Path, root: Path, docs_dir: Path, text: str | None = None) -> DocScan:
    display = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    docname = path.relative_to(docs_dir).with_suffix("").as_posix()
    if text is None:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            scan = scan_markdown(raw.decode("utf-8", errors="replace"), display, docname, path,
                                 (docs_dir, root / "seeds"))
            scan.findings.append(finding("doc.unreadable", display, raw.count(b"\n", 0, exc.start) + 1,
                                         f"byte 0x{raw[exc.start]:02X} is not UTF-8"))
            return scan
    return scan_markdown(text, display, docname, path, (docs_dir, root / "seeds"))
