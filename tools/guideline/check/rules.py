"""Every rule the validator knows: stable id, default severity, message, hint, examples.

The registry is the single source for the checks (:func:`finding`), the report
and the docs page that documents each rule with a bad and a good example.
"""

from __future__ import annotations

from dataclasses import dataclass

from .findings import Finding


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    hint: str
    bad: str
    good: str
    lang: str = "bibtex"


_ART = """@article{{Moreau2022,
  author = {{Moreau, Philippe and others}},
  title = {{Teclistamab in relapsed or refractory multiple myeloma}},
  journal = {{N Engl J Med}}, year = {{2022}}, volume = {{{vol}}},
  pages = {{{pages}}}, doi = {{{doi}}}, issn = {{{issn}}},{extra}
}}"""


def _art(vol="387", pages="495--505", doi="10.1056/NEJMoa2203478", issn="0028-4793", extra=""):
    return _ART.format(vol=vol, pages=pages, doi=doi, issn=issn, extra=extra)


_CLAIM = """```{{claim}} Response rate
:id: CLM_MAJES_01
:cite: Moreau2022
:quote: {quote}
:verification: {verification}
```"""

_REC = """```{{rec}} Offer teclistamab
:id: REC_TEC_01
:status: {status}
:based_on: {based_on}
:grade: A
:level: I
:introduced: 2026.1
:last_reviewed: {reviewed}
```"""


def _claim(assertion="source statement", body="", quote="Teclistamab in relapsed", extra=""):
    """A claim with the panel's assertion (and optionally a body) for the examples."""
    text = (f"```{{claim}} Teclistamab studied in relapse\n:id: CLM_MAJES_01\n:cite: Moreau2022\n"
            f":quote: {quote}\n")
    text += f":assertion: {assertion}\n" if assertion else ""
    return text + extra + (f"\n{body}\n" if body else "") + "```"


def _rec(status="approved", based_on="CLM_MAJES_01", reviewed="2026-01-10", extra=""):
    return _REC.format(status=status, based_on=based_on, reviewed=reviewed) + extra


RULES: dict[str, Rule] = {}


def _add(*rules: Rule) -> None:
    for rule in rules:
        RULES[rule.id] = rule


