"""Rows in PostgreSQL's COPY text format: what ``COPY table (columns) FROM STDIN`` reads.

One row a line, fields separated by a tab, ``\\N`` for NULL; in text, a backslash, tab,
newline and carriage return are escaped (``\\\\``, ``\\t``, ``\\n``, ``\\r``), booleans are
``t``/``f`` and integers are decimal. Valid posts hold no NUL (the schema's patterns exclude
it), which the format could not carry. This is the Python encoder; the native row source
(:mod:`synth.load.rowsource`) hands the same bytes over ready-made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from synth.load.rows import CopyRows, PostRows

__all__ = ["copy_field", "copy_line", "copy_rows"]


def copy_field(value: Any) -> str:
    """One field: NULL, a boolean, an integer or text (escaped)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def copy_line(values: Iterable[Any]) -> str:
    """One row, its newline included."""
    return "\t".join(map(copy_field, values)) + "\n"


def copy_rows(rows: PostRows) -> CopyRows:
    """A post's rows as COPY text: the ``posts`` row (in :data:`~synth.load.rows.COLUMNS` order) and the
    rows of ``post_tools``, ``post_entities`` and ``post_links``, each block UTF-8 bytes."""
    return CopyRows(
        post=copy_line(rows.post).encode(),
        tools="".join(map(copy_line, rows.tools)).encode(),
        entities="".join(map(copy_line, rows.entities)).encode(),
        links="".join(map(copy_line, rows.links)).encode(),
    )
