import pytest

from smsc_proto.formats.xml import XmlError, element_to_builtins, parse_xml, render_element


def test_rootless_run_of_elements_is_wrapped() -> None:
    root = parse_xml("<id>1</id><cnt>2</cnt>")
    assert element_to_builtins(root) == {"id": "1", "cnt": "2"}


def test_declaration_with_encoding_is_accepted() -> None:
    root = parse_xml('<?xml version="1.0" encoding="windows-1251"?>\n<balance>1.5</balance>')
    assert element_to_builtins(root) == "1.5"


def test_repeated_tags_become_lists() -> None:
    root = parse_xml("<list><task><id>1</id></task><task><id>2</id></task></list>")
    assert element_to_builtins(root) == {"task": [{"id": "1"}, {"id": "2"}]}


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
        parse_xml(body)


def test_render_escapes_text() -> None:
    text = render_element("result", {"error": "a < b & c", "error_code": "1"})
    assert element_to_builtins(parse_xml(text)) == {"error": "a < b & c", "error_code": "1"}
