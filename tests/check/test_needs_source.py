"""Needs read from MyST sources agree with myst-parser's own directive parsing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from myst_parser.parsers.directives import parse_directive_text

from guideline.check.needs_source import _fast_directive_text, _NeedDirective, scan_markdown

keys = st.sampled_from(["id", "cite", "quote", "status", "based_on", "x-y", "a_b", "k9"])
values = st.text(alphabet=list("ab 1.%:#'\"|>-\u00a0\t,;{}[]\u2013"), max_size=20)
lines = st.lists(st.tuples(keys, values), min_size=1, max_size=6)
bodies = st.sampled_from(["", "\nBody text.", "Body.\n\nMore.", "\n\n", ":::{note}\nx\n:::"])


@given(lines, bodies, st.sampled_from(["", "Title", "Title  with   spaces "]))
def test_fast_path_agrees_with_myst(option_lines, body, argument):
    content = "\n".join(f":{k}: {v}" if v else f":{k}:" for k, v in option_lines) + "\n" + body
    fast = _fast_directive_text(argument, content)
    if fast is None:
        return  # myst's own parser is used
    parsed = parse_directive_text(_NeedDirective, argument, content, line=1)
    assert fast[0] == (parsed.arguments[0] if parsed.arguments else "")
    assert fast[1] == parsed.options
    assert fast[2] == parsed.body
    assert fast[3] == parsed.body_offset


def test_fast_path_is_taken_for_ordinary_needs():
    assert _fast_directive_text("T", ":id: CLM_A_01\n:quote: 63.0% of 165 patients\n\nBody") is not None
    assert _fast_directive_text("T", ":quote: 'quoted'\n") is None
    assert _fast_directive_text("T", ":quote: a # comment\n") is None


def test_scan_locates_needs_citations_and_nested_needs():
    text = """# Title

Text {cite:p}`a,b` and {cite:t}`c`.

::::{note}
:::{claim} Nested
:id: CLM_N_01
:cite: d
:quote: x
:::
::::

```{rec} R
:id: REC_R_01
:based_on: CLM_N_01; CLM_M_01
:status: draft

Body {cite:p}`e`.
```
"""
    scan = scan_markdown(text, "x.md", "x")
    assert [(n.id, n.line) for n in scan.needs] == [("CLM_N_01", 6), ("REC_R_01", 13)]
    assert scan.needs[1].links == {"based_on": ["CLM_N_01", "CLM_M_01"]}
    assert scan.needs[1].fields["status"] == "draft"
    assert [(c.key, c.line) for c in scan.citations] == [("a", 3), ("b", 3), ("c", 3), ("e", 18)]


def test_code_blocks_are_not_scanned():
    scan = scan_markdown("```python\n<script>{cite:p}`zz`\n```\n\n    <b>indented code</b>\n", "x.md")
    assert scan.citations == [] and scan.findings == []
