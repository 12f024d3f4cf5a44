"""What users pass every day: credentials from the environment, bools for 0/1 flags, a
``datetime`` for the time of a send."""

from __future__ import annotations

import datetime as dt

import pytest

from smsc_proto import Credentials, InvalidParameter, JobsAdd, Send, SendCost
from smsc_proto.ops.send import send_time

# -- credentials from the environment ----------------------------------------------------------


def test_credentials_from_login_and_password() -> None:
    creds = Credentials.from_env({"SMSC_LOGIN": "acme", "SMSC_PSW": "s3cret", "OTHER": "x"})
    assert creds == Credentials(login="acme", psw="s3cret")


def test_credentials_from_an_api_key() -> None:
    assert Credentials.from_env({"SMSC_APIKEY": "k3y", "SMSC_LOGIN": ""}) == Credentials(apikey="k3y")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "no SMSC credentials in the environment: set SMSC_APIKEY, or SMSC_LOGIN and SMSC_PSW"),
        ({"SMSC_LOGIN": "acme", "SMSC_PSW": ""}, "SMSC_PSW is not set (SMSC_LOGIN is)"),
        ({"SMSC_PSW": "s3cret-value"}, "SMSC_LOGIN is not set (SMSC_PSW is)"),
        ({"SMSC_APIKEY": "k3y-value", "SMSC_PSW": "s3cret-value"}, "both SMSC_APIKEY and SMSC_PSW are set"),
    ],
)
def test_what_is_missing_is_named_and_no_value_shown(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match="SMSC") as caught:
        Credentials.from_env(environ)
    assert str(caught.value).startswith(message)
    assert "value" not in str(caught.value)


def test_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMSC_LOGIN", raising=False)
    monkeypatch.delenv("SMSC_PSW", raising=False)
    monkeypatch.setenv("SMSC_APIKEY", "from-the-env")
    assert Credentials.from_env() == Credentials(apikey="from-the-env")


# -- flags and times ---------------------------------------------------------------------------


def test_flags_take_bools() -> None:
    op = Send(phones=["79991234567"], mes="x", flash=True, tinyurl=False)
    assert (op.flash, op.tinyurl) == (1, 0)
    assert ("flash", "1") in op.params() and ("tinyurl", "0") in op.params()
    assert Send(phones=["79991234567"], mes="x", flash=True) == Send(phones=["79991234567"], mes="x", flash=1)


def test_a_bool_is_no_value_of_a_three_way_choice() -> None:
    with pytest.raises(InvalidParameter) as caught:
        Send(phones=["79991234567"], mes="x", translit=True)  # type: ignore[arg-type]
    assert caught.value.field == "translit"


@pytest.mark.parametrize(
    ("when", "written"),
    [
        (dt.datetime(2026, 12, 5, 9, 30), "05.12.26 09:30"),  # naive: Moscow time, or tz's zone
        (dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC), "05.12.26 12:30"),
        (dt.datetime(2027, 1, 1, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=5))), "31.12.26 22:05"),
    ],
)
def test_a_send_time_may_be_a_datetime(when: dt.datetime, written: str) -> None:
    assert send_time(when) == written
    for op in (
        Send(phones=["79991234567"], mes="x", time=when),
        SendCost(phones=["79991234567"], mes="x", time=when),
        JobsAdd(name="Promo", phones=["79991234567"], mes="x", time=when),
    ):
        assert dict(op.params())["time"] == written
        assert op.time == written


@pytest.mark.parametrize("text", ["05.12.26 09:30", "0512260930", "10-18", "+30", "01733404400"])
def test_the_api_s_own_time_strings_keep_working(text: str) -> None:
    assert dict(Send(phones=["79991234567"], mes="x", time=text).params())["time"] == text
