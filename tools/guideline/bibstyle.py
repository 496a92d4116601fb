"""A numbered, Lancet-like bibliography style for pybtex / sphinxcontrib-bibtex.

    1  Rodriguez-Otero P, Usmani S, Cohen AD, et al. Title. Lancet Oncol 2024; 25: e205-16.

Metadata the source does not state stays absent and is printed as
"[author not stated]" or "[title not stated]" instead of failing the build:
the guideline never fills a gap with a guess.
"""

from __future__ import annotations

from pybtex.richtext import Text
from pybtex.style.formatting import BaseStyle, toplevel
from pybtex.style.template import field, first_of, join, node, optional, sentence, words

MAX_AUTHORS = 6  # Lancet: six authors, then "et al"


def _initials(person) -> str:
    parts = person.first_names + person.middle_names
    return "".join(p.lstrip("{")[0] for p in parts if p.lstrip("{"))


@node
def lancet_names(children, context, role):
    """Surname and initials without stops; more than six become three + et al."""
    entry = context["entry"]
    persons = list(entry.persons.get(role, []))
    if not persons:
        return Text(f"[{role} not stated]")
    # BibTeX's "and others" marks a truncated author list: print it as et al.
    truncated = str(persons[-1]) == "others"
    if truncated:
        persons = persons[:-1]
    shown = persons if len(persons) <= MAX_AUTHORS else persons[:3]
    names = [" ".join(filter(None, [" ".join(p.prelast_names + p.last_names), _initials(p)])) for p in shown]
    text = ", ".join(names) + (", et al" if truncated or len(shown) < len(persons) else "")
    return Text(text.replace("{", "").replace("}", ""))


def _stated(name: str):
    return first_of[optional[field(name)], f"[{name} not stated]"]


class LancetStyle(BaseStyle):
    default_sorting_style = "none"  # numbered by order of citation

    def get_article_template(self, e):
        volume_pages = optional[join["; ", field("volume"), optional[": ", field("pages")]]]
        return toplevel[
            sentence[lancet_names("author")],
            sentence[_stated("title")],
            sentence(sep=" ")[_stated("journal"), join[field("year"), volume_pages]],
            optional[sentence[join["doi:", field("doi", raw=True)]]],
            optional[sentence[field("note")]],
        ]

    def _generic(self, e):
        return toplevel[
            sentence[lancet_names("author")],
            sentence[_stated("title")],
            optional[sentence[field("organization")]],
            optional[sentence[field("howpublished")]],
            optional[sentence[field("journal")]],
            optional[sentence[field("year")]],
            optional[sentence[join["doi:", field("doi", raw=True)]]],
            optional[sentence[field("note")]],
        ]

    get_misc_template = _generic
    get_online_template = _generic
    get_techreport_template = _generic
    get_unpublished_template = _generic

    def get_book_template(self, e):
        return toplevel[
            sentence[lancet_names("author")],
            sentence[_stated("title")],
            sentence(sep=" ")[optional[field("publisher")], optional[field("year")]],
        ]

    def get_inproceedings_template(self, e):
        return toplevel[
            sentence[lancet_names("author")],
            sentence[_stated("title")],
            sentence(sep=" ")[words["In:", _stated("booktitle")], optional[field("year")]],
            optional[sentence[field("note")]],
        ]