_add(
    Rule("bib.syntax", "error", ".bib file cannot be parsed (located by line)",
         "Fix the BibTeX syntax at the given line: balanced braces, a comma between fields.",
         "@article{Moreau2022,\n  title = {Teclistamab in {RRMM},\n  year = {2022}\n",
         "@article{Moreau2022,\n  title = {Teclistamab in {RRMM}},\n  year = {2022}\n}"),
    Rule("bib.encoding", "error", ".bib file is not valid UTF-8",
         "Save the file as UTF-8 (the build reads it with bibtex_encoding = utf-8).",
         "title = {M\\xfcller} % latin-1 byte 0xFC", "title = {Müller}  % or {M{\\\"u}ller}"),
    Rule("bib.required-field", "error", "entry lacks a field required for its type",
         "Add the field, or declare it known-absent with `missing = {field, ...}`.",
         _art().replace("  pages = {495--505}, ", "  "), _art()),
    Rule("bib.unverified-field", "warning",
         "required field declared missing with `missing = {...}` (counted as unverified)",
         "Find the metadata and add it, then drop it from `missing`.",
         "@misc{Talk2024,\n  title = {Late-breaking abstract},\n  year = {2024},\n  missing = {author}\n}",
         "@misc{Talk2024,\n  author = {Lee, Ann},\n  title = {Late-breaking abstract},\n  year = {2024},\n  howpublished = {ASH 2024}\n}"),
    Rule("bib.missing-present", "warning", "field declared in `missing` is present",
         "Remove it from `missing`.",
         _art(extra="\n  missing = {pages},"), _art()),
    Rule("bib.duplicate-key", "error", "the same key is defined twice",
         "Keep one entry per key; rename or delete the other.",
         "@article{Moreau2022, ...}\n@article{Moreau2022, ...}", "@article{Moreau2022, ...}\n@article{Usmani2021, ...}"),
    Rule("bib.duplicate-work", "error", "one work under two keys (same DOI, or same title and year)",
         "Cite one key everywhere and delete the other entry.",
         "@article{Moreau2022, doi = {10.1056/NEJMoa2203478}, ...}\n@article{MajesTEC1, doi = {10.1056/NEJMoa2203478}, ...}",
         "@article{Moreau2022, doi = {10.1056/NEJMoa2203478}, ...}"),
    Rule("bib.uncited", "warning", "entry is never cited in the documents or by a need",
         "Cite it, or remove it from references.bib.",
         "references.bib has @article{Old2019, ...}; no page cites Old2019",
         "a page or a need cites it: {cite:p}`Old2019` or :cite: Old2019", "text"),
    Rule("bib.huge-field", "warning", "a field is implausibly long (pasted full text?)",
         "Keep abstracts short and store full text under seeds/.",
         "abstract = {<200,000 characters>}", "abstract = {Teclistamab ... (one paragraph)}"),
    Rule("doc.unreadable", "error", "a MyST document cannot be decoded or parsed",
         "Save the document as UTF-8.", "Dosis f\\xfcr (latin-1 byte)", "Dosis für (UTF-8)", "text"),
    Rule("cite.unknown-key", "error", "a citation or a need's `cite` names a key not in the .bib",
         "Fix the key or add the entry to references.bib.",
         "As shown {cite:p}`Morreau2022`.", "As shown {cite:p}`Moreau2022`.", "markdown"),
    Rule("id.doi", "error", "DOI is not a valid bare DOI",
         "Write the bare DOI (10.xxxx/...), without https://doi.org/ or spaces.",
         _art(doi="https://doi.org/10.1056/NEJMoa2203478"), _art()),
    Rule("id.issn", "error", "ISSN has a wrong check digit or format",
         "Copy the ISSN from the journal or the ISSN portal.", _art(issn="0028-4794"), _art()),
    Rule("id.pmid", "error", "PMID is not a PubMed identifier (digits only)",
         "Write digits only: pmid = {35661166}.", "pmid = {PMID:35661166x}", "pmid = {35661166}", "text"),
    Rule("id.nct", "error", "trial registration is not NCT followed by 8 digits",
         "Copy the NCT number from ClinicalTrials.gov.", "nct = {NCT0408367}", "nct = {NCT04557098}", "text"),
    Rule("id.pages", "error", "page range malformed or start page after end page",
         "Write the full range with --: 1234--1238 (not 1234-8).", _art(pages="505--495"), _art()),
    Rule("id.year", "error", "year is not a four-digit year, or lies after the edition date",
         "Fix the year; works cannot be published after the edition.", _art().replace("2022", "2099"), _art()),
    Rule("id.volume-year", "error", "journal volume inconsistent with the year (known volume calendar)",
         "Check volume and year against the journal; the calendar is in guideline/check/data/volumes.toml.",
         _art(vol="390"), _art()),
    Rule("id.pii", "error", "Elsevier PII inside the DOI disagrees with the entry's ISSN or year",
         "The DOI probably belongs to another article: copy it from the publisher page.",
         "@article{Lee2019, journal = {Lancet Oncol}, year = {2019}, issn = {1470-2045},\n"
         "  doi = {10.1016/S0140-6736(19)30001-1}, ...}",
         "@article{Lee2019, journal = {Lancet Oncol}, year = {2019}, issn = {1470-2045},\n"
         "  doi = {10.1016/S1470-2045(19)30001-1}, ...}"),
    Rule("ev.no-source", "error", "no source need for the claim's cite key",
         "Add a ```{source}``` need with the same :cite: that appraises the document.",
         _CLAIM.format(quote="Teclistamab in relapsed", verification="verified") + "\n(no source need cites Moreau2022)",
         _CLAIM.format(quote="Teclistamab in relapsed", verification="verified")
         + "\n```{source} MajesTEC-1\n:id: SRC_MAJES\n:cite: Moreau2022\n:kind: primary trial report\n:reliability: high\n:file: seeds/majestec1.txt\n```",
         "markdown"),
    Rule("ev.source-file", "error", "a source's `file` is missing, unreadable or outside seeds/",
         "Put the source's text under seeds/ (UTF-8) and name it in :file:.",
         ":file: seeds/missing.txt", ":file: seeds/majestec1.txt", "text"),
    Rule("ev.quote-not-found", "error", "a claim's quote does not occur in its source's text",
         "Copy the exact words; only spacing, dashes and quote marks are normalised, never words or numbers.",
         _CLAIM.format(quote="overall response rate was 73%", verification="verified"),
         _CLAIM.format(quote="overall response rate was 63.0%", verification="verified"), "markdown"),
    Rule("ev.rec-no-status", "error", "a recommendation has no status",
         "Add :status: draft|approved|superseded|retired.",
         _rec().replace(":status: approved\n", ""), _rec(), "markdown"),
    Rule("ev.rec-unsupported", "error",
         "a recommendation has no verified claim from a source of at least moderate reliability",
         "Base it on a verified claim from a high- or moderate-reliability source.",
         _rec(based_on="CLM_NEWS_01") + "\n(CLM_NEWS_01 is unverified / from a low-reliability source)",
         _rec(based_on="CLM_MAJES_01") + "\n(CLM_MAJES_01 is verified, its source reliability is high)", "markdown"),
    Rule("ev.approved-contradicted", "error", "an approved recommendation rests on a contradicted claim",
         "Remove the contradicted claim from based_on, or keep the recommendation in draft.",
         _rec(based_on="CLM_MAJES_01, CLM_BLOG_01") + "\n(CLM_BLOG_01 has :verification: contradicted)",
         _rec(based_on="CLM_MAJES_01"), "markdown"),
    Rule("ev.approved-unreliable", "error", "an approved recommendation rests on a claim from an unreliable source",
         "Drop the claim from based_on, or keep the recommendation in draft.",
         _rec(based_on="CLM_MAJES_01, CLM_GPT_01") + "\n(CLM_GPT_01 cites a source with :reliability: unreliable)",
         _rec(based_on="CLM_MAJES_01"), "markdown"),
    Rule("ev.superseded-orphan", "error", "a superseded recommendation is not named by any successor's `supersedes`",
         "Add :supersedes: REC_... to the recommendation that replaces it.",
         _rec(status="superseded"), _rec(status="superseded") + "\n" + _rec().replace("REC_TEC_01", "REC_TEC_02")
         .replace(":last_reviewed", ":supersedes: REC_TEC_01\n:last_reviewed"), "markdown"),
    Rule("ev.supersedes-cycle", "error", "`supersedes` links form a cycle",
         "A recommendation cannot (indirectly) supersede itself: remove one link.",
         "REC_A_01 :supersedes: REC_B_01 and REC_B_01 :supersedes: REC_A_01",
         "REC_B_01 :supersedes: REC_A_01 only", "text"),
    Rule("ev.dead-link", "error", "a link names a need that does not exist",
         "Fix the ID or add the need.", _rec(based_on="CLM_MAJES_99"), _rec(), "markdown"),
    Rule("ev.bad-date", "error", "last_reviewed is not a real calendar date",
         "Write an existing date as YYYY-MM-DD.", _rec(reviewed="2025-02-30"), _rec(), "markdown"),
    Rule("ev.review-overdue", "warning",
         "last_reviewed is older than the review interval before the edition date (superseded and retired "
         "recommendations are exempt)",
         "Review the recommendation and update last_reviewed (interval in docs/guideline.toml).",
         _rec(reviewed="2019-01-01"), _rec(), "markdown"),
    Rule("ev.grade-incoherent", "error",
         "a recommendation's grade (or GRADE certainty) is one its level or its evidence does not allow "
         "(requirements in docs/guideline.toml)",
         "Lower the grade to one the evidence allows, add the evidence the grade needs, or make it a good "
         "practice statement (gps) if it meets GRADE's criteria.",
         _rec().replace(":level: I", ":level: V") + "\n(grading.requirements.A allows level I only)",
         _rec().replace(":grade: A", ":grade: C").replace(":level: I", ":level: V"), "markdown"),
    Rule("ev.grade-strong-low-certainty", "error",
         "a strong GRADE recommendation on a certainty the scheme does not accept for it (low or very low), "
         "without a declared paradigmatic situation",
         "Make it conditional, or declare the paradigmatic situation in :paradigm:.",
         "```{rec} Give it\n:strength: strong\n:direction: for\n:certainty: very low\n...\n```",
         "```{rec} Give it\n:strength: strong\n:direction: for\n:certainty: very low\n"
         ":paradigm: life-threatening situation, no alternative\n...\n```", "markdown"),
    Rule("ev.gps-no-rationale", "error",
         "a good practice statement has no explicit **Rationale:** paragraph",
         "State why the message is necessary and its net benefit unequivocal, and which indirect evidence "
         "connects to it.",
         "```{gps} Grade CRS with one system\n:id: GPS_CRS_01\n...\n\nGrade CRS.\n```",
         "```{gps} Grade CRS with one system\n:id: GPS_CRS_01\n...\n\nGrade CRS.\n\n"
         "**Rationale:** a common grading makes toxicity comparable.\n```", "markdown"),
    Rule("ev.assertion-missing", "error", "a claim carries no panel assertion",
         "Add :assertion: corroborated, source statement or contradicted.",
         _claim(assertion=""), _claim(), "markdown"),
    Rule("ev.corroboration", "error",
         "a claim asserted corroborated has no corroborated_by claim from another (not contradicted) source, "
         "or corroborated_by is set on a claim not asserted corroborated",
         "Link the independent claim with :corroborated_by:, or assert 'source statement'.",
         _claim("corroborated"), _claim("corroborated", extra=":corroborated_by: CLM_IMWG_02\n"), "markdown"),
    Rule("ev.contradicted-uncorrected", "error", "a claim asserted contradicted is not contradicted by any claim",
         "Add the correcting claim, from its own cited source, with :contradicts: naming this claim.",
         _claim("contradicted", quote="both target BCMA"),
         _claim("contradicted", quote="both target BCMA")
         + "\n(and a claim from another source with :contradicts: CLM_MAJES_01)", "markdown"),
    Rule("ev.claim-unfaithful", "error",
         "a claim's title or restatement has a number (with its unit), a drug name or a negation its quote "
         "does not have",
         "Say no more than the quote: move the panel's comments to a paragraph starting with **Note:**.",
         _claim(body="Teclistamab gave a 63% response rate in relapsed myeloma."),
         _claim(body="Teclistamab was studied in relapsed myeloma.\n\n**Note:** no figures are on file."),
         "markdown"),
    Rule("safe.raw-html", "error", "raw HTML in guideline content",
         "Use MyST syntax; clinical text must not carry HTML or scripts.",
         "Dose <script>alert(1)</script> weekly.", "Dose **weekly**.", "markdown"),
    Rule("safe.raw-directive", "error", "a `raw` directive in guideline content",
         "Use MyST markup instead of raw output.", "```{raw} html\n<iframe src=...>\n```", "Use a MyST link.", "markdown"),
    Rule("safe.include-outside", "error", "`include`/`literalinclude` of a file outside docs/ and seeds/",
         "Move the file under docs/ or seeds/.", "```{include} ../../etc/passwd\n```",
         "```{literalinclude} ../seeds/majestec1.txt\n```", "markdown"),
    Rule("lock.syntax", "error", "references.lock.json cannot be read",
         "Regenerate it with `guideline check --online`.", "{\"entries\": [", "{\"format\": 1, \"entries\": {}}", "json"),
    Rule("lock.unverified", "info", "reference never verified online (or its identifiers changed since)",
         "Run `guideline check --online` and commit references.lock.json.",
         "Moreau2022 absent from references.lock.json", "Moreau2022 in the lock with status verified", "text"),
    Rule("lock.drift", "warning", "the .bib entry differs from the metadata verified in the lock",
         "Fix the entry, or re-verify with `guideline check --online` if the registry changed.",
         "bib volume = {388}; lock (Crossref) volume 387", "bib volume = {387}; lock volume 387", "text"),
    Rule("lock.retracted", "error", "the lock records a retraction or expression of concern",
         "Do not cite retracted work as evidence; cite the notice if discussing it.",
         "lock: Moreau2022 status retracted", "lock: Moreau2022 status verified", "text"),
    Rule("lock.not-found", "error", "the lock records an identifier the registry does not know",
         "Fix the identifier and re-verify.", "lock: Moreau2022 doi not found", "lock: status verified", "text"),
    Rule("lock.stale", "info", "the lock has an entry whose key is no longer in the .bib",
         "Re-run `guideline check --online` to prune it.", "lock has Old2019; .bib has not",
         "lock keys are .bib keys", "text"),
    Rule("online.retracted", "error", "Crossref or PubMed reports a retraction or expression of concern",
         "Do not base recommendations on it; cite the notice if discussing it.",
         "Crossref updated-by: {type: retraction}", "no retraction notice", "text"),
    Rule("online.not-found", "error", "the registry does not know the identifier (404)",
         "Fix the DOI, PMID or NCT number.", "doi = {10.1056/NEJMoa0000000}", "doi = {10.1056/NEJMoa2203478}", "text"),
    Rule("online.mismatch", "error", "registry metadata (title, year, volume, issue, pages) differs from the entry",
         "Correct the entry from the registry record.", "bib pages 495--506; Crossref 495-505",
         "bib pages 495--505; Crossref 495-505", "text"),
    Rule("online.journal-mismatch", "warning", "journal name differs from the registry's (full or short) title",
         "Use the journal's name or its NLM abbreviation.", "journal = {NEJM}", "journal = {N Engl J Med}", "text"),
    Rule("online.unavailable", "error", "an online registry could not be reached or answered with an error",
         "Check the network (or run without --online); nothing was verified.", "(offline)", "(online)", "text"),
)


