import pytest

from smsc_proto.errors import Malformed
from smsc_proto.formats.xml import (
    ENVELOPE_ROOM,
    MAX_XML_BYTES,
    XmlError,
    element_record,
    parse_xml,
    render_element,
)


def test_rootless_run_of_elements_is_wrapped() -> None:
    root = parse_xml("<id>1</id><cnt>2</cnt>", ENVELOPE_ROOM)
    assert element_record(root) == {"id": "1", "cnt": "2"}


def test_declaration_with_encoding_is_accepted() -> None:
    root = parse_xml('<?xml version="1.0" encoding="windows-1251"?>\n<balance>1.5</balance>', ENVELOPE_ROOM)
    assert element_record(root) == "1.5"


def test_repeated_tags_become_lists() -> None:
    root = parse_xml("<list><task><id>1</id></task><task><id>2</id></task></list>", ENVELOPE_ROOM)
    assert element_record(root) == {"task": [{"id": "1"}, {"id": "2"}]}


@pytest.mark.parametrize(
    "body",
    [
        '<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;&a;</r>',
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd"><r/>',
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        "<r><unclosed></r>",
        "<",
    ],
)
def test_hostile_or_broken_xml_is_refused(body: str) -> None:
    with pytest.raises(XmlError):
        parse_xml(body, ENVELOPE_ROOM)


def test_render_escapes_text() -> None:
    text = render_element("result", {"error": "a < b & c", "error_code": "1"})
    assert element_record(parse_xml(text, ENVELOPE_ROOM)) == {"error": "a < b & c", "error_code": "1"}


def test_leaves_and_nested_records() -> None:
    root = parse_xml(
        "<sms><status>1</status><phones><phone>7</phone><phone>8</phone></phones><e/></sms>", ENVELOPE_ROOM
    )
    assert element_record(root) == {"status": "1", "phones": {"phone": ["7", "8"]}, "e": ""}


def test_too_large_or_nul_bodies_are_refused() -> None:
    with pytest.raises(XmlError, match="too large"):
        parse_xml("<r>" + "x" * MAX_XML_BYTES + "</r>", ENVELOPE_ROOM)
    with pytest.raises(XmlError):
        parse_xml("<r>\x00</r>", ENVELOPE_ROOM)
    assert issubclass(XmlError, Malformed)
