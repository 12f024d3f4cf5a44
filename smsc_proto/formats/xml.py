"""fmt=2: XML read with a hardened lxml parser (no DTD, no entities, no network, bounded).

lxml is imported on first use, so ``import smsc_proto`` stays light and fmt=3 needs only
msgspec.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from smsc_proto.errors import Malformed

if TYPE_CHECKING:
    from lxml import etree

__all__ = [
    "ENVELOPE_ROOM",
    "MAX_XML_BYTES",
    "ElementRoom",
    "XmlError",
    "element_record",
    "escape",
    "parse_xml",
    "render_element",
]

MAX_XML_BYTES = 16 * 1024 * 1024
_DECLARATION = re.compile(r"\s*<\?xml[^>]{0,200}\?>")
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT = re.compile(r"<[A-Za-z_]")


# Below this size a body cannot hold enough elements to matter (lxml spends about 120 bytes
# on a node, so 64 KiB of "<a/>" is about 2 MB).
_COUNT_FROM = 64 * 1024
# Elements any answer may hold beyond its records' room: envelopes, a wrapper, a spare.
_SLACK = 256


class ElementRoom:
    """How many elements an answer's records have room for, checked before lxml builds a
    tree (lxml spends about 120 bytes on a node) with C-speed counts, not a parse.

    Records number one, or (``bounded_by``: the tags each record writes once, its own and
    its required names; ``"name "`` counts only start tags with attributes) at most as many
    as the rarest of those tags in the body. Each has
    room for itself, its ``fields`` and the records it holds (``nested``), twice over for
    fields the API adds later. So 4 million ``<a/>`` in a balance answer, a list of empty
    records or a run of one field outside any record are refused before they cost half a
    gigabyte; a body of real records of any length is not.
    """

    def __init__(
        self, fields: int, *, bounded_by: Sequence[str] | None = None, nested: Sequence[ElementRoom] = ()
    ) -> None:
        self.fields = fields
        self.bounded_by = None if bounded_by is None else tuple(bounded_by)
        self.nested = tuple(nested)

    def check(self, text: str) -> None:
        if len(text) < _COUNT_FROM:
            return
        # Comments and CDATA count as elements (the declaration too): more than there are.
        elements = text.count("<") - text.count("</")
        room = _SLACK + 2 * self._elements(_TagCounter(text))
        if elements > room:
            raise XmlError(f"{elements} elements where the answer has room for {room}")

    def _elements(self, count: _TagCounter) -> int:
        records = 1 if self.bounded_by is None else min(map(count, self.bounded_by))
        return records * (1 + self.fields) + sum(room._elements(count) for room in self.nested)


class _TagCounter:
    """Elements named ``name`` that can hold something: ``<name>`` and ``<name attr..>``
    (an empty ``<name/>`` holds no record and no required value, so it gives no room);
    for ``"name "``, only those with attributes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.seen: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        found = self.seen.get(name)
        if found is None:
            tag = "<" + name
            found = (
                self.text.count(tag)
                if name.endswith(" ")
                else self.text.count(tag + ">") + self.text.count(tag + " ")
            )
            self.seen[name] = found
        return found


ENVELOPE_ROOM = ElementRoom(3)  # <result> with error, error_code and id


def escape(text: str) -> str:
    # Not xml.sax.saxutils: it pulls in urllib.request, socket and ssl.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class XmlError(Malformed):
    """The text is not acceptable XML."""


# Every parse, whole or incremental: no entities, DTDs or network, no huge trees; comments
# and processing instructions dropped.
PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


@cache
def _get_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(**PARSER_OPTIONS)


def strip_prolog(text: str) -> str:
    """``text`` without its XML declaration (lxml refuses one in a str); a DTD before the
    first element (where one can only be) is an ``XmlError``."""
    declaration = _DECLARATION.match(text)
    if declaration is not None:
        text = text[declaration.end() :]
    first = _ELEMENT.search(text)
    if _DTD.search(text, 0, len(text) if first is None else first.start()):
        raise XmlError("DTDs and entities are refused")
    return text


def parse_xml(text: str, room: ElementRoom) -> etree._Element:
    """Parse one document with no more elements than ``room`` allows. A body of sibling
    elements with no root is read as if wrapped in ``<result>``."""
    from lxml import etree

    if len(text) > MAX_XML_BYTES:
        raise XmlError("XML body too large")
    room.check(text)
    text = strip_prolog(text)
    root: etree._Element
    try:
        root = etree.fromstring(text, _get_parser())
    except etree.XMLSyntaxError as first:
        # Some answers are a bare run of elements with no root (`<id>1</id><cnt>2</cnt>`).
        try:
            root = etree.fromstring(f"<result>{text}</result>", _get_parser())
        except etree.XMLSyntaxError:
            raise XmlError(str(first)) from None
    except ValueError as exc:  # lxml refuses some str input (a NUL, an encoding declaration)
        raise XmlError(str(exc)) from None
    return root


def element_record(element: etree._Element) -> Any:
    """A leaf becomes its text; a parent a dict by tag (repeated tags become lists)."""
    record: dict[Any, Any] = {}
    for child in element:
        if len(child):
            return _nested(element)
        record[child.tag] = child.text or ""
    if len(record) != len(element):  # a repeated tag
        return _nested(element)
    return record if record else element.text or ""


def _nested(element: etree._Element) -> Any:
    out: dict[str, Any] = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # an unresolved entity reference
        value = element_record(child)
        if tag in out:
            previous = out[tag]
            if isinstance(previous, list):
                previous.append(value)
            else:
                out[tag] = [previous, value]
        else:
            out[tag] = value
    return out if out else element.text or ""


def render_element(tag: str, value: Any) -> str:
    """Inverse of ``element_record`` for dicts, lists of dicts and text."""
    if isinstance(value, dict):
        inner = "\n".join(render_element(k, v) for k, v in value.items() if v is not None)
        return f"<{tag}>\n{inner}\n</{tag}>"
    if isinstance(value, list):
        return "\n".join(render_element(tag, v) for v in value)
    return f"<{tag}>{escape(str(value))}</{tag}>"
