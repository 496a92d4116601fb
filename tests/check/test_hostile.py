"""Malformed and hostile inputs give findings, never a crash."""

from __future__ import annotations

from guideline.check.bibfile import parse_bib

from .conftest import BIB, INDEX, base_files, check


def rules(result):
    return {f.rule for f in result.findings}


def test_truncated_bib_is_located(repo, tmp_path):
    files = base_files()
    files["references.bib"] = BIB[: BIB.index("  volume")]
    result = check(repo(files))
    syntax = [f for f in result.findings if f.rule == "bib.syntax"]
    assert syntax and syntax[0].line == 6  # the end of the file, as pybtex counts
    assert "entry starting at line 1" in syntax[0].message
    assert "premature end of file" in syntax[0].message


def test_unbalanced_brace_names_the_entry(tmp_path):
    path = tmp_path / "x.bib"
    path.write_text("@article{a,\n  title = {One {two},\n  year = {2020}\n}\n@article{b, title = {x}}\n", encoding="utf-8")
    bib = parse_bib(path, "x.bib")
    assert [f.rule for f in bib.findings] == ["bib.syntax"]
    assert "entry starting at line 1" in bib.findings[0].message


def test_latin1_bib_reports_the_line_and_keeps_checking(repo):
    files = base_files()
    files["references.bib"] = BIB.replace("Moreau, Philippe", "Mor\u00e9au, Philippe").encode("latin-1") + \
        b"@article{x, title = {y}\n"
    result = check(repo(files))
    enc = [f for f in result.findings if f.rule == "bib.encoding"]
    assert enc and enc[0].line == 2
    assert "bib.syntax" in rules(result)  # the rest of the file was still parsed


def test_huge_field_and_huge_quote(repo):
    files = base_files()
    files["references.bib"] = BIB.replace("  issn =", "  abstract = {" + "x" * 500_000 + "},\n  issn =")
    files["docs/index.md"] = INDEX.replace("was 63.0 % - with a median duration", "y" * 200_000)
    result = check(repo(files))
    assert {"bib.huge-field", "ev.quote-not-found"} <= rules(result)


def test_quote_with_altered_number_is_not_found(repo):
    for altered in ("was 63.01 %", "was 6.30 %", "was 63,0 %", "was 630 %", "was 63.0 %% "):
        files = base_files()
        files["docs/index.md"] = INDEX.replace("was 63.0 %", altered)
        result = check(repo(files))
        assert "ev.quote-not-found" in rules(result), altered


def test_typography_differences_are_tolerated(repo):
    files = base_files()
    # curly quotes, en dash and a line break inside the quote, NBSP in the source
    files["seeds/majestec.txt"] = files["seeds/majestec.txt"].replace("multiple myeloma.", "\u201cmultiple\nmyeloma\u201d.")
    files["docs/index.md"] = INDEX.replace("was 63.0 % - with", "was 63.0 % \u2013 with")
    assert "ev.quote-not-found" not in rules(check(repo(files)))


def test_cyclic_and_self_supersedes(repo):
    files = base_files()
    files["docs/index.md"] = INDEX.replace(":last_reviewed: 2026-01-10\n",
                                           ":last_reviewed: 2026-01-10\n:supersedes: REC_TEC_01\n")
    result = check(repo(files))
    cycles = [f for f in result.findings if f.rule == "ev.supersedes-cycle"]
    assert len(cycles) == 1 and "REC_TEC_01 -> REC_TEC_01" in cycles[0].message


def test_garbage_everywhere(repo):
    files = base_files()
    files["references.bib"] = b"\xff\xfe@@@{{{{\x00\x00" + bytes(range(256))
    files["docs/index.md"] = b"```{rec}\n:id: \xff\n" + b"{" * 10000 + b"\n```{claim\n:::"
    files["references.lock.json"] = "[1, 2"
    files["seeds/majestec.txt"] = b"\xff\xfe\x00"
    result = check(repo(files))
    assert result.findings  # findings, not a traceback


def test_needs_with_quoted_and_odd_options(repo):
    files = base_files()
    files["docs/index.md"] = INDEX.replace(":quote: the overall", ":quote: 'the overall").replace(
        "median duration\n", "median duration'\n")
    result = check(repo(files))
    assert "ev.quote-not-found" not in rules(result)


def test_raw_html_inside_a_need_body(repo):
    files = base_files()
    files["docs/index.md"] = INDEX.replace("Offer teclistamab {cite:p}", "Offer <script>x</script> {cite:p}")
    assert "safe.raw-html" in rules(check(repo(files)))


def test_include_inside_docs_is_allowed(repo):
    files = base_files()
    files["docs/part.md"] = "Included.\n"
    files["docs/index.md"] = INDEX + "\n```{include} part.md\n```\n\n```{literalinclude} ../seeds/majestec.txt\n```\n"
    assert not {"safe.include-outside"} & rules(check(repo(files)))


def test_quote_matches_on_word_boundaries_only(repo):
    """'Sample size 45' must not match a source that says 452 (issue 9)."""
    for quote, seed_has in (("Among 16", "Among 165 patients"),
                            ("mong 165 patients", "Among 165 patients"),
                            ("rate was 63", "rate was 63.0")):
        files = base_files()
        files["docs/index.md"] = INDEX.replace("the overall response rate was 63.0 % - with a median duration", quote)
        assert seed_has in files["seeds/majestec.txt"]
        result = check(repo(files))
        hits = [f for f in result.findings if f.rule == "ev.quote-not-found"]
        assert hits and "inside a longer word or number" in hits[0].message, quote
    files = base_files()
    files["docs/index.md"] = INDEX.replace("the overall response rate was 63.0 % - with a median duration",
                                           "Among 165 patients")
    assert "ev.quote-not-found" not in rules(check(repo(files)))
