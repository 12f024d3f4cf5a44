"""How one result appears on the wire in each fmt, declared once, read and written both ways.

A ``Shape`` pairs a layout per fmt (``text`` for fmt=0, ``csv`` for fmt=1, an XML root for
fmt=2, the JSON form for fmt=3) with whether the answer holds one record or a list.
``Shape.decoder(result_type)`` compiles, once per result type, the ``ShapeDecoder`` that
reads each fmt straight into the result structs (``records.py``).

The body's own first character, not the fmt asked, picks the reader: the live service
answers bare ``OK`` or plain text to fmt=3 requests, and XML or JSON always announce
themselves.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from smsc_proto.errors import Malformed
from smsc_proto.formats.json import JsonError, render_json
from smsc_proto.formats.text import Fields, Layout, LayoutError, split_records
from smsc_proto.formats.xml import ElementRoom, element_record, render_element
from smsc_proto.records import ConvertError, Record, record, wire_value

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["Shape", "ShapeDecoder", "ShapeError"]

R = TypeVar("R")


class ShapeError(Malformed):
    """The body does not have this shape in any fmt it could be."""


class Shape:
    """One result's forms.

    ``many``: the answer is a list of records (one per line in fmt=0/1, a JSON array, XML
    items ``xml_item`` under ``xml_root``); ``empty_list``: an empty body is an empty list
    (fmt=0/1 have nothing to write). ``json_single_array``: a single record that fmt=3 wraps
    in a one-element array (jobs.get). ``xml_root=None``: fmt=2 is a run of elements with no
    root (``<balance>1.0</balance>``).

    Irregular answers override ``json_records`` or ``xml_records``, which give the records
    as plain dicts; the typed builders do the rest. ``json_records`` is consulted when the
    typed msgspec route refuses the body, as it refuses any container but the regular one;
    ``json_forms`` names the containers that route may meet.
    """

    def __init__(
        self,
        *,
        text: Layout | None,
        csv: Layout | None,
        xml_root: str | None = "result",
        xml_item: str | None = None,
        many: bool = False,
        empty_list: bool = False,
        json_single_array: bool = False,
    ) -> None:
        self.text = text
        self.csv = csv
        self.xml_root = xml_root
        self.xml_item = xml_item
        self.many = many
        self.empty_list = empty_list
        self.json_single_array = json_single_array

    @cache  # noqa: B019 -- one compiled decoder per (shape, result type); shapes are module constants
    def decoder(self, result_type: Any) -> ShapeDecoder[Any]:
        return ShapeDecoder(self, result_type)

    # -- untyped records ---------------------------------------------------------------------

    def layouts(self, fmt: int) -> list[Layout]:
        """The text layouts to try, the asked fmt's first."""
        pair = [self.csv, self.text] if fmt == 1 else [self.text, self.csv]
        return [layout for layout in pair if layout is not None]

    def json_forms(self, item: type) -> tuple[Any, ...]:
        """The JSON containers of records ``item`` that msgspec is asked for, in turn, when
        the typed route refuses a body. One record may come as an array of one; a list as
        a lone record. None of them holds more records than the answer can."""
        if self.many:
            return (list[item] | item,)  # type: ignore[valid-type]
        return (tuple[item] | item,)  # type: ignore[valid-type]

    def xml_record_tags(self, item: Record) -> list[str]:
        """The tags each record of a list writes once (its own and its required names): the
        records of an XML answer are at most as many as the rarest of them."""
        required = [f.wire for f in item.fields if f.required]
        return [self.xml_item, *required] if self.xml_item else required

    def json_records(self, data: Any) -> Any:
        """A parsed JSON answer as one record dict, or (``many``) a list of them."""
        if self.many:
            if data.__class__ is dict:
                return [data]
            if data.__class__ is not list:
                raise ShapeError("expected a JSON array")
            return data
        if data.__class__ is list:
            if len(data) != 1:
                raise ShapeError(f"expected one record, got an array of {len(data)}")
            data = data[0]
        if data.__class__ is not dict:
            raise ShapeError("expected a JSON object")
        return data

    def xml_records(self, root: etree._Element) -> Any:
        """A parsed XML answer as one record dict, or (``many``) a list of them."""
        if self.many:
            item = self.xml_item
            if item is None:
                return [element_record(c) for c in root if isinstance(c.tag, str)]
            if root.tag == item:
                return [element_record(root)]
            records = [element_record(c) for c in root if c.tag == item]
            foreign = root.tag not in (self.xml_root, "result") and (len(root) or (root.text or "").strip())
            if not records and foreign:  # not an empty list: a proxy's `<html>` page
                raise ShapeError(f"expected <{item}> records, got <{root.tag}>")
            return records
        data = element_record(root)
        if data.__class__ is not dict:
            return {str(root.tag): data}
        return data

    # -- writing (emulators, test doubles, round-trip properties) ---------------------------

    def render(self, fmt: int, data: Any) -> str:
        """The body the server would write for ``data`` (builtins, as from ``to_builtins``)."""
        records = data if self.many else [data]
        if fmt in (0, 1):
            layout = self.text if fmt == 0 else self.csv
            if layout is None:
                raise ShapeError(f"no fmt={fmt} form")
            return "\n".join(layout.render(_wire_record(r)) for r in records)
        if fmt == 2:
            return self._render_xml(records)
        values = [_json_value(r) for r in records]
        if self.many:
            return render_json(values)
        return render_json(values if self.json_single_array else values[0])

    def _render_xml(self, records: list[Mapping[str, Any]]) -> str:
        root = self.xml_root or "result"
        if self.many:
            item = self.xml_item or "item"
            inner = "\n".join(render_element(item, _xml_value(dict(r))) for r in records)
            return f"<{root}>\n{inner}\n</{root}>"
        one = _xml_value(dict(records[0]))
        if self.xml_root is None:
            return "\n".join(render_element(k, v) for k, v in one.items())
        if list(one) == [self.xml_root]:
            return render_element(self.xml_root, one[self.xml_root])
        return render_element(self.xml_root, one)