# Living surveillance (guideline.surveillance): docs/surveillance.toml, docs/surveillance-log.jsonl.
_add(
    Rule("surv.config", "error", "docs/surveillance.toml cannot be read or names an unknown key",
         "Fix the saved searches at the given line (see the Living process page).",
         "[[search]]\nid = \"EMD\"\ninterval_days = 0", "[[search]]\nid = \"emd\"\ninterval_days = 7\n"
         "topics = [\"EMD\"]\npubmed = 'extramedullary[tiab] AND myeloma[tiab]'", "toml"),
    Rule("surv.log", "error", "the surveillance log has a malformed line or an incomplete decision",
         "One JSON object a line; a decision needs state, reason and by (use `guideline watch triage`).",
         '{"event": "triage", "id": "PMID:1", "state": "relevant"}',
         '{"event": "triage", "id": "PMID:1", "state": "relevant", "reason": "new phase 3 data", '
         '"by": "panel", "date": "2026-12-01"}', "json"),
    Rule("surv.retracted-source", "error",
         "a recommendation rests on a cited work that was retracted or withdrawn (error when approved, "
         "warning when draft, info when superseded or retired)",
         "Take the claim out of based_on and review the recommendation; cite the notice if discussing it.",
         "REC_TEC_01 based_on CLM_MAJES_01 (cite Moreau2022); log: DOI:10.1056/nejmoa2203478@retraction",
         "REC_TEC_01 based_on claims whose sources stand", "text"),
    Rule("surv.evidence-changed", "warning",
         "evidence under a recommendation changed since its last review: an expression of concern on a cited "
         "work, or a hit triaged relevant (new study on its topic, correction, posted result)",
         "Review the recommendation and update last_reviewed (or triage the hit `included` once taken in).",
         "REC_EMD_01 last_reviewed 2026-11-21; PMID:41000001 on topic EMD triaged relevant on 2026-12-02",
         "REC_EMD_01 last_reviewed 2026-12-05", "text"),
    Rule("surv.overdue", "warning", "a saved search has not run successfully within its interval",
         "Run `guideline watch` (on a machine that can reach the registries) and commit the log.",
         "interval_days = 7; last successful run 30 days ago", "last successful run 3 days ago", "text"),
    Rule("surv.never-run", "info", "a saved search has never run: no surveillance result is recorded for it",
         "Run `guideline watch` and commit docs/surveillance-log.jsonl.",
         "search 'teclistamab' absent from the log", "a run of 'teclistamab' in the log", "text"),
    Rule("surv.untriaged", "info", "surveillance hits await the panel's triage",
         "Triage each: `guideline watch triage <id> relevant|not-relevant|included --reason ... --by ...`.",
         '{"event": "hit", "id": "PMID:1", "state": "new", ...}', '{"event": "triage", "id": "PMID:1", ...}', "text"),
    Rule("surv.unknown-rec", "warning", "a saved search names a recommendation or topic that does not exist",
         "Fix the ID or topic in docs/surveillance.toml.", 'recommendations = ["REC_EMD_09"]',
         'recommendations = ["REC_EMD_01"]', "toml"),
    Rule("surv.trigger", "error", "an edition's triggered_by names no hit of the surveillance log "
         "(warning when the hit is untriaged or not relevant)",
         "Name hits by their id in the log (docs/surveillance-log.jsonl) and triage them.",
         'triggered_by = ["PMID:00000"]', 'triggered_by = ["PMID:41000001"]', "toml"),
)


