"""PyStemmer (a runtime dependency) stems as snowballstemmer's pure-Python English stemmer,
so Sphinx's search index is the same with the C stemmer it picks up when installed."""

from __future__ import annotations

import re

import snowballstemmer
from helpers import REPO
from snowballstemmer.english_stemmer import EnglishStemmer

_WORD = re.compile(r"\w+")  # how sphinx.search.SearchLanguage splits a text


def _guideline_words() -> set[str]:
    """Every word of the guideline's pages, its sources and its bibliography, as the
    search index sees them (split on \\w+, lower-cased)."""
    files = [*sorted((REPO / "docs").rglob("*.md")), *sorted((REPO / "seeds").glob("*.txt")), REPO / "references.bib"]
    words: set[str] = set()
    for path in files:
        words.update(w.lower() for w in _WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def test_sphinx_uses_the_c_stemmer():
    # snowballstemmer hands out PyStemmer's stemmer when it is installed.
    assert type(snowballstemmer.stemmer("english")).__module__ == "Stemmer"


def test_c_stemmer_gives_the_pure_python_stems():
    words = _guideline_words()
    assert len(words) > 2000, len(words)  # a large, realistic vocabulary: clinical terms, names, numbers
    c, python = snowballstemmer.stemmer("english"), EnglishStemmer()
    differ = {w: (c.stemWord(w), python.stemWord(w)) for w in sorted(words) if c.stemWord(w) != python.stemWord(w)}
    assert differ == {}
    assert sum(c.stemWord(w) != w for w in words) > 800  # the words are really stemmed
