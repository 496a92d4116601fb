"""The one table builder of the guideline's views; wide tables scroll in their own box."""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes

Cell = nodes.Node | str | Sequence[nodes.Node]


def _cell(value: Cell) -> nodes.entry:
    entry = nodes.entry()
    para = nodes.paragraph()
    if isinstance(value, str):
        para += nodes.Text(value)
    elif isinstance(value, nodes.Node):
        para += value
    else:
        para.extend(list(value))
    entry += para
    return entry


def table(headers: Sequence[str] | None, rows: Sequence[Sequence[Cell]], classes: Sequence[str] = (),
          widths: Sequence[int] | None = None) -> nodes.container:
    """A table (with a header row unless ``headers`` is None) in a box that scrolls sideways on a phone."""
    columns = len(headers) if headers else max((len(r) for r in rows), default=1)
    tab = nodes.table(classes=["guideline-table", *classes])
    group = nodes.tgroup(cols=columns)
    tab += group
    for width in widths or [1] * columns:
        group += nodes.colspec(colwidth=width)
    if headers:
        head = nodes.thead()
        group += head
        row = nodes.row()
        for title in headers:
            row += _cell(title)
        head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for value in cells:
            row += _cell(value)
        body += row
    box = nodes.container(classes=["table-scroll"])
    box += tab
    return box
