"""info.operator and tinyurls.get: requests, validation and the layouts the fixtures leave open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from smsc_proto import HttpResponse, InfoOperator, InvalidParameter, OperatorInfo, TinyurlsGet, TinyUrlStats


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: InfoOperator(phone="+7 999 123-45-67"), "phone"),
        (lambda: InfoOperator(phone=""), "phone"),
        (TinyurlsGet, "link or id"),
        (lambda: TinyurlsGet(link="https://example.com", id=5), "link or id"),
        (lambda: TinyurlsGet(id=0), "id"),
        (lambda: TinyurlsGet(link="  "), "link"),
    ],
)
def test_bad_input_names_the_field(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()
    assert caught.value.field == field


def test_the_unidentified_first_pair_is_skipped_whatever_it_holds() -> None:
    op = InfoOperator(phone="79991234567", fmt=0)
    body = "n = 1, country = Россия, operator = МТС, region = , mcc = 250, mnc = 01, tz = -1"  # noqa: RUF001
    got = op.decode(HttpResponse(200, {"Content-Type": "text/plain; charset=utf-8"}, body.encode()))
    expected = OperatorInfo(operator="МТС", country="Россия", region=None, mcc="250", mnc="01", tz=-1)  # noqa: RUF001
    assert got == expected


def test_network_codes_stay_text() -> None:
    got = InfoOperator(phone="79991234567").decode(HttpResponse(200, {}, b'{"operator": "A", "mnc": "01"}'))
    assert got == OperatorInfo(operator="A", mnc="01")


def test_results_round_trip_in_every_fmt() -> None:
    info = OperatorInfo(operator="MTS", country="Russia", region="Moscow", mcc="250", mnc="01", tz=3)
    stats = TinyUrlStats(id=5, cnt=10, cnt_mon=4, cnt_day=1, cnt_yes=2)
    for fmt in (0, 1, 2, 3):
        operator = InfoOperator(phone="79991234567", fmt=fmt)
        assert operator.decode(operator.render(info)) == info, fmt
        tinyurl = TinyurlsGet(id=5, fmt=fmt)
        assert tinyurl.decode(tinyurl.render(stats)) == stats, fmt
