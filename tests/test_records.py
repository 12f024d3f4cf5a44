import datetime as dt
from decimal import Decimal
from typing import Annotated

import msgspec
import pytest

from smsc_proto.enums import MessageStatus
from smsc_proto.records import (
    EMPTY_IS_NONE,
    ConvertError,
    format_date,
    format_datetime,
    parse_date,
    parse_datetime,
    record,
    wire_value,
)


class Inner(msgspec.Struct):
    phone: str
    cost: Decimal | None = None


class Row(msgspec.Struct):
    id: int | str
    status: MessageStatus
    when: dt.datetime | None = None
    day: dt.date | None = None
    money: Decimal | None = None
    count: int | None = None
    name: str | None = None
    items: list[Inner] | None = None


class Named(msgspec.Struct):
    status: int
    name: Annotated[str | None, EMPTY_IS_NONE] = None


def to_row(data: dict[str, object]) -> Row:
    built: Row = record(Row).from_dict(data)
    return built


def test_strings_from_text_and_xml_become_typed_values() -> None:
    row = to_row(
        {
            "id": "1234",
            "status": "-1",
            "when": "18.10.2016 15:34:12",
            "day": "01.02.2024",
            "money": "1,40",
            "count": " 3 ",
            "name": "007",
        }
    )
    assert row == Row(
        id=1234,
        status=MessageStatus.WAITING,
        when=dt.datetime(2016, 10, 18, 15, 34, 12),
        day=dt.date(2024, 2, 1),
        money=Decimal("1.40"),
        count=3,
        name="007",
    )
    assert type(row.status) is MessageStatus


def test_string_ids_stay_strings() -> None:
    assert to_row({"id": "order-7", "status": 1}).id == "order-7"


def test_empty_values_mean_none() -> None:
    row = to_row({"id": 1, "status": 0, "when": "", "day": "0", "money": "", "count": ""})
    assert (row.when, row.day, row.money, row.count) == (None, None, None, None)


@pytest.mark.parametrize("no_date", ["", "0", "00.00.0000 00:00:00", "0000-00-00 00:00:00", 0, None])
def test_every_spelling_of_no_date_is_none(no_date: object) -> None:
    assert to_row({"id": 1, "status": 0, "when": no_date}).when is None


def test_text_fields_keep_empty_text_unless_marked() -> None:
    assert to_row({"id": 1, "status": 0, "name": ""}).name == ""
    assert record(Named).from_dict({"status": "1", "name": " "}) == Named(status=1, name=None)
    assert record(Named).from_dict({"status": "1", "name": "MTS"}) == Named(status=1, name="MTS")


def test_json_numbers_and_decimals() -> None:
    row = to_row({"id": 5, "status": 1, "money": Decimal("2.5"), "count": Decimal("4"), "name": 79991234567})
    assert row.money == Decimal("2.5")
    assert row.count == 4
    assert row.name == "79991234567"


def test_unknown_status_stays_an_integer() -> None:
    status = to_row({"id": 1, "status": 42}).status
    assert status == 42
    assert status.name == "UNKNOWN_42"


def test_nested_structs_are_normalised() -> None:
    row = to_row({"id": 1, "status": 1, "items": [{"phone": 79991234567, "cost": "1.40"}]})
    assert row.items == [Inner(phone="79991234567", cost=Decimal("1.40"))]


def test_a_single_nested_record_is_a_list_of_one() -> None:
    # XML writes a list of one as a single element.
    row = to_row({"id": 1, "status": 1, "items": {"phone": "7999", "cost": ""}})
    assert row.items == [Inner(phone="7999")]


@pytest.mark.parametrize(
    "data",
    [
        {"status": 1},  # id missing
        {"id": 1},  # status missing
        {"id": 1, "status": "delivered"},
        {"id": 1, "status": 1, "when": "yesterday"},
        {"id": 1, "status": 1, "money": "lots"},
        {"id": 1, "status": 1, "money": "NaN"},
        {"id": 1, "status": 1, "money": "Infinity"},
        {"id": 1, "status": 1, "money": Decimal("NaN")},
        {"id": 1, "status": 1, "count": "3.5"},
        {"id": 1, "status": 1, "count": Decimal("3.5")},
        {"id": 1, "status": 1, "count": "1E+999999999"},
        {"id": 1, "status": 1, "count": Decimal("1E+999999999")},
        {"id": 1, "status": 1, "count": "9" * 5000},
        {"id": 1, "status": 1, "name": ["a"]},
        {"id": 1, "status": 1, "items": ["not a record"]},
        {"id": 1, "status": 1, "items": [{"cost": "1"}]},  # nested phone missing
    ],
)
def test_bad_values_are_convert_errors(data: dict[str, object]) -> None:
    with pytest.raises(ConvertError):
        to_row(data)


