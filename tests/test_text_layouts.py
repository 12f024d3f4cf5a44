import pytest

from smsc_proto.errors import Malformed
from smsc_proto.formats.text import Either, Fields, LayoutError, Pairs, Pattern, Token, split_records


def test_token() -> None:
    assert Token("OK").parse(" OK ") == {"result": "OK"}
    with pytest.raises(LayoutError):
        Token("OK").parse("OKAY")


def test_fields_in_order_with_optional_tail() -> None:
    layout = Fields(["id", "cnt", "cost", "balance"], required=2)
    assert layout.parse("1234,1") == {"id": "1234", "cnt": "1"}
    assert layout.parse("1234,1,1.40,100.50") == {
        "id": "1234",
        "cnt": "1",
        "cost": "1.40",
        "balance": "100.50",
    }
    with pytest.raises(LayoutError, match="at least 2"):
        layout.parse("1234")
    with pytest.raises(LayoutError, match="at most 4"):
        layout.parse("1,2,3,4,5")
    assert layout.render({"id": "1", "cnt": "2"}) == "1,2"


def test_free_field_absorbs_separators_from_both_ends() -> None:
    layout = Fields(["id", "name", "message", "status", "sender"], sep="|", free="message")
    assert layout.parse("5|list|a|b|c|1|SMSC") == {
        "id": "5",
        "name": "list",
        "message": "a|b|c",
        "status": "1",
        "sender": "SMSC",
    }
    last = Fields(["status", "message"], free="message")
    assert last.parse("1,Hi, there, bob") == {"status": "1", "message": "Hi, there, bob"}


def test_free_field_keeps_its_spaces() -> None:
    layout = Fields(["a", "message", "b"], free="message")
    assert layout.parse("1, two ,3")["message"] == " two "


def test_split_leaves_values_unstripped_and_parse_strips_all_but_free_text() -> None:
    layout = Fields(["a", "message", "b"], free="message")
    assert layout.split(" 1 , two, x , 3 ") == [" 1 ", " two, x ", " 3 "]
    assert layout.parse(" 1 , two, x , 3 ") == {"a": "1", "message": " two, x ", "b": "3"}
    short = Fields(["a", "b", "c"], required=1)
    assert short.split(" 1 ") == [" 1 "]
    with pytest.raises(LayoutError, match="at most 3"):
        short.split("1,2,3,4")


def test_layout_errors_are_malformed_bodies() -> None:
    # The decode pipeline turns Malformed, and nothing else, into a DecodeError.
    assert issubclass(LayoutError, Malformed)


def test_split_records_one_per_line() -> None:
    assert split_records(Token("OK"), "OK\r\n\n  \nOK\n") == ["OK", "OK"]


def test_split_records_joins_free_text_line_breaks() -> None:
    layout = Fields(["id", "message", "status"], "|", free="message")
    body = "1|first line\nsecond | line|0\r\n2|one line|1\n3|cut"
    assert split_records(layout, body) == ["1|first line\nsecond | line|0", "2|one line|1", "3|cut"]
    # Line separators other than LF belong to the free text.
    assert split_records(layout, "1|a\u2028b\x85c|0") == ["1|a\u2028b\x85c|0"]


def test_pairs_with_commas_inside_values() -> None:
    layout = Pairs(
        [("Status", "status"), ("check_time", "last_date"), ("message", "message"), ("type", "type")]
    )
    line = "Status = 1, check_time = 10.10.2010 10:10:10, message = Hi, there, type = 0"
    assert layout.parse(line) == {
        "status": "1",
        "last_date": "10.10.2010 10:10:10",
        "message": "Hi, there",
        "type": "0",
    }
    assert layout.render(layout.parse(line)) == line


def test_pairs_key_case_and_missing_optional_keys() -> None:
    layout = Pairs([("Status", "status"), ("err", "err")], required=("status",))
    assert layout.parse("status = 3") == {"status": "3"}
    with pytest.raises(LayoutError, match="missing status"):
        layout.parse("err = 1")
    with pytest.raises(LayoutError, match="no known key"):
        layout.parse("whatever")


def test_dash_pairs_with_lead_and_suffix() -> None:
    send = Pairs([("OK", "cnt"), ("ID", "id")], kv=" - ", suffixes={"cnt": " SMS"})
    assert send.parse("OK - 2 SMS, ID - 1234") == {"cnt": "2", "id": "1234"}
    assert send.render({"cnt": "2", "id": "1234"}) == "OK - 2 SMS, ID - 1234"
    job = Pairs([("ID", "id"), ("COST", "cost")], kv=" - ", lead="OK")
    assert job.parse("OK, ID - 5, COST - 1.20") == {"id": "5", "cost": "1.20"}
    assert job.render({"id": "5"}) == "OK, ID - 5"


def test_pattern_and_either() -> None:
    layout = Either(
        Pattern(r"(?P<cost>\d+\.\d+) \((?P<cnt>\d+) SMS\)", lambda r: f"{r['cost']} ({r['cnt']} SMS)"),
        Token("OK"),
    )
    assert layout.parse("1.40 (2 SMS)") == {"cost": "1.40", "cnt": "2"}
    assert layout.parse("OK") == {"result": "OK"}
    with pytest.raises(LayoutError):
        layout.parse("nope")
