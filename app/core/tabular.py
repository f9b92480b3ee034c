"""Reading the CSV files people upload (the expert pool, the credit lists) so that no cell can
break the reader: one place that turns what Python's `csv` would raise on (a cell over its 128 KiB
limit, a NUL character) into problems the importer names by line and column, like any other bad
cell. A file of a million rows streams through at the csv module's pace: the cells are looked at
one by one only in a record that has a long cell or a NUL. Pure: no web, no database.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

MAX_CELL_CHARS = 128 * 1024
# Python's csv refuses a NUL anywhere in a line; it is carried through under a stand-in and given
# back in its cell, where it is named.
_NUL, _STAND_IN = "\x00", "\u2400"
# The reader's own limit is lifted (the upload's size bounds every cell); MAX_CELL_CHARS is ours.
csv.field_size_limit(2**31 - 1)

Unreadable = list[tuple[int, str]]  # (the cell's index in its record, why it cannot be taken)


def csv_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str], Unreadable]]:
    """(the line a record ends on, its cells, its unreadable cells) for each record, header included."""
    nul_seen = False

    def carried(line: str) -> str:
        nonlocal nul_seen
        if _NUL in line:
            nul_seen = True
            return line.replace(_NUL, _STAND_IN)
        return line

    reader = csv.reader(map(carried, lines))
    for values in reader:
        unreadable: Unreadable = []
        if nul_seen and any(_STAND_IN in value for value in values):
            values = [value.replace(_STAND_IN, _NUL) for value in values]
            unreadable += [(i, "contains a NUL character") for i, value in enumerate(values) if _NUL in value]
        if values and max(map(len, values)) > MAX_CELL_CHARS:
            unreadable += [
                (i, f"longer than {MAX_CELL_CHARS // 1024} KiB ({len(value)} characters)")
                for i, value in enumerate(values)
                if len(value) > MAX_CELL_CHARS
            ]
        yield reader.line_num, values, sorted(unreadable)
