"""Messages from a CSV file, read as they are needed (a file of millions in flat memory)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from smsc_proto.bulk import OPTIONS, BulkMessage

__all__ = ["read_csv"]

_PHONE = ("phone", "phones")
_TEXT = ("text", "mes")


def read_csv(
    path: str | Path, *, text: str | None = None, encoding: str = "utf-8-sig"
) -> Iterator[BulkMessage]:
    """The messages of a CSV file with a header: a ``phone`` column, a ``text`` (or ``mes``)
    column unless ``text`` gives every message's, and any other column a ``send`` option
    by its API name (``sender``, ``translit``, ``time``...; a blank cell: none). The
    delimiter is ``,`` or ``;`` (as spreadsheets write it), told by the header line.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "list.csv")
    >>> _ = open(path, "w").write("phone;text;sender\\n79990000001;Hi;Shop\\n")
    >>> list(read_csv(path))
    [BulkMessage(phone='79990000001', text='Hi', options={'sender': 'Shop'})]
    """
    with open(path, encoding=encoding, newline="") as file:
        header = file.readline()
        delimiter = ";" if header.count(";") > header.count(",") else ","
        columns = next(csv.reader([header], delimiter=delimiter), [])
        names = [c.strip() for c in columns]
        phone = next((c for c in _PHONE if c in names), None)
        if phone is None:
            raise ValueError(f"{path}: no 'phone' column in the header ({', '.join(names) or 'empty'})")
        text_column = next((c for c in _TEXT if c in names), None)
        if text is None and text_column is None:
            raise ValueError(f"{path}: no 'text' column in the header, and no text given for every message")
        options = [c for c in names if c not in (phone, text_column)]
        unknown = [c for c in options if c not in OPTIONS]
        if unknown:
            # Sent as parameters, they would also split the requests one per recipient.
            raise ValueError(
                f"{path}: column {unknown[0]!r} is not a parameter of send (the columns: phone, text,"
                " and send's own parameters, such as sender, translit, time)"
            )
        rows = csv.reader(file, delimiter=delimiter)
        while True:
            try:
                row = next(rows, None)
            except csv.Error as exc:  # a field over csv's size limit, a NUL byte
                raise ValueError(f"{path}, line {rows.line_num + 1}: {exc}") from None
            if row is None:
                return
            if not row:
                continue
            if len(row) != len(names):
                line = rows.line_num + 1  # the file's, the header included
                raise ValueError(f"{path}, line {line}: {len(row)} fields where the header has {len(names)}")
            values = dict(zip(names, row, strict=True))
            message_text = text if text is not None else values[text_column or ""]
            options_of_row = {name: values[name] for name in options if values[name]}
            yield BulkMessage(values[phone].strip(), message_text, options_of_row)
