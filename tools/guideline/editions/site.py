"""``guideline site``: every built edition in one static site, ``build/site/``.

- ``index.html``: the editions (id, date, status, summary, links to the HTML and
  both PDFs), newest first;
- ``<id>/``: each edition as built (html/, PDFs, needs.json, manifest.json...);
- ``latest/``: the newest final edition;
- every HTML page of any other edition carries a banner linking to the same
  page of the newest final edition (or its start page when the page is gone).

Files are hard-linked from build/editions/ where possible (fast, no copy);
rewritten pages are new files, so the editions themselves stay untouched.
Assembled in a temporary folder and renamed into place.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..errors import GuidelineError
from . import manifest, registry

BANNER_MARK = 'class="edition-banner"'
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)


def built_editions(root: Path) -> list[dict]:
    """Manifests of the built editions, oldest first (hidden and partial folders ignored)."""
    base = root / "build" / "editions"
    found = []
    if base.is_dir():
        for entry in base.iterdir():
            if entry.name.startswith(".") or not registry.ID_PATTERN.match(entry.name):
                continue
            data = manifest.read(entry)
            if data:
                found.append({**data["edition"], "path": entry, "files": data["files"]})
    return sorted(found, key=lambda e: tuple(int(x) for x in e["id"].split(".")))


def _link_tree(src: Path, dest: Path) -> None:
    for path in src.rglob("*"):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def banner(edition: dict, latest: dict, href: str) -> str:
    state = "a draft" if edition["status"] == "draft" else "an earlier edition"
    if tuple(map(int, edition["id"].split("."))) > tuple(map(int, latest["id"].split("."))):
        state = "a newer draft, not yet final"
    return (f'<div {BANNER_MARK} role="note" style="background:#fff1c2;border-bottom:2px solid #c9a227;'
            f'padding:0.6em 1em;font-family:sans-serif;font-size:0.95em">'
            f'You are reading edition {html.escape(edition["id"])} ({html.escape(edition["date"])}), '
            f'{state} of this guideline. The current edition is '
            f'<a href="{html.escape(href)}">edition {html.escape(latest["id"])} ({html.escape(latest["date"])})</a>.'
            f'</div>')


def _add_banners(site: Path, edition: dict, latest: dict) -> int:
    pages = 0
    html_dir = site / edition["id"] / "html"
    latest_html = site / latest["id"] / "html"
    for page in html_dir.rglob("*.html"):
        rel = page.relative_to(html_dir)
        same = latest_html / rel
        dest = same if same.is_file() else latest_html / "index.html"
        href = os.path.relpath(dest, page.parent).replace(os.sep, "/")
        text = page.read_text(encoding="utf-8")
        if BANNER_MARK in text:
            continue
        match = _BODY.search(text)
        if not match:
            continue
        text = text[:match.end()] + banner(edition, latest, href) + text[match.end():]
        page.unlink()  # a hard link: write a new file, never through the link into the edition
        page.write_text(text, encoding="utf-8")
        pages += 1
    return pages


def _landing(editions: list[dict], latest: dict | None, summaries: dict[str, str]) -> str:
    rows = []
    for ed in reversed(editions):
        eid = html.escape(ed["id"])
        status = "DRAFT" if ed["status"] == "draft" else html.escape(ed["status"])
        current = " (current)" if latest and ed["id"] == latest["id"] else ""
        summary = html.escape(summaries.get(ed["id"], ed.get("summary", "")))
        links = [f'<a href="{eid}/html/index.html">HTML</a>']
        for kind, label in (("full", "PDF"), ("handout", "Handout PDF")):
            name = f"{ed['id']}-{kind}.pdf"
            if name in ed["files"]:
                links.append(f'<a href="{eid}/{html.escape(name)}">{label}</a>')
        if "guideline.fhir.json" in ed["files"]:  # the computable guideline (docs: toolchain/computable)
            links.append(f'<a href="{eid}/guideline.fhir.json">FHIR bundle</a>')
        rows.append(f"<tr><td><strong>{eid}</strong>{current}</td><td>{html.escape(ed['date'])}</td>"
                    f"<td>{status}</td><td>{summary}</td><td>{' &middot; '.join(links)}</td></tr>")
    latest_line = (f'<p>Current edition: <a href="latest/html/index.html">{html.escape(latest["id"])}</a> '
                   f'(<a href="latest/">latest/</a>).</p>' if latest else "<p>No final edition yet.</p>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Editions of the guideline</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#1a1a1a}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ccc;padding:.5em;text-align:left;vertical-align:top}}
th{{background:#eef3f8}}.note{{background:#fbeff1;border-left:4px solid #b00020;padding:.5em 1em}}</style></head>
<body><h1>Editions of the guideline</h1>
<p class="note">Demonstration living guideline: not an official IMWG publication and not medical advice.</p>
{latest_line}
<table><thead><tr><th>Edition</th><th>Date</th><th>Status</th><th>What triggered it</th><th>Read</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


def assemble(root: Path, out: Path | None = None) -> dict:
    """Build the site into ``out`` (default build/site); returns what it holds."""
    editions = built_editions(root)
    if not editions:
        raise GuidelineError("build/editions", 0, "site.no-editions", "no built edition to publish",
                             "guideline edition build <id> first")
    try:
        summaries = {e.id: e.summary for e in registry.load(root)}
    except GuidelineError:
        summaries = {}
    finals = [e for e in editions if e["status"] == "final"]
    latest = finals[-1] if finals else None
    out = out or root / "build" / "site"
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}.", dir=out.parent))
    try:
        for ed in editions:
            _link_tree(ed["path"], work / ed["id"])
        bannered = 0
        if latest:
            for ed in editions:
                if ed["id"] != latest["id"]:
                    bannered += _add_banners(work, ed, latest)
            _link_tree(work / latest["id"], work / "latest")
        (work / "index.html").write_text(_landing(editions, latest, summaries), encoding="utf-8")
        aside = out.parent / f".{out.name}.previous"
        shutil.rmtree(aside, ignore_errors=True)
        if out.exists():
            out.rename(aside)
        work.rename(out)
        shutil.rmtree(aside, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return {"path": out, "editions": [e["id"] for e in editions], "latest": latest["id"] if latest else None,
            "bannered_pages": bannered}
