"""How one result appears on the wire in each fmt, declared once, read and written both ways.

A ``Shape`` pairs a layout per fmt (``text`` for fmt=0, ``csv`` for fmt=1, an XML root for
fmt=2, the JSON form for fmt=3) with whether the answer holds one record or one per line.
Parsing sniffs the body rather than trusting the fmt that was asked: the live service
answers bare ``OK`` or plain text to fmt=3 requests, and XML or JSON always announce
themselves by their first character.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from smsc_proto.convert import wire_value
from smsc_proto.formats.json import render_json
from smsc_proto.formats.text import Fields, Layout, LayoutError
from smsc_proto.formats.xml import element_to_builtins, render_element

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["Shape", "ShapeError", "wire_text"]


class ShapeError(ValueError):
    """The body does not have this shape in any fmt it could be."""


def wire_text(value: Any) -> str | None:
    """A value as the API writes it in text, CSV and XML; None stays absent."""
    return None if value is None else wire_value(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime, Decimal)):
        return wire_text(value)  # the API quotes money and dates in JSON
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


_LINE_BREAK = re.compile(r"\r?\n")


def _records(layout: Layout, body: str) -> list[str]:
    """One record per line, except that a free-text field may hold line breaks: with
    ``Fields(free=...)``, a line short of the record's required separators continues on the
    next line (jobs.get_all messages)."""
    # Only CR LF / LF end a record: free text may hold other line separators (\x85, \u2028).
    lines = _LINE_BREAK.split(body)
    if not isinstance(layout, Fields) or layout.free is None or layout.required < 2:
        return [line for line in lines if line.strip()]
    need = layout.required - 1
    records: list[str] = []
    current: str | None = None
    for line in lines:
        if current is not None:
            current += "\n" + line
        elif line.strip():
            current = line
        else:
            continue
        if current.count(layout.sep) >= need:
            records.append(current)
            current = None
    if current is not None:
        records.append(current)  # short: the layout reports it
    return records


def _xml_value(value: Any) -> Any:
    # Nested records and lists stay nested (`<phones><phone>..</phone></phones>` per item).
    if isinstance(value, dict):
        return {k: x for k, v in value.items() if (x := _xml_value(v)) is not None}
    if isinstance(value, list):
        return [_xml_value(v) for v in value]
    return wire_text(value)


class Shape:
    """One result's forms.

    ``many``: the answer is a list of records (one per line in fmt=0/1, a JSON array, XML
    items ``xml_item`` under ``xml_root``). ``json_single_array``: a single record that fmt=3
    wraps in a one-element array (jobs.get). ``xml_root=None``: fmt=2 is a run of elements
    with no root (``<balance>1.0</balance>``).
    """

    def __init__(
        self,
        *,
        text: Layout | None,
        csv: Layout | None,
        xml_root: str | None = "result",
        xml_item: str | None = None,
        many: bool = False,
        json_single_array: bool = False,
    ) -> None:
        self.text = text
        self.csv = csv
        self.xml_root = xml_root
        self.xml_item = xml_item
        self.many = many
        self.json_single_array = json_single_array

    # -- reading -------------------------------------------------------------------------

    def from_text(self, fmt: int, stripped: str) -> Any:
        """Records from a plain-text body, trying the asked fmt's layout first."""
        layouts = [(0, self.text), (1, self.csv)]
        if fmt == 1:
            layouts.reverse()
        errors = []
        for _, layout in layouts:
            if layout is None:
                continue
            try:
                return self._from_lines(layout, stripped)
            except LayoutError as exc:
                errors.append(str(exc))
        raise ShapeError("; ".join(errors) or "no text form for this answer")

    def _from_lines(self, layout: Layout, body: str) -> Any:
        if not self.many:
            return layout.parse(body)
        return [layout.parse(record) for record in _records(layout, body)]

    def from_json(self, data: Any) -> Any:
        if self.many:
            if isinstance(data, dict):
                return [data]
            if not isinstance(data, list):
                raise ShapeError("expected a JSON array")
            return data
        if isinstance(data, list):
            if len(data) != 1:
                raise ShapeError(f"expected one record, got an array of {len(data)}")
            data = data[0]
        if not isinstance(data, dict):
            raise ShapeError("expected a JSON object")
        return data

    def from_xml(self, root: etree._Element) -> Any:
        if self.many:
            items = [c for c in root if isinstance(c.tag, str)]
            if self.xml_item is not None:
                if root.tag == self.xml_item:
                    items = [root]
                items = [c for c in items if c.tag == self.xml_item]
            return [element_to_builtins(c) for c in items]
        data = element_to_builtins(root)
        if not isinstance(data, dict):
            return {str(root.tag): data}
        return data

    # -- writing (emulators, test doubles, round-trip properties) ------------------------

    def render(self, fmt: int, data: Any) -> str:
        """The body the server would write for ``data`` (builtins, as from ``to_builtins``)."""
        records = data if self.many else [data]
        if fmt in (0, 1):
            layout = self.text if fmt == 0 else self.csv
            if layout is None:
                raise ShapeError(f"no fmt={fmt} form")
            return "\n".join(layout.render(self._wire_record(r)) for r in records)
        if fmt == 2:
            return self._render_xml(records)
        values = [_json_value(r) for r in records]
        if self.many:
            return render_json(values)
        return render_json(values if self.json_single_array else values[0])

    @staticmethod
    def _wire_record(record: Mapping[str, Any]) -> dict[str, str]:
        return {k: t for k, v in record.items() if (t := wire_text(v)) is not None}

    def _render_xml(self, records: list[Mapping[str, Any]]) -> str:
        if self.many:
            item = self.xml_item or "item"
            inner = "\n".join(render_element(item, _xml_value(dict(r))) for r in records)
            return f"<{self.xml_root or 'result'}>\n{inner}\n</{self.xml_root or 'result'}>"
        record = _xml_value(dict(records[0]))
        if self.xml_root is None:
            return "\n".join(render_element(k, v) for k, v in record.items())
        if list(record) == [self.xml_root]:
            return render_element(self.xml_root, record[self.xml_root])
        return render_element(self.xml_root, record)
