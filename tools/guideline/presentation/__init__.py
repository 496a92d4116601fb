"""What a reader sees, in one layer: HTML pages, the full PDF, the handout, what's new.

- :mod:`.numbering`: recommendation numbers (chapter.n) from the reading order;
- :mod:`.words`: the words that stand for an ID ("Recommendation 2.1", a
  source's short title, a reference number), MyST source as plain text;
- :mod:`.state`: everything a page needs to know about all needs, computed once
  per build (not once per page);
- :mod:`.card`: the card of a recommendation, claim, source or gap;
- :mod:`.tables`: the one table builder; :mod:`.graph`: the evidence graph (SVG);
- :mod:`.views`: every generated view, one function each (``@view("name")``);
- :mod:`.nodes`: the few docutils nodes HTML needs beyond docutils (``<details>``, SVG).

The Sphinx extension (:mod:`guideline.sphinxext`) only wires these into the
build; the PDF theme renders the same nodes.
"""
