"""fmt=2: XML read with a hardened lxml parser (no DTD, no entities, no network, bounded).

lxml is imported on first use, so ``import smsc_proto`` stays light and fmt=3 needs only
msgspec.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from smsc_proto.errors import Malformed

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["MAX_XML_BYTES", "XmlError", "element_record", "escape", "parse_xml", "render_element"]

MAX_XML_BYTES = 16 * 1024 * 1024
_DECLARATION = re.compile(r"\s*<\?xml[^>]{0,200}\?>")
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT = re.compile(r"<[A-Za-z_]")


def escape(text: str) -> str:
    # Not xml.sax.saxutils: it pulls in urllib.request, socket and ssl.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class XmlError(Malformed):
    """The text is not acceptable XML."""


@cache
def _get_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(text: str) -> etree._Element:
    """Parse one document. A body of sibling elements with no root is read as if wrapped in
    ``<result>``."""
    from lxml import etree

    if len(text) > MAX_XML_BYTES:
        raise XmlError("XML body too large")
    declaration = _DECLARATION.match(text)
    if declaration is not None:
        text = text[declaration.end() :]
    # A DTD can only come before the first element (the prolog).
    first = _ELEMENT.search(text)
    if _DTD.search(text, 0, len(text) if first is None else first.start()):
        raise XmlError("DTDs and entities are refused")
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
