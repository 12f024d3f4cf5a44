"""receive_phones.php: requests, validation and the answers the fixtures do not spell out."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from smsc_proto import OPS, HttpResponse, InvalidParameter, OkResult, SmscError
from smsc_proto.op import Op
from smsc_proto.ops.receive_phones import (
    DedicatedNumber,
    ReceivePhonesBuy,
    ReceivePhonesChg,
    ReceivePhonesGet,
)

NUMBER = "79001234567"


def answer(op: Op[Any], body: str) -> Any:
    return op.decode(HttpResponse(200, {"Content-Type": "application/json"}, body.encode()))


def test_requests_use_the_pages_names() -> None:
    assert dict(ReceivePhonesGet().params()) == {"get": "1", "fmt": "3", "charset": "utf-8"}
    assert dict(ReceivePhonesBuy(phone=NUMBER).params()) == {
        "buy": "1",
        "phone": NUMBER,
        "fmt": "3",
        "charset": "utf-8",
    }
    op = OPS["receive_phones.chg"].from_params({"phone": NUMBER, "noprolong": "1"}, fmt=0)
    assert op == ReceivePhonesChg(phone=NUMBER, noprolong=1, fmt=0)
    assert dict(op.params())["noprolong"] == "1"


def test_another_commands_flag_cannot_ride_in_extra() -> None:
    with pytest.raises(InvalidParameter) as caught:
        ReceivePhonesGet(extra={"buy": "1"})
    assert caught.value.field == "extra"
    assert "receive_phones.buy" in caught.value.reason


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ReceivePhonesBuy(phone=""), "phone"),
        (lambda: ReceivePhonesBuy(phone="+7 900 123-45-67"), "phone"),
        (lambda: ReceivePhonesBuy(phone=NUMBER, noprolong=2), "noprolong"),  # type: ignore[arg-type]
        (lambda: OPS["receive_phones.chg"].from_params({"phone": NUMBER}), "noprolong"),
        (lambda: ReceivePhonesChg(phone="G12", noprolong=0), "phone"),
        (lambda: OPS["receive_phones.chg"].from_params({"noprolong": 1}), "phone"),
    ],
)
def test_bad_input_names_the_field(build: Callable[[], object], field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()
    assert caught.value.field == field


def test_buying_and_changing_are_never_repeated_blindly() -> None:
    assert not ReceivePhonesBuy.idempotent and not ReceivePhonesChg.idempotent
    assert ReceivePhonesGet.idempotent


def test_no_limit_and_only_the_common_codes() -> None:
    for cls in (ReceivePhonesGet, ReceivePhonesBuy, ReceivePhonesChg):
        assert cls.rate_limit is None and cls.errors == {}, cls.__name__
        assert cls.path == "/sys/receive_phones.php"
    # No code table was recovered: 3 is no empty list here, and stays an untyped API error.
    with pytest.raises(SmscError) as caught:
        answer(ReceivePhonesGet(), '{"error": "record not found", "error_code": 3}')
    assert type(caught.value) is SmscError and caught.value.code == 3


def test_results_are_typed() -> None:
    assert answer(ReceivePhonesBuy(phone=NUMBER), "OK") == OkResult(result="OK")
    assert answer(ReceivePhonesChg(phone=NUMBER, noprolong=0), '{"result": "OK"}') == OkResult(result="OK")
    numbers = answer(ReceivePhonesGet(), '[{"phone": 79001234567, "cost": 500}]')
    assert numbers == [DedicatedNumber(phone=NUMBER, cost=Decimal(500))]
    assert isinstance(numbers[0].phone, str) and isinstance(numbers[0].cost, Decimal)
    assert answer(ReceivePhonesGet(fmt=0), "") == []


NUMBERS = [DedicatedNumber(phone=NUMBER, cost=Decimal("500.00")), DedicatedNumber(phone="+79001234568")]


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_results_round_trip_in_every_fmt(fmt: int) -> None:
    listed = ReceivePhonesGet(fmt=fmt)  # type: ignore[arg-type]
    assert listed.decode(listed.render(NUMBERS)) == NUMBERS
    assert listed.decode(listed.render([])) == []
    bought = ReceivePhonesBuy(phone=NUMBER, fmt=fmt)  # type: ignore[arg-type]
    assert bought.decode(bought.render(OkResult(result="OK"))) == OkResult(result="OK")
