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


# -- quotes on word and number boundaries (issue 9, section 7) ----------------------------

from guideline.check.normalise import find_quote  # noqa: E402

import pytest  # noqa: E402


@pytest.mark.parametrize("quote, source, found", [
    ("Sample size 45", "Sample size 452 patients", False),
    ("Sample size 45", "Sample size 45 patients", True),
    ("Sample size 45", "Sample size 45.", True),
    ("ample size 45", "Sample size 45 patients", False),       # starts mid-word
    ("Sample siz", "Sample size 45", False),                   # ends mid-word
    ("rate was 6", "the rate was 6.3%", False),                # a decimal cut short
    ("3% of patients", "6.3% of patients", False),             # the decimals of a number
    ("was 63.0", "the rate was 63.0% overall", True),
    ("45", "n=45;", True),
    (" size 45 ", "Sample size 45 x", True),                   # bounded by its own spaces
    ("45 patients", "In 145 patients", False),
    ("45 patients", "In 45 patients and in 145 patients", True),  # a later occurrence is not needed
    ("145 patients", "In 45 patients and in 145 patients", True),  # an earlier partial one is skipped
    ("\u53cc\u7279\u5f02\u6027", "\u4f7f\u7528\u53cc\u7279\u5f02\u6027\u6297\u4f53", True),  # Chinese: no word spaces
    ("45\u4f8b", "\u5171145\u4f8b", False),                    # but digits still join digits
])
def test_find_quote_on_boundaries(quote, source, found):
    assert (find_quote(normalise(quote), normalise(source)) >= 0) is found


words = st.text(alphabet="abcdefghij", min_size=1, max_size=8)
numbers = st.integers(min_value=0, max_value=10**6).map(str)


@given(words, numbers, st.sampled_from("0123456789"), words)
def test_a_number_never_matches_a_longer_number(word, number, extra, tail):
    assert find_quote(f"{word} {number}", f"{word} {number}{extra} {tail}") == -1
    assert find_quote(f"{number} {tail}", f"{word} {extra}{number} {tail}") == -1


@given(st.lists(st.one_of(words, numbers), min_size=1, max_size=8), st.data())
@settings(max_examples=200)
def test_every_run_of_whole_words_is_found(tokens, data):
    source = " ".join(tokens)
    i = data.draw(st.integers(0, len(tokens) - 1))
    j = data.draw(st.integers(i + 1, len(tokens)))
    assert find_quote(" ".join(tokens[i:j]), source) >= 0
