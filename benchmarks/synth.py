"""Deterministic synthetic guidelines for the build benchmark.

One guideline model (pages of recommendations, claims and sources, a
references.bib and the seed texts) is rendered three ways, so the three builds
see the same text:

``project``
    what the guideline repository holds: ``guideline.sphinxext`` (model,
    validation, views ``{rec-summary}`` / ``{traceability}``), the Lancet style.
``peer``
    the same needs with plain sphinx-needs + sphinxcontrib-bibtex; the need
    types, fields and links are written out literally in conf.py and the
    project's views become ``needtable`` directives.
``floor``
    the same text as plain MyST admonitions, no needs and no bibtex; the view
    pages are static tables with the same rows.

Each page holds 20 needs (5 sources, 10 claims, 5 recommendations), the density
the GUIDE anchors were measured with. Every need cites its source; each
recommendation is based on two claims on its page and one on the previous page
(cross-page links); every fifth page has a superseded recommendation and its
successor. The content passes the project's model rules and the validator's
evidence rules (quotes occur verbatim in the seed texts).

    python benchmarks/synth.py --needs 1000 --variant project /tmp/g1000
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

VARIANTS = ("project", "peer", "floor")
NEEDS_PER_PAGE = 20
SOURCES_PER_PAGE = 5
CLAIMS_PER_SOURCE = 2
SEED = 6

DRUGS = ("teclistamab", "elranatamab", "talquetamab", "linvoseltamab", "cevostamab", "alnuctamab",
         "etentamig", "forimtamig")
SETTINGS = ("after at least three prior lines of therapy", "in triple-class exposed disease",
            "after prior BCMA-directed therapy", "in penta-refractory disease",
            "in patients with extramedullary disease", "in patients aged 75 years or older",
            "with high-risk cytogenetics", "after relapse within 12 months of autologous transplant")
TOPICS = ("efficacy", "cytokine release syndrome", "neurotoxicity (ICANS)", "infection prophylaxis",
          "step-up dosing", "outpatient administration", "immunoglobulin replacement",
          "dose spacing", "sequencing after CAR-T", "vaccination", "haematological toxicity",
          "quality of life")
ACTIONS = ("Offer", "Consider", "Monitor for", "Give prophylaxis against", "Reduce the dose frequency of",
           "Do not routinely use")
OUTCOMES = ("overall response rate", "complete response rate", "rate of grade 3 or higher infections",
            "rate of cytokine release syndrome", "rate of ICANS", "12-month progression-free survival",
            "median duration of response", "rate of MRD negativity at 10^-5")
SURNAMES = ("Moreau", "Usmani", "Lesokhin", "Chari", "Bahlis", "Mateos", "Rodriguez-Otero", "Cohen",
            "Dimopoulos", "Garfall", "Nooka", "Raje", "Richardson", "San-Miguel", "Kumar", "Lonial",
            "Touzeau", "Bazarbachi", "Lee", "Ludwig", "Mohty", "Popat", "Sonneveld", "Terpos")
INITIALS = ("P", "SZ", "AM", "A", "NJ", "MV", "P", "AD", "MA", "AJ", "AK", "N", "PG", "J", "SK", "S")
# Journals without a volume calendar in the validator, so any volume is accepted.
JOURNALS = (("Haematologica", "10.3324/haematol"), ("Blood Adv", "10.1182/bloodadvances"),
            ("Br J Haematol", "10.1111/bjh"), ("Am J Hematol", "10.1002/ajh"),
            ("Clin Lymphoma Myeloma Leuk", "10.1016/j.clml"))
KINDS = ("primary trial report", "systematic review", "consensus guideline", "conference abstract")
GRADES = ("A", "B", "C", "D", "E")
LEVELS = ("I", "II", "III", "IV", "V")

GUIDELINE_TOML = """\
[guideline]
title = "Synthetic living guideline ({needs} needs)"
short_title = "Synthetic guideline"
review_interval_days = 365
contact = "bench@example.org"

[grading]
name = "Levels of evidence I-V and grades of recommendation A-E"

