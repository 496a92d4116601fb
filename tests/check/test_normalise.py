"""Property tests: the normaliser folds typography only."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from guideline.check.normalise import first_difference, normalise

TYPOGRAPHY = "\u00a0\u202f\u2009\u2011\u2010\u2013\u2014\u2212\u2018\u2019\u201c\u201d\u2026\n\r\t \u00ad\u200b-'\"."
text = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(TYPOGRAPHY)), max_size=80)


def alnum(s: str) -> list[str]:
    return [c for c in unicodedata.normalize("NFC", s) if c.isalnum()]


@given(text)
def test_idempotent(s):
    assert normalise(normalise(s)) == normalise(s)


@given(text, text)
def test_never_equates_different_letters_or_digits(a, b):
    if normalise(a) == normalise(b):
        assert alnum(a) == alnum(b)


@given(text, st.integers(min_value=0, max_value=79), st.characters(categories=["Nd", "Lu", "Ll"]))
def test_changing_a_letter_or_digit_is_seen(s, index, replacement):
    chars = list(unicodedata.normalize("NFC", s))
    positions = [i for i, c in enumerate(chars) if c.isalnum() and c != replacement]
    if not positions:
        return
    pos = positions[index % len(positions)]
    changed = chars.copy()
    changed[pos] = replacement
    assert normalise("".join(chars)) != normalise("".join(changed))


@given(text)
@settings(max_examples=50)
def test_quote_of_itself_is_found(s):
    assert normalise(s) in normalise("before " + s + " after")


def test_examples():
    assert normalise("63.0\u00a0%\u2014with\n\u201cx\u201d") == normalise('63.0 % - with "x"'.replace(" - ", "-"))
    assert normalise("non\u2011breaking") == "non-breaking"
    assert normalise("a\u00adb") == "ab"
    assert normalise("63.0%") != normalise("63.1%")
    assert normalise("x\u00b2") != normalise("x2")  # no compatibility folding of numbers
    assert first_difference("abcX", "zzabcY") == 3