class ShapeDecoder(Generic[R]):
    """A shape read into result type ``R`` (a Struct, or ``list`` of one): built once."""

    def __init__(self, shape: Shape, result_type: Any) -> None:
        many = typing.get_origin(result_type) is list
        if many != shape.many:
            raise TypeError(f"{result_type!r} does not fit a shape with many={shape.many}")
        item = typing.get_args(result_type)[0] if many else result_type
        self.shape = shape
        self.many = many
        self.record: Record = record(item)
        self._json_one = self.record.json_decoder(False)
        self._json_list = self.record.json_decoder(True)
        self._from_twin = self.record.twin()[1]
        lenient, self._lenient_dict = self.record.lenient()
        self.xml_room = _element_room(self.record, shape.xml_record_tags(self.record) if many else None)
        self._lenient_forms = [msgspec.json.Decoder(form) for form in shape.json_forms(lenient)]

    def none_found(self) -> R:
        """A list command's "no records" error: an empty list."""
        if not self.many:
            raise TypeError("only a list result can be empty")  # an op declared wrongly
        return []  # type: ignore[return-value]

    def empty(self) -> R:
        if self.shape.empty_list and self.many:
            return []  # type: ignore[return-value]
        raise ShapeError("empty body")

    def from_json(self, text: str) -> R:
        """fmt=3: straight into the structs; a body msgspec refuses that way (``""`` for
        none, a number written as text the API documents as text...) is typed field by
        field instead."""
        try:
            return self._fast_json(text)
        except (msgspec.ValidationError, ConvertError):
            return self.from_json_by_field(text)
        except msgspec.DecodeError as exc:  # not JSON at all
            raise JsonError(str(exc)) from None
        except RecursionError:
            raise JsonError("nested too deeply") from None

    def from_json_by_field(self, text: str) -> R:
        """fmt=3 typed field by field: msgspec reads the containers and records the shape
        allows (``json_forms``), leaving values raw; the record converters read them."""
        refused: msgspec.ValidationError | None = None
        for form in self._lenient_forms:
            try:
                found = form.decode(text)
            except msgspec.ValidationError as exc:
                refused = refused or exc
                continue
            except msgspec.DecodeError as exc:
                raise JsonError(str(exc)) from None
            except RecursionError:
                raise JsonError("nested too deeply") from None
            return self._typed(self.shape.json_records(self._plain(found)))
        raise ShapeError(str(refused))

    def _plain(self, found: Any) -> Any:
        """Lenient records, as dicts in the containers they came in."""
        to_dict = self._lenient_dict
        if found.__class__ in (list, tuple):
            return [to_dict(v) for v in found]
        if found.__class__ is dict:
            return {k: to_dict(v) for k, v in found.items()}
        return to_dict(found)

    def _fast_json(self, text: str) -> R:
        first = text.lstrip()[:1]
        if first == "[":
            values = self._json_list.decode(text)
        elif first == "{":
            values = [self._json_one.decode(text)]
        else:
            raise ConvertError("not a JSON array or object")
        if self._from_twin is not None:
            values = [self._from_twin(v) for v in values]
        if self.many:
            return values  # type: ignore[no-any-return]
        if len(values) != 1:  # one record may come in an array of one (jobs.get)
            raise ConvertError("not one record")  # the field-by-field route says why
        return values[0]  # type: ignore[no-any-return]

    def from_xml(self, root: etree._Element) -> R:
        return self._typed(self.shape.xml_records(root))

    def from_text(self, body: str, fmt: int) -> R:
        """fmt=0/1 (``body`` stripped): the asked fmt's layout first, then the other one."""
        problems = []
        for layout in self.shape.layouts(fmt):
            try:
                return self.from_layout(layout, body)
            except LayoutError as exc:
                problems.append(str(exc))
        raise ShapeError("; ".join(problems) or "no text form for this answer")

    def from_layout(self, layout: Layout, body: str) -> R:
        """fmt=0/1 read with ``layout`` only (a stream keeps to the layout its first records
        were read with)."""
        if isinstance(layout, Fields):
            build: Callable[[Any], Any] = self.record.from_parts(layout.names, layout.free)
            read: Callable[[str], Any] = layout.split
        else:
            build, read = self.record.from_dict, layout.parse
        if not self.many:
            return build(read(body))  # type: ignore[no-any-return]
        return [build(read(line)) for line in split_records(layout, body)]  # type: ignore[return-value]

    def _typed(self, records: Any) -> R:
        from_dict = self.record.from_dict
        if not self.many:
            if records.__class__ is not dict:
                raise ShapeError("expected one record")
            return from_dict(records)  # type: ignore[no-any-return]
        if records.__class__ is not list:
            raise ShapeError("expected a list of records")
        return [from_dict(item) if item.__class__ is dict else _not_a_record(item) for item in records]  # type: ignore[return-value]


def _element_room(item: Record, bounded_by: list[str] | None) -> ElementRoom:
    """The room of records ``item`` (one, or ``bounded_by`` those tags) and the records
    their fields hold, each bounded by its field's tag and its own required names."""
    nested = [
        _element_room(inner, [wire, *(f.wire for f in inner.fields if f.required)])
        for wire, inner in item.held()
    ]
    return ElementRoom(len(item.fields), bounded_by=bounded_by, nested=nested)


def _not_a_record(item: Any) -> Any:
    raise ShapeError(f"expected records, got {type(item).__name__}")


def _wire_record(data: Mapping[str, Any]) -> dict[str, str]:
    return {k: wire_value(v) for k, v in data.items() if v is not None}


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime, Decimal)):
        return wire_value(value)  # the API quotes money and dates in JSON
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _xml_value(value: Any) -> Any:
    # Nested records and lists stay nested (`<phones><phone>..</phone></phones>` per item).
    if isinstance(value, dict):
        return {k: x for k, v in value.items() if (x := _xml_value(v)) is not None}
    if isinstance(value, list):
        return [_xml_value(v) for v in value]
    return None if value is None else wire_value(value)