[grading.levels]
I = "At least one large randomised controlled trial of good methodological quality."
II = "Small randomised trials or large randomised trials with a suspicion of bias."
III = "Prospective cohort studies."
IV = "Retrospective cohort studies or case-control studies."
V = "Studies without a control group, case reports, expert opinion."

[grading.grades]
A = "Strong evidence for efficacy with a substantial clinical benefit; strongly recommended."
B = "Strong or moderate evidence for efficacy but with a limited clinical benefit; generally recommended."
C = "Insufficient evidence for efficacy; optional."
D = "Moderate evidence against efficacy or for adverse outcome; generally not recommended."
E = "Strong evidence against efficacy or for adverse outcome; never recommended."
"""

_COMMON_CONF = """\
project = "Synthetic living guideline ({needs} needs)"
author = "benchmarks/synth.py"
root_doc = "index"
language = "en"
extensions = {extensions!r}
myst_enable_extensions = ["colon_fence", "deflist", "attrs_inline", "attrs_block", "fieldlist"]
exclude_patterns = ["_build"]
nitpicky = True
html_theme = "furo"
html_last_updated_fmt = None
html_show_sourcelink = False
"""

_BIBTEX_CONF = """\
bibtex_bibfiles = ["../references.bib"]
bibtex_default_style = {style!r}
bibtex_reference_style = "label"
bibtex_encoding = "utf-8"
bibtex_cite_id = "cite-{{key}}"
needs_build_json = True
needs_json_remove_defaults = False
needs_id_length = 3
"""


@dataclass
class Source:
    id: str
    key: str
    title: str
    kind: str
    reliability: str
    file: str
    authors: list[str]
    journal: str
    doi: str
    year: int
    volume: int
    pages: str
    text: list[str] = field(default_factory=list)  # seed text, one paragraph per line


@dataclass
class Claim:
    id: str
    title: str
    source: Source
    quote: str
    verification: str
    body: str


@dataclass
class Rec:
    id: str
    title: str
    body: str
    grade: str
    level: str
    status: str
    introduced: str
    last_reviewed: str
    based_on: list[str]
    supersedes: str = ""
    key: str = ""


@dataclass
class Page:
    name: str
    heading: str
    sources: list[Source]
    claims: list[Claim]
    recs: list[Rec]


@dataclass
class Guideline:
    needs: int
    pages: list[Page]

    @property
    def sources(self) -> list[Source]:
        return [s for p in self.pages for s in p.sources]

    @property
    def recs(self) -> list[Rec]:
        return [r for p in self.pages for r in p.recs]

    def claim(self, claim_id: str) -> Claim:
        return next(c for p in self.pages for c in p.claims if c.id == claim_id)


def _letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> ba: a short unique key suffix."""
    out = ""
    while True:
        out = chr(ord("a") + index % 26) + out
        index //= 26
        if not index:
            return out


