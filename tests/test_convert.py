import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from smsc_proto.convert import ConvertError, parse_date, parse_datetime, to_result
from smsc_proto.enums import MessageStatus


class Inner(msgspec.Struct):
    phone: str
    cost: Decimal | None = None


class Record(msgspec.Struct):
    id: int | str
    status: MessageStatus
    when: dt.datetime | None = None
    day: dt.date | None = None
    money: Decimal | None = None
    count: int | None = None
    name: str | None = None
    items: list[Inner] | None = None


def test_strings_from_text_and_xml_become_typed_values() -> None:
    record = to_result(
        {
            "id": "1234",
            "status": "-1",
            "when": "18.10.2016 15:34:12",
            "day": "01.02.2024",
            "money": "1,40",
            "count": " 3 ",
            "name": "007",
        },
        Record,
    )
    assert record == Record(
        id=1234,
        status=MessageStatus.WAITING,
        when=dt.datetime(2016, 10, 18, 15, 34, 12),
        day=dt.date(2024, 2, 1),
        money=Decimal("1.40"),
        count=3,
        name="007",
    )


def test_string_ids_stay_strings() -> None:
    assert to_result({"id": "order-7", "status": 1}, Record).id == "order-7"


def test_empty_values_mean_none() -> None:
    record = to_result({"id": 1, "status": 0, "when": "", "day": "0", "money": "", "count": ""}, Record)
    assert (record.when, record.day, record.money, record.count) == (None, None, None, None)


def test_json_numbers_and_decimals() -> None:
    record = to_result(
        {"id": 5, "status": 1, "money": Decimal("2.5"), "count": Decimal("4"), "name": 79991234567}, Record
    )
    assert record.money == Decimal("2.5")
    assert record.count == 4
    assert record.name == "79991234567"


def test_unknown_status_stays_an_integer() -> None:
    status = to_result({"id": 1, "status": 42}, Record).status
    assert status == 42
    assert status.name == "UNKNOWN_42"


def test_nested_structs_are_normalised() -> None:
    record = to_result({"id": 1, "status": 1, "items": [{"phone": 79991234567, "cost": "1.40"}]}, Record)
    assert record.items == [Inner(phone="79991234567", cost=Decimal("1.40"))]


@pytest.mark.parametrize(
    "data",
    [
        {"status": 1},  # id missing
        {"id": 1, "status": "delivered"},
        {"id": 1, "status": 1, "when": "yesterday"},
        {"id": 1, "status": 1, "money": "lots"},
        {"id": 1, "status": 1, "count": "3.5"},
    ],
)
def test_bad_values_are_convert_errors(data: dict[str, object]) -> None:
    with pytest.raises(ConvertError):
        to_result(data, Record)


def test_date_formats() -> None:
    assert parse_datetime("10.10.2010 10:10") == dt.datetime(2010, 10, 10, 10, 10)
    assert parse_datetime("2010-10-10 10:10:10") == dt.datetime(2010, 10, 10, 10, 10, 10)
    assert parse_date("10.10.10") == dt.date(2010, 10, 10)
    with pytest.raises(ConvertError):
        parse_datetime("32.13.2010 10:10:10")