# Rules added for hostile input (issue 9): bounded .bib parsing, registries that answer badly,
# the Sphinx read phase that `guideline check` shares with the build.
_add(
    Rule("bib.limit", "error",
         "the .bib file exceeds a parsing limit (file size, field length after @string expansion, brace nesting)",
         "Shorten the field or the file; @string macros that double themselves are refused before they grow.",
         '@string{a = "xxxxxxxx"}\n@string{b = a # a}\n@string{c = b # b}\n... (doubling to 134 MB)',
         '@string{nejm = "N Engl J Med"}'),
    Rule("lock.mismatch", "error", "the lock records that the registry contradicted the entry",
         "Correct the entry from the registry record, then re-run `guideline check --online`.",
         "lock: Moreau2022 status mismatch (crossref: volume 388 vs 387)", "lock: Moreau2022 status verified", "text"),
    Rule("online.malformed", "error",
         "a registry answered with a record the checker cannot use (wrong shape, malformed field, too large)",
         "Nothing was learnt about this reference: retry later; if it persists, report it to the registry.",
         'Crossref: "issued": {"date-parts": [["x"]]}', 'Crossref: "issued": {"date-parts": [[2022, 8, 11]]}', "text"),
    Rule("build.aborted", "error", "the Sphinx read of docs/ stopped before it finished (configuration or extension error)",
         "Fix the problem named in the message; `guideline build` stops on it too.",
         "docs/conf.py: extensions = [\"no_such_extension\"]", "docs/conf.py as shipped", "text"),
)


def finding(rule_id: str, file: str, line: int, message: str, hint: str | None = None,
            severity: str | None = None) -> Finding:
    rule = RULES[rule_id]
    return Finding(rule_id, severity or rule.severity, file, line or 0, message,
                   rule.hint if hint is None else hint)