def make_guideline(needs: int, seed: int = SEED) -> Guideline:
    """The guideline model; the same (needs, seed) always gives the same text."""
    rng = random.Random(seed * 1_000_003 + needs)
    pages: list[Page] = []
    for number in range(max(1, needs // NEEDS_PER_PAGE)):
        tag = f"P{number + 1:04d}"
        drug, topic = DRUGS[number % len(DRUGS)], TOPICS[(number // len(DRUGS)) % len(TOPICS)]
        sources, claims, recs = [], [], []
        for s in range(SOURCES_PER_PAGE):
            index = number * SOURCES_PER_PAGE + s
            surname = rng.choice(SURNAMES)
            year = rng.randint(2019, 2025)
            journal, prefix = JOURNALS[index % len(JOURNALS)]
            first = rng.randint(100, 2400)
            authors = [f"{surname}, {rng.choice(INITIALS)}"] + [
                f"{rng.choice(SURNAMES)}, {rng.choice(INITIALS)}" for _ in range(rng.randint(2, 9))]
            kind = KINDS[index % len(KINDS)]
            sources.append(Source(
                id=f"SRC_{tag}{chr(ord('A') + s)}", key=f"{surname.replace('-', '')}{year}{_letters(index)}",
                title=f"{drug.capitalize()} {SETTINGS[index % len(SETTINGS)]}: {kind} {index + 1}",
                kind=kind, reliability="high" if s % 2 == 0 else "moderate",
                file=f"seeds/src-{index + 1:05d}.txt", authors=authors, journal=journal,
                doi=f"{prefix}.{year}.{index + 1:06d}", year=year, volume=year - 1915 + index % 3,
                pages=f"{first}--{first + rng.randint(5, 14)}",
            ))
        for c in range(SOURCES_PER_PAGE * CLAIMS_PER_SOURCE):
            source = sources[c // CLAIMS_PER_SOURCE]
            outcome = OUTCOMES[(number + c) % len(OUTCOMES)]
            value = f"{rng.randint(5, 85)}.{rng.randint(0, 9)}%"
            low = f"{rng.randint(1, 4)}.{rng.randint(0, 9)}"
            quote = f"the {outcome} was {value} (95% CI {low} points either side) with {drug} {SETTINGS[c % len(SETTINGS)]}"
            source.text.append(f"In this report of {rng.randint(40, 900)} patients, {quote}.")
            claims.append(Claim(
                id=f"CLM_{tag}_{c + 1:02d}", title=f"{outcome.capitalize()} with {drug}",
                source=source, quote=quote, verification="verified" if c % 2 == 0 else "unverified",
                body=f"The source reports that {quote}."))
        for r in range(SOURCES_PER_PAGE):
            based_on = [claims[2 * r].id, claims[2 * r + 1].id]
            if pages:  # a link to the previous page
                based_on.append(pages[-1].claims[2 * r].id)
            action = ACTIONS[(number + r) % len(ACTIONS)]
            recs.append(Rec(
                id=f"REC_{tag}_{r + 1:02d}",
                title=f"{action} {drug} {SETTINGS[(number + r) % len(SETTINGS)]}",
                body=(f"{action} {drug} {SETTINGS[(number + r) % len(SETTINGS)]}, with attention to {topic}; "
                      f"weigh the {OUTCOMES[r % len(OUTCOMES)]} against the burden of treatment."),
                grade=GRADES[rng.randrange(3)], level=LEVELS[rng.randrange(5)], status="approved",
                introduced=f"{rng.randint(2024, 2026)}.{rng.randint(1, 3)}",
                last_reviewed=f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
                based_on=based_on, key=sources[r].key))
        if number % 5 == 4:  # an updated recommendation replaces an older one
            recs[4].status = "superseded"
            recs[3].supersedes = recs[4].id
        if number % 7 == 3:
            recs[2].status = "draft"
        pages.append(Page(f"chapters/{tag.lower()}", f"{number + 1}. {drug.capitalize()}: {topic}",
                          sources, claims, recs))
    return Guideline(needs, pages)


# --- rendering -------------------------------------------------------------------------------------

def _bib(sources: list[Source]) -> str:
    out = []
    for s in sources:
        out.append(
            f"@article{{{s.key},\n  author = {{{' and '.join(s.authors)}}},\n  title = {{{s.title}}},\n"
            f"  journal = {{{s.journal}}},\n  year = {{{s.year}}},\n  volume = {{{s.volume}}},\n"
            f"  pages = {{{s.pages}}},\n  doi = {{{s.doi}}},\n}}\n")
    return "\n".join(out)


def _options(pairs: list[tuple[str, str]]) -> str:
    return "".join(f":{name}: {value}\n" for name, value in pairs if value)


def _need(directive: str, title: str, options: list[tuple[str, str]], body: str) -> str:
    return f"```{{{directive}}} {title}\n{_options(options)}\n{body}\n```\n"


def _admonition(label: str, need_id: str, title: str, options: list[tuple[str, str]], body: str) -> str:
    # The floor: the same words, as a plain admonition with a field list.
    fields = "".join(f"- {name.replace('_', ' ').capitalize()}: {value}\n" for name, value in options
                     if value and name != "id")
    return f"```{{admonition}} {label} {need_id}: {title}\n{fields}\n{body}\n```\n"


def _cite(key: str, variant: str) -> str:
    return f"[{key}]" if variant == "floor" else f"{{cite:p}}`{key}`"


def source_options(s: Source) -> list[tuple[str, str]]:
    return [("id", s.id), ("cite", s.key), ("kind", s.kind), ("reliability", s.reliability), ("file", s.file)]


def claim_options(c: Claim) -> list[tuple[str, str]]:
    return [("id", c.id), ("cite", c.source.key), ("quote", c.quote), ("verification", c.verification)]


def rec_options(r: Rec) -> list[tuple[str, str]]:
    return [("id", r.id), ("grade", r.grade), ("level", r.level), ("status", r.status),
            ("introduced", r.introduced), ("last_reviewed", r.last_reviewed),
            ("based_on", ", ".join(r.based_on)), ("supersedes", r.supersedes)]


def render_page(page: Page, variant: str) -> str:
    parts = [f"# {page.heading}\n"]
    items = ([("source", "Source", s.id, s.title, source_options(s),
               f"Appraisal of {s.kind} {_cite(s.key, variant)}.") for s in page.sources]
             + [("claim", "Claim", c.id, c.title, claim_options(c), f"{c.body} {_cite(c.source.key, variant)}")
                for c in page.claims]
             + [("rec", "Recommendation", r.id, r.title, rec_options(r), f"{r.body} {_cite(r.key, variant)}")
                for r in page.recs])
    for directive, label, need_id, title, options, body in items:
        if variant == "floor":
            parts.append(_admonition(label, need_id, title, options, body))
        else:
            parts.append(_need(directive, title, options, body))
    return "\n".join(parts)


def _md_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines) + "\n"


def render_views(g: Guideline, variant: str) -> dict[str, str]:
    """overview.md (rec summary) and traceability.md for each variant."""
    if variant == "project":
        return {"overview": "# Recommendations at a glance\n\n```{rec-summary}\n```\n",
                "traceability": "# Traceability\n\n```{traceability}\n```\n"}
    if variant == "peer":
        return {
            "overview": ("# Recommendations at a glance\n\n```{needtable}\n:types: rec\n:style: table\n"
                         ":columns: id;title;grade;level;status;introduced\n```\n"),
            "traceability": ("# Traceability\n\n```{needtable}\n:types: rec\n:style: table\n"
                             ":columns: id;based_on;supersedes\n```\n"),
        }
    recs = g.recs
    summary = _md_table(["ID", "Recommendation", "Grade", "Level", "Status", "Since"],
                        [[r.id, r.title, r.grade, r.level, r.status, r.introduced] for r in recs])
    trace_rows = []
    for r in recs:
        claims = [g.claim(c) for c in r.based_on]
        trace_rows.append([r.id, ", ".join(f"{c.id} ({c.verification})" for c in claims),
                           ", ".join(sorted({f"{c.source.id} ({c.source.reliability})" for c in claims})),
                           ", ".join(sorted({c.source.key for c in claims}))])
    return {"overview": "# Recommendations at a glance\n\n" + summary,
            "traceability": "# Traceability\n\n" + _md_table(
                ["Recommendation", "Claims (verification)", "Sources (reliability)", "References"], trace_rows)}


def has_integrity_report() -> bool:
    """The validator's report page exists once the integrity hook is part of the extension."""
    try:
        from guideline.sphinxext import integrity
    except ImportError:
        return False
    return hasattr(integrity, "IntegrityReport")


def render_integrity(variant: str) -> str:
    body = "```{integrity-report}\n```\n" if variant == "project" else "Not computed by this build.\n"
    return "# Evidence integrity\n\n" + body


def render_references(g: Guideline, variant: str) -> str:
    if variant != "floor":
        return "# References\n\n```{bibliography}\n```\n"
    lines = [f"{n}. {', '.join(a.split(',')[0] for a in s.authors[:6])}. {s.title}. {s.journal} {s.year}; "
             f"{s.volume}: {s.pages.replace('--', '-')}. doi:{s.doi}." for n, s in enumerate(g.sources, 1)]
    return "# References\n\n" + "\n".join(lines) + "\n"


def render_conf(g: Guideline, variant: str) -> str:
    if variant == "floor":
        return _COMMON_CONF.format(needs=g.needs, extensions=["myst_parser"])
    if variant == "project":
        extensions = ["myst_parser", "sphinxcontrib.bibtex", "guideline.sphinxext"]
        return (_COMMON_CONF.format(needs=g.needs, extensions=extensions)
                + _BIBTEX_CONF.format(style="lancet"))
    # The peer: the same need types, fields and links, written out for plain sphinx-needs.
    from guideline.grading import load_settings
    from guideline.model import GLOBAL_ID_REGEX
    from guideline.sphinxext.needs_config import links_config, need_types_config

    settings = load_settings_from_text(GUIDELINE_TOML.format(needs=g.needs), load_settings)
    return (_COMMON_CONF.format(needs=g.needs, extensions=["myst_parser", "sphinxcontrib.bibtex", "sphinx_needs"])
            + _BIBTEX_CONF.format(style="unsrt")
            + f"needs_types = {need_types_config(settings)!r}\n"
            + f"needs_links = {links_config()!r}\n"
            + f"needs_id_regex = {GLOBAL_ID_REGEX!r}\nneeds_id_required = True\n")


def load_settings_from_text(text: str, load_settings):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "guideline.toml").write_text(text, encoding="utf-8")
        return load_settings(tmp)


def write_site(g: Guideline, variant: str, root: Path) -> Path:
    """Write the guideline as a repository (docs/, references.bib, seeds/) under ``root``."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    if root.exists():
        shutil.rmtree(root)
    docs = root / "docs"
    (docs / "chapters").mkdir(parents=True)
    (docs / "_static").mkdir()
    (docs / "conf.py").write_text(render_conf(g, variant), encoding="utf-8")
    (docs / "guideline.toml").write_text(GUIDELINE_TOML.format(needs=g.needs), encoding="utf-8")
    extra = ["integrity"] if has_integrity_report() else []
    toc = ["overview", "traceability", *extra, *(p.name for p in g.pages), "references"]
    (docs / "index.md").write_text(
        f"# Synthetic living guideline\n\n{g.needs} needs on {len(g.pages)} pages.\n\n"
        "```{toctree}\n:maxdepth: 1\n\n" + "\n".join(toc) + "\n```\n", encoding="utf-8")
    for name, text in render_views(g, variant).items():
        (docs / f"{name}.md").write_text(text, encoding="utf-8")
    (docs / "references.md").write_text(render_references(g, variant), encoding="utf-8")
    if extra:
        (docs / "integrity.md").write_text(render_integrity(variant), encoding="utf-8")
    for page in g.pages:
        (docs / f"{page.name}.md").write_text(render_page(page, variant), encoding="utf-8")
    if variant != "floor":
        (root / "references.bib").write_text(_bib(g.sources), encoding="utf-8")
    (root / "seeds").mkdir()
    for s in g.sources:
        (root / s.file).write_text("\n".join(s.text) + "\n", encoding="utf-8")
    return root


def edit_one_need(g: Guideline, root: Path, variant: str, revision: int = 1) -> tuple[str, str]:
    """Change one recommendation's title on one page (the middle one); returns (need id, new title).

    The title is what the overview shows, so a correct incremental build must
    rewrite the overview page too.
    """
    page = g.pages[len(g.pages) // 2]
    rec = page.recs[0]
    new_title = f"{rec.title} (revision {revision})"
    path = root / "docs" / f"{page.name}.md"
    text = path.read_text(encoding="utf-8")
    old = (f"```{{rec}} {rec.title}\n" if variant != "floor"
           else f"```{{admonition}} Recommendation {rec.id}: {rec.title}\n")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, old.replace(rec.title, new_title)), encoding="utf-8")
    rec.title = new_title
    return rec.id, new_title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--needs", type=int, default=1000)
    parser.add_argument("--variant", choices=VARIANTS, default="project")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    g = make_guideline(args.needs, args.seed)
    write_site(g, args.variant, args.root)
    print(f"wrote {args.variant} guideline with {len(g.pages) * NEEDS_PER_PAGE} needs to {args.root}")


if __name__ == "__main__":
    main()
