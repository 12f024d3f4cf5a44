"""fmt=2: XML read with a hardened lxml parser (no DTD, no entities, no network, bounded).

lxml is imported on first use, so ``import smsc_proto`` stays light and fmt=3 needs only
msgspec.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["MAX_XML_BYTES", "XmlError", "element_to_builtins", "parse_xml", "render_element"]

MAX_XML_BYTES = 16 * 1024 * 1024
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def escape(text: str) -> str:
    # Not xml.sax.saxutils: it pulls in urllib.request, socket and ssl.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class XmlError(ValueError):
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
    """Parse one document. A body of sibling elements with no root is read as if wrapped."""
    from lxml import etree

    if len(text) > MAX_XML_BYTES:
        raise XmlError("XML body too large")
    text = _DECLARATION.sub("", text, count=1).strip()
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
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
    except ValueError as exc:
        raise XmlError(str(exc)) from None
    return root


def element_to_builtins(element: etree._Element) -> Any:
    """A leaf becomes its text; a parent a dict by tag (repeated tags become lists)."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return element.text or ""
    out: dict[str, Any] = {}
    for child in children:
        value = element_to_builtins(child)
        if child.tag in out:
            previous = out[child.tag]
            if isinstance(previous, list):
                previous.append(value)
            else:
                out[child.tag] = [previous, value]
        else:
            out[str(child.tag)] = value
    return out


def render_element(tag: str, value: Any) -> str:
    """Inverse of ``element_to_builtins`` for dicts, lists of dicts and text."""
    if isinstance(value, dict):
        inner = "\n".join(render_element(k, v) for k, v in value.items() if v is not None)
        return f"<{tag}>\n{inner}\n</{tag}>"
    if isinstance(value, list):
        return "\n".join(render_element(tag, v) for v in value)
    return f"<{tag}>{escape(str(value))}</{tag}>"
