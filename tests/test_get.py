"""get.php: requests, validation and the answers the fixtures do not spell out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from transport_support import Reply, Server, walk_pager

from smsc_proto import (
    DateWindowPager,
    HistoryPager,
    HttpResponse,
    InvalidParameter,
    NotFoundError,
    Op,
    RateLimitedError,
    SmscError,
)
from smsc_proto.enums import DeliveryError, MessageStatus
from smsc_proto.op import Fmt
from smsc_proto.ops.get import (
    GetAnswers,
    GetMegaAccounts,
    GetMessages,
    GetPrice,
    GetStat,
    IncomingMessage,
    MegaAccountStats,
    MessageStats,
    SentMessage,
    TariffZone,
)
from smsc_proto.paging import AfterIdPager
from smsc_proto.ratelimit import RateLimit

LIVE_LINE = (
    "Status = 1, check_time = 12.03.2024 10:15:42, send_date = 12.03.2024 10:15:37, phone = 79991234567, "
    "mccmnc = 25503, country = Россия, operator = МТС, region = , cost = 0.385, sender_id = SMSC.RU, "  # noqa: RUF001
    "status_name = Доставлено, message = {message}, type = 0, ID = 206113, int_id = 401671913, "
    "sms_cnt = 1, format = 0, crc = 307589946"
)


def _decode(op: Op[Any], body: str) -> Any:
    return op.decode(HttpResponse(200, {}, body.encode("utf-8")))


# -- requests --------------------------------------------------------------------------------


def test_history_parameters_go_by_their_wire_names() -> None:
    op = GetMessages(
        start=dt.date(2024, 3, 1),
        end=dt.date(2024, 3, 12),
        phone=["79991234567", "+79997654321"],
        format=0,
        cnt=1000,
        prev_id=401671913,
    )
    assert op.params() == [
        ("get_messages", "1"),
        ("start", "01.03.2024"),
        ("end", "12.03.2024"),
        ("phone", "79991234567,+79997654321"),
        ("format", "0"),
        ("cnt", "1000"),
        ("prev_id", "401671913"),
        ("fmt", "3"),
        ("charset", "utf-8"),
    ]
    assert dict(GetMessages(email=["a@example.com", "b@example.com"], format=8).params())["email"] == (
        "a@example.com,b@example.com"
    )


def test_other_parameters_go_by_their_wire_names() -> None:
    answers = dict(GetAnswers(cnt=10000, hour=168, after_id=0, to_phone="79037676877").params())
    assert answers | {"fmt": "3"} == {
        "get_answers": "1",
        "cnt": "10000",
        "hour": "168",
        "after_id": "0",
        "to_phone": "79037676877",
        "fmt": "3",
        "charset": "utf-8",
    }
    stat = dict(GetStat(start=dt.date(2014, 1, 1), end=dt.date(2014, 2, 1), mycur=1, balance2=1).params())
    assert {k: stat[k] for k in ("get_stat", "start", "end", "mycur", "balance2")} == {
        "get_stat": "1",
        "start": "01.01.2014",
        "end": "01.02.2014",
        "mycur": "1",
        "balance2": "1",
    }
    assert GetPrice(fmt=0).params() == [("get_price", "1"), ("fmt", "0"), ("charset", "utf-8")]
    assert GetMegaAccounts(account="500123456789").params()[:2] == [
        ("get_mega_accounts", "1"),
        ("account", "500123456789"),
    ]
    assert GetMegaAccounts().params()[0] == ("get_mega_accounts", "1")


def test_from_params_reads_api_dates_and_lists() -> None:
    op = GetMessages.from_params({"start": "01.03.2024", "phone": "79991234567,79997654321", "prev_id": "7"})
    assert op == GetMessages(start=dt.date(2024, 3, 1), phone=("79991234567", "79997654321"), prev_id=7)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: GetMessages(cnt=0), "cnt"),
        (lambda: GetMessages(cnt=1001), "cnt"),
        (lambda: GetMessages(prev_id=0), "prev_id"),
        (lambda: GetMessages(prev_id=2**31), "prev_id"),
        (lambda: GetMessages(start=dt.date(2024, 3, 2), end=dt.date(2024, 3, 1)), "end"),
        (lambda: GetMessages(start="2024-13-01"), "start"),  # type: ignore[arg-type]
        (lambda: GetMessages(phone=["7999-123"]), "phone"),
        (lambda: GetMessages(phone=["79991234567,79997654321"]), "phone"),
        (lambda: GetMessages(email=["not an address"]), "email"),
        (lambda: GetMessages(format=1), "format"),  # type: ignore[arg-type]
        (lambda: GetMessages(extra={"get_stat": "1"}), "extra"),
        (lambda: GetAnswers(cnt=0), "cnt"),
        (lambda: GetAnswers(cnt=10001), "cnt"),
        (lambda: GetAnswers(hour=0), "hour"),
        (lambda: GetAnswers(hour=169), "hour"),
        (lambda: GetAnswers(after_id=-1), "after_id"),
        (lambda: GetAnswers(to_phone="+7 903"), "to_phone"),
        (lambda: GetStat(start=dt.date(2014, 2, 1), end=dt.date(2014, 1, 1)), "end"),
        (lambda: GetStat(mycur=2), "mycur"),  # type: ignore[arg-type]
        (lambda: GetPrice(extra={"PSW": "x"}), "extra"),
        (lambda: GetMegaAccounts(account="  "), "account"),
    ],
)
def test_bad_input_names_the_field(build: Callable[[], object], field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()
    assert caught.value.field == field


def test_every_command_only_reads() -> None:
    for cls in (GetMessages, GetAnswers, GetStat, GetPrice, GetMegaAccounts):
        assert cls.idempotent, cls
        assert cls.path == "/sys/get.php"
    assert GetPrice.rate_limit == RateLimit(3)
    assert GetAnswers.rate_limit == RateLimit(3)
    assert (
        GetMessages.rate_limit is None and GetStat.rate_limit is None and GetMegaAccounts.rate_limit is None
    )


def test_incoming_messages_page_with_the_after_id_pager() -> None:
    pager: AfterIdPager[GetAnswers, IncomingMessage] = AfterIdPager(
        lambda after: GetAnswers(cnt=100, after_id=after)
    )
    assert pager.first_op() == GetAnswers(cnt=100)
    assert pager.next_op([IncomingMessage(id=7), IncomingMessage(id=9)]) == GetAnswers(cnt=100, after_id=9)


# -- answers ---------------------------------------------------------------------------------


def test_the_live_history_line_reads_upper_case_id_and_int_id() -> None:
    [sent] = _decode(GetMessages(fmt=0), LIVE_LINE.format(message="Your code: 4821"))
    assert sent.id == 206113 and sent.int_id == 401671913
    assert sent.status is MessageStatus.DELIVERED
    assert sent.region is None and sent.err is None
    assert sent.last_date == dt.datetime(2024, 3, 12, 10, 15, 42)
    assert (sent.mccmnc, sent.sms_cnt, sent.format, sent.crc) == ("25503", 1, 0, 307589946)


def test_int_id_written_as_a_string_is_a_number_and_a_text_id_stays_text() -> None:
    body = '[{"status": 20, "err": 1, "id": "promo-7", "int_id": "401671850", "cost": "1.40"}]'
    [sent] = _decode(GetMessages(), body)
    assert sent.id == "promo-7" and sent.int_id == 401671850
    assert sent.status is MessageStatus.UNDELIVERABLE and sent.err is DeliveryError.NO_SUBSCRIBER
    # The next page back starts before the oldest message seen.
    assert GetMessages(prev_id=sent.int_id).prev_id == 401671850


@pytest.mark.parametrize(
    "message",
    [
        "Reply with: type = 5",
        "a, type = 5, ID = 7, int_id = 8, sms_cnt = 9, format = 1, crc = 2",
        "crc = 1, type = 0",
        "x, message = y, phone = z",
        "",
    ],
)
def test_a_history_message_may_hold_the_keys_that_follow_it(message: str) -> None:
    [sent] = _decode(GetMessages(fmt=0), LIVE_LINE.format(message=message))
    assert sent.message == message
    assert (sent.type, sent.id, sent.int_id, sent.crc) == (0, 206113, 401671913, 307589946)


def test_a_key_seen_twice_after_the_message_ends_the_pairs() -> None:
    line = "Status = 1, message = see, ID = 7, ID = 206113, int_id = 401671913"
    [sent] = _decode(GetMessages(fmt=0), line)
    assert (sent.message, sent.id, sent.type) == ("see, ID = 7", 206113, None)


def test_an_incoming_message_may_hold_the_keys_that_follow_it() -> None:
    line = (
        "id = 5, received = 29.09.2018 15:09:00, phone = 79991234567, message = to_phone = 1, sent = no, "
        "to_phone = 79037676877, sent = 29.09.2018 15:08:58"
    )
    [incoming] = _decode(GetAnswers(fmt=0), line)
    assert incoming.message == "to_phone = 1, sent = no"
    assert incoming.to_phone == "79037676877" and incoming.sent == dt.datetime(2018, 9, 29, 15, 8, 58)


def test_money_is_decimal() -> None:
    [sent] = _decode(GetMessages(fmt=0), LIVE_LINE.format(message="Hi"))
    assert isinstance(sent.cost, Decimal) and sent.cost == Decimal("0.385")
    [stats] = _decode(GetStat(fmt=1), "acme,1520,2128.00,0.10,RUR")
    assert stats == MessageStats(
        login="acme", cnt=1520, credit=Decimal("2128.00"), debit=Decimal("0.10"), currency="RUR"
    )
    assert isinstance(stats.credit, Decimal) and isinstance(stats.debit, Decimal)
    [zone] = _decode(GetPrice(), '[{"zone": 1, "api": "2.20", "call": 1.9}]')
    assert zone.api == Decimal("2.20") and zone.call == Decimal("1.9") and isinstance(zone.call, Decimal)
    [mega] = _decode(GetMegaAccounts(), '[{"account": "500123456789", "cost": "180.50"}]')
    assert mega.cost == Decimal("180.50")


def test_tariffs_come_as_an_array_or_as_zones_of_an_object() -> None:
    zone = TariffZone(zone="1", name="Россия", api=Decimal("2.20"))
    assert _decode(GetPrice(), '[{"zone": 1, "name": "Россия", "api": "2.20"}]') == [zone]
    assert _decode(GetPrice(), '{"zones": [{"zone": 1, "name": "Россия", "api": "2.20"}], "x": 1}') == [zone]
    with pytest.raises(SmscError):  # an error envelope is still the error
        _decode(GetPrice(), '{"error": "duplicate request, wait a minute", "error_code": 9}')


def test_error_3_is_an_empty_list_for_the_history_lists_only() -> None:
    cases: list[tuple[Fmt, str]] = [
        (0, "ERROR = 3 (no messages)"),
        (1, "0,-3"),
        (3, '{"error": "x", "error_code": 3}'),
    ]
    for fmt, body in cases:
        assert _decode(GetMessages(fmt=fmt), body) == []
        assert _decode(GetAnswers(fmt=fmt), body) == []
        assert _decode(GetMegaAccounts(fmt=fmt), body) == []
        with pytest.raises(SmscError) as caught:
            _decode(GetStat(fmt=fmt), body)
        assert caught.value.code == 3 and not isinstance(caught.value, NotFoundError)
    with pytest.raises(RateLimitedError):
        _decode(GetAnswers(), '{"error": "duplicate request, wait a minute", "error_code": 9}')


SENT = [
    SentMessage(
        status=MessageStatus.DELIVERED,
        last_date=dt.datetime(2024, 3, 12, 10, 15, 42),
        send_date=dt.datetime(2024, 3, 12, 10, 15, 37),
        phone="79991234567",
        mccmnc="25503",
        country="Россия",
        operator="МТС",  # noqa: RUF001
        cost=Decimal("0.385"),
        sender_id="SMSC.RU",
        status_name="Доставлено",
        message="Reply, type = 5, ID = 7",
        type=0,
        id=206113,
        int_id=401671913,
        sms_cnt=1,
        format=0,
        crc=307589946,
    ),
    SentMessage(
        status=MessageStatus(238),
        last_date=dt.datetime(2024, 3, 12, 9, 1, 2),
        send_date=dt.datetime(2024, 3, 12, 9, 1),
        phone="79997654321",
        mccmnc="25001",
        country="Россия",
        operator="МегаФон",
        region="г.Москва и Московская область",  # noqa: RUF001
        cost=Decimal("0"),
        sender_id="SHOP",
        status_name="Запрещено",
        message="Sale, -20%",
        type=0,
        id="promo-7",
        int_id=401671850,
        sms_cnt=2,
        format=0,
        crc=-5,
    ),
]
RESULTS: list[tuple[Callable[[Fmt], Op[Any]], list[Any]]] = [
    (lambda fmt: GetMessages(fmt=fmt), SENT),
    (
        lambda fmt: GetAnswers(fmt=fmt),
        [
            IncomingMessage(
                id=47436134,
                received=dt.datetime(2018, 9, 29, 15, 7, 39),
                phone="79268401046",
                message="Stop, to_phone = 1, sent = 2",
                to_phone="79037676877",
                sent=dt.datetime(2018, 9, 29, 15, 7, 37),
            ),
            IncomingMessage(id=47436135, phone="79991234567", message="1", to_phone="79037676877"),
        ],
    ),
    (
        lambda fmt: GetStat(fmt=fmt),
        [MessageStats(login="acme", cnt=1520, credit=Decimal("2128.00"), debit=Decimal("0"), currency="RUR")],
    ),
    (
        lambda fmt: GetPrice(fmt=fmt),
        [
            TariffZone(
                zone="1",
                name="Казахстан, Kcell",
                api=Decimal("4.60"),
                mass=Decimal("4.60"),
                mms=Decimal("5.00"),
                hlr=Decimal("0.50"),
                call=Decimal("6.00"),
            ),
            TariffZone(zone="CIS", name="СНГ", api=Decimal("3.10")),
        ],
    ),
    (
        lambda fmt: GetMegaAccounts(fmt=fmt),
        [MegaAccountStats(account="500123456789", cnt=120, cost=Decimal("180.50"))],
    ),
]


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize(("build", "records"), RESULTS, ids=["messages", "answers", "stat", "price", "mega"])
def test_list_results_round_trip_in_every_fmt(
    build: Callable[[Fmt], Op[Any]], records: list[Any], fmt: Fmt
) -> None:
    op = build(fmt)
    assert op.decode(op.render(records)) == records
    assert op.decode(op.render([])) == []


def test_a_multiline_message_survives_fmt_1_2_3() -> None:
    records = [SentMessage(status=MessageStatus.DELIVERED, message="one,\ntwo", int_id=5)]
    for fmt in (1, 2, 3):
        op = GetMessages(fmt=fmt)
        assert op.decode(op.render(records)) == records, fmt


def _history_page(*int_ids: int) -> str:
    return json.dumps(
        [{"status": 1, "phone": "79991234567", "int_id": str(n), "id": n, "message": "x"} for n in int_ids]
    )


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_the_history_pager_walks_back_by_prev_id_with_both_clients(kind: str) -> None:
    pages = [Reply(_history_page(90, 85)), Reply(_history_page(85, 80)), Reply(_history_page(80))]
    with Server(*pages) as server:
        pager = HistoryPager(cnt=2, start=dt.date(2024, 3, 1))
        seen = [m.int_id for m in walk_pager(kind, pager, server.url)]
    # The repeated 85 is not yielded twice; the page that brings nothing older ends the walk.
    assert seen == [90, 85, 80]
    assert [r.form.get("prev_id") for r in server.requests] == [None, "85", "80"]
    assert pager.done


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_statistics_month_by_month_with_the_date_window_pager(kind: str) -> None:
    def month(login: str) -> Reply:
        return Reply(
            json.dumps([{"login": login, "cnt": 3, "credit": "1.50", "debit": "0.00", "currency": "RUR"}])
        )

    with Server(month("january"), month("february"), Reply("[]")) as server:
        pager: DateWindowPager[GetStat, MessageStats] = DateWindowPager(
            lambda first, last: GetStat(start=first, end=last),
            dt.date(2024, 1, 1),
            dt.date(2024, 3, 10),
            days=31,
        )
        seen = [s.login for s in walk_pager(kind, pager, server.url)]
    assert seen == ["january", "february"]  # the third window answered nothing
    assert [(r.form["start"], r.form["end"]) for r in server.requests] == [
        ("01.01.2024", "31.01.2024"),
        ("01.02.2024", "02.03.2024"),
        ("03.03.2024", "10.03.2024"),
    ]
    assert pager.done and pager.pages == 3


def test_a_date_window_pager_checks_its_period_and_parameters_at_once() -> None:
    with pytest.raises(ValueError, match="before start"):
        DateWindowPager(lambda a, b: GetStat(start=a, end=b), dt.date(2024, 2, 1), dt.date(2024, 1, 1))
    with pytest.raises(ValueError, match="at least one day"):
        DateWindowPager(
            lambda a, b: GetStat(start=a, end=b), dt.date(2024, 1, 1), dt.date(2024, 1, 2), days=0
        )
    with pytest.raises(InvalidParameter, match="end"):  # the op's own check, on the first window
        DateWindowPager(lambda a, b: GetStat(start=b, end=a), dt.date(2024, 1, 1), dt.date(2024, 1, 9))
    one_day: DateWindowPager[GetStat, MessageStats] = DateWindowPager(
        lambda a, b: GetStat(start=a, end=b), dt.date(2024, 1, 1), dt.date(2024, 1, 1)
    )
    assert one_day.first_op() == GetStat(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 1))
    assert one_day.next_op([]) is None