def test_from_parts_reads_positional_text() -> None:
    build = record(Row).from_parts(("id", "status", "skipped", "name", "money"), free=3)
    assert build(["12", " 1 ", "x", " free text ", " 2.50 "]) == Row(
        id=12, status=MessageStatus.DELIVERED, name=" free text ", money=Decimal("2.50")
    )
    # A shorter record leaves the last values absent.
    assert build(["12", "1"]) == Row(id=12, status=MessageStatus.DELIVERED)
    assert record(Row).from_parts(("id", "status", "skipped", "name", "money"), free=3) is build


def test_from_parts_needs_the_required_fields() -> None:
    with pytest.raises(TypeError, match="lacks required"):
        record(Row).from_parts(("id", "name"))


def test_json_route_decodes_into_the_struct_or_a_twin() -> None:
    rec = record(Row)
    twin, convert = rec.twin()
    assert twin is not Row and convert is not None  # dates and ids need fixing after msgspec
    value = rec.json_decoder(False).decode(b'{"id": "77", "status": 1, "when": "01.02.2024 03:04:05"}')
    assert convert(value) == Row(id=77, status=MessageStatus.DELIVERED, when=dt.datetime(2024, 2, 1, 3, 4, 5))
    many = rec.json_decoder(True).decode(b'[{"id": "x-1", "status": 0}]')
    assert [convert(v) for v in many] == [Row(id="x-1", status=MessageStatus.TRANSFERRED)]
    with pytest.raises(ConvertError):  # msgspec reads "NaN" into a Decimal; an amount is finite
        convert(rec.json_decoder(False).decode(b'{"id": 1, "status": 1, "money": "NaN"}'))


def test_a_struct_of_plain_fields_is_its_own_twin() -> None:
    class Plain(msgspec.Struct):
        phone: str
        count: int | None = None

    assert record(Plain).twin() == (Plain, None)
    assert record(Plain).json_decoder(False).decode(b'{"phone": "7", "count": 2}') == Plain("7", 2)


def test_result_fields_must_default_to_none() -> None:
    class Defaulted(msgspec.Struct):
        count: int = 0

    with pytest.raises(TypeError, match="default to None"):
        record(Defaulted)


class Numbers(msgspec.Struct):
    phone: str
    others: list[str] = msgspec.field(default_factory=list)
    counts: list[int] | None = None


@pytest.mark.parametrize(
    ("given", "others"),
    [
        ({}, []),
        ({"others": None}, []),
        ({"others": ""}, []),
        ({"others": "  "}, []),
        ({"others": "7"}, ["7"]),
        ({"others": "7, 8,,9"}, ["7", "8", "9"]),
        ({"others": ["7", 8]}, ["7", "8"]),
        ({"others": ["7,8"]}, ["7,8"]),  # the items of a list are kept whole
    ],
)
def test_a_list_field_may_default_to_an_empty_list(given: dict[str, object], others: list[str]) -> None:
    build = record(Numbers)
    assert build.from_dict({"phone": "1", **given}) == Numbers("1", others)
    assert build.from_parts(("phone", "others"))(["1"]) == Numbers("1")
    assert build.from_parts(("phone", "others"))(["1", ""]) == Numbers("1")


def test_a_list_of_values_given_as_text_is_the_apis_comma_joined_list() -> None:
    assert record(Numbers).from_dict({"phone": "1", "counts": "1,2"}).counts == [1, 2]
    assert record(Numbers).from_dict({"phone": "1", "counts": ""}).counts is None
    # A list of records is never split: a record is not text.
    with pytest.raises(ConvertError):
        record(Row).from_dict({"id": 1, "status": 1, "items": "a,b"})


def test_a_list_that_defaults_to_empty_reads_alike_by_both_json_routes() -> None:
    build = record(Numbers)
    assert build.twin() == (Numbers, None)
    assert build.json_decoder(False).decode(b'{"phone": "1"}') == Numbers("1")
    assert build.json_decoder(False).decode(b'{"phone": "1", "others": ["2"]}') == Numbers("1", ["2"])

    class Dated(msgspec.Struct):  # a twin (the date is fixed after msgspec): the default holds
        when: dt.datetime
        others: list[str] = msgspec.field(default_factory=list)

    _, convert = record(Dated).twin()
    assert convert is not None
    got = convert(record(Dated).json_decoder(False).decode(b'{"when": "01.02.2024 03:04:05"}'))
    assert got == Dated(dt.datetime(2024, 2, 1, 3, 4, 5))


def test_only_a_list_may_default_to_something_but_none() -> None:
    class Factory(msgspec.Struct):
        names: dict[str, str] = msgspec.field(default_factory=dict)

    class ListOfNone(msgspec.Struct):
        names: list[str] | None = msgspec.field(default_factory=list)

    for cls in (Factory, ListOfNone):
        with pytest.raises(TypeError, match="default to None"):
            record(cls)


