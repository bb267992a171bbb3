"""Building the applications' CSV export: plain values in, bytes out (no Flask, no database).

The file opens correctly in Excel (UTF-8 with a byte-order mark, CRLF line ends) and cannot carry
a formula: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or
their full-width forms, which some spreadsheets also read as formulas) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise_cell(value: Any) -> str:
    """*value* as CSV cell text, with a leading ``'`` when a spreadsheet would read it as a formula.

    Numbers are written as they are (a negative number is data, not a formula); any text, however
    it was produced, is checked.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def build_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV document: UTF-8 with BOM, a header row, then one line per row, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise_cell(name) for name in header])
    for row in rows:
        writer.writerow([neutralise_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