def test_date_formats() -> None:
    assert parse_datetime("10.10.2010 10:10") == dt.datetime(2010, 10, 10, 10, 10)
    assert parse_datetime("2010-10-10 10:10:10") == dt.datetime(2010, 10, 10, 10, 10, 10)
    assert parse_date("10.10.10") == dt.date(2010, 10, 10)
    assert parse_date("10.10.2010 10:10:10") == dt.date(2010, 10, 10)
    with pytest.raises(ConvertError):
        parse_datetime("32.13.2010 10:10:10")
    with pytest.raises(ConvertError):
        parse_datetime("1" * 100)


def test_formatting_and_wire_values() -> None:
    when = dt.datetime(2024, 2, 1, 3, 4, 5)
    assert format_datetime(when) == "01.02.2024 03:04:05"
    assert format_date(when.date()) == "01.02.2024"
    assert parse_datetime(format_datetime(when)) == when
    assert wire_value(when) == "01.02.2024 03:04:05"
    assert wire_value(when.date()) == "01.02.2024"
    assert wire_value(Decimal("1E+2")) == "100"
    assert wire_value(True) == "1"
    assert wire_value(MessageStatus.DELIVERED) == "1"
    assert wire_value(["a", 2]) == "a,2"
    assert wire_value("x") == "x"


# -- one reading of each value, whatever the route (review of Core v2) ------------------------

ROW_JSON = record(Row).json_decoder(False)


def both_routes(body: str) -> tuple[object, object]:
    """The fmt=3 msgspec route and the field-by-field route on the same body: each result,
    or "refused"."""
    from smsc_proto.formats.json import parse_json

    build = record(Row)
    _, from_twin = build.twin()
    assert from_twin is not None  # Row has dates: it decodes through a twin

    def fast() -> object:
        return from_twin(ROW_JSON.decode(body))

    def slow() -> object:
        return build.from_dict(parse_json(body))

    outcomes: list[object] = []
    for route in (fast, slow):
        try:
            outcomes.append(route())
        except (ConvertError, msgspec.ValidationError):
            outcomes.append("refused")
    return outcomes[0], outcomes[1]


@pytest.mark.parametrize(
    "money",
    ['"9999999999999999999999999999999999999999999999"', '"1E+999999999"', '"NaN"', '"-Infinity"', "1e400"],
)
def test_an_amount_of_absurd_size_is_refused_by_both_routes(money: str) -> None:
    body = '{"id": 1, "status": 1, "money": ' + money + "}"
    assert both_routes(body) == ("refused", "refused")


def test_a_sane_amount_reads_the_same_by_both_routes() -> None:
    fast, slow = both_routes('{"id": 1, "status": 1, "money": "123456789.50"}')
    assert fast == slow == Row(id=1, status=MessageStatus.DELIVERED, money=Decimal("123456789.50"))


@pytest.mark.parametrize(
    "text",
    ["01.02.2024 10+03:00", "01.02.2024 10-03:00", "01.02.2024 10:30+03", "01.02.2024 1a:30:00"],
)
def test_dates_that_are_not_the_apis_are_refused_not_read_as_aware(text: str) -> None:
    with pytest.raises(ConvertError):
        record(Row).from_dict({"id": "1", "status": "1", "when": text})
    with pytest.raises(ConvertError):
        record(Row).from_parts(("id", "status", "when"))(["1", "1", text])


@pytest.mark.parametrize("digits", ["\u0661", "1_0", "\u00b2", "5" * 41, "1e3", "+-5"])
def test_integers_are_ascii_digits_in_every_route(digits: str) -> None:
    with pytest.raises(ConvertError):
        record(Row).from_dict({"id": "1", "status": "1", "count": digits})
    with pytest.raises(ConvertError):
        record(Row).from_parts(("id", "status", "count"))(["1", "1", digits])


def test_signed_and_spaced_integers_read_alike_inline_and_converted() -> None:
    row = record(Row).from_dict({"id": " 7 ", "status": " 1", "count": "-3"})
    assert (row.id, row.status, row.count) == (7, MessageStatus.DELIVERED, -3)
    assert record(Row).from_dict({"id": "1", "status": "1", "count": " " * 5000 + "5"}).count == 5


def test_positional_values_lose_their_spaces_as_parsed_ones_do() -> None:
    names = ("id", "status", "name", "money")
    parts = [" abc ", " 1 ", " x ", " 1.5 "]
    positional = record(Row).from_parts(names)(parts)
    parsed = record(Row).from_dict(dict(zip(names, (p.strip() for p in parts), strict=True)))
    assert (
        positional == parsed == Row(id="abc", status=MessageStatus.DELIVERED, name="x", money=Decimal("1.5"))
    )
    named = record(Named).from_parts(("status", "name"))(["1", "  "])
    assert named == Named(status=1, name=None)


def test_a_numeric_literal_reads_from_text() -> None:
    from typing import Literal

    class Flagged(msgspec.Struct):
        flag: Literal[0, 1]

    assert record(Flagged).from_dict({"flag": "1"}) == Flagged(flag=1)
    with pytest.raises(ConvertError):
        record(Flagged).from_dict({"flag": "2"})
