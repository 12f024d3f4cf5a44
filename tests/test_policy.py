"""The call policy as a pure state machine: ``start`` -> ``call.first`` -> ``answered`` /
``failed`` -> the next ``Attempt`` (with its own delay), None (decode) or a TransportError."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from smsc_proto import (
    OPS,
    Attempt,
    AuthenticationError,
    Balance,
    BalanceResult,
    Call,
    CallPolicy,
    Credentials,
    DecodeError,
    Failure,
    HttpResponse,
    InvalidParameter,
    JobsGet,
    LocalLimits,
    Op,
    PolicyConfig,
    RateLimit,
    RateLimitedError,
    Send,
    SmscProtoError,
    StatusBatch,
    TransportError,
)

HOSTS = ("http://127.0.0.1:8001", "http://127.0.0.1:8002/")
PSW = "pw-5ecret"
PSW19 = "Pw-3f1b9c7e5dSECRET"
CREDS = Credentials(login="acme", psw=PSW)
JSON = {"Content-Type": "application/json; charset=utf-8"}


def policy(**options: Any) -> CallPolicy:
    """A policy with limits of its own: each call of these tests counts apart."""
    options.setdefault("hosts", HOSTS)
    return CallPolicy(CREDS, PolicyConfig(**options), LocalLimits())


def send() -> Send:
    return Send(phones=["79991234567"], mes="hi")


def test_first_attempt_goes_to_the_main_host() -> None:
    call = policy().start(Balance(), 0.0)
    attempt = call.first
    assert isinstance(call, Call)
    assert isinstance(attempt, Attempt)
    assert attempt.url == "http://127.0.0.1:8001/sys/balance.php"
    assert attempt.number == 1
    assert attempt.delay == 0.0  # the first attempt goes at once
    assert (attempt.connect_timeout, attempt.read_timeout) == (10.0, 60.0)
    assert attempt.request is call.request
    assert attempt.request.fields == Balance().request(CREDS).fields
    assert call.first is attempt  # an attribute: reading it twice starts nothing
    assert call.attempts == 1
    assert PSW not in repr(attempt)


def test_connect_failure_fails_over_to_backup_even_for_send() -> None:
    call = policy(backoff=0.25).start(send(), 0.0)
    retry = call.failed(Failure.NOT_SENT, "connection refused", 0.0)
    assert isinstance(retry, Attempt)
    assert retry.delay == 0.25
    assert retry.number == 2
    assert retry.url == "http://127.0.0.1:8002/sys/send.php"  # trailing slash dropped
    assert retry.request is call.first.request  # the same bytes go again


def test_send_is_not_retried_after_it_may_have_left() -> None:
    call = policy().start(send(), 0.0)
    with pytest.raises(TransportError) as info:
        call.failed(Failure.MAYBE_SENT, "read timeout", 0.0)
    assert info.value.sent is None
    assert info.value.op == "send"
    assert "not retried" in str(info.value)
    assert "1 attempt(s) failed: read timeout" in str(info.value)


def test_send_5xx_is_final() -> None:
    call = policy().start(send(), 0.0)
    assert call.answered(503, 0.0) is None


def test_idempotent_op_retries_read_timeouts_and_5xx_with_backoff_then_gives_up() -> None:
    call = policy(max_attempts=3, backoff=1.0, max_backoff=1.5).start(Balance(), 0.0)
    first = call.answered(502, 0.0)
    assert first is not None and first.delay == 1.0 and first.number == 2
    assert first.url.startswith("http://127.0.0.1:8002")
    second = call.failed(Failure.MAYBE_SENT, "read timeout", 0.0)
    assert second.delay == 1.5  # capped
    assert second.url.startswith(HOSTS[0])  # round robin back to main
    with pytest.raises(TransportError) as info:
        call.failed(Failure.MAYBE_SENT, "read timeout", 0.0)
    assert "3 attempt(s) failed: HTTP 502; read timeout; read timeout" in str(info.value)
    assert info.value.sent is True  # the 502 says the request arrived
    assert "not retried" not in str(info.value)


def test_after_last_attempt_a_5xx_is_decoded() -> None:
    call = policy(max_attempts=1).start(Balance(), 0.0)
    assert call.answered(500, 0.0) is None


@pytest.mark.parametrize("status", [200, 204, 302, 400, 403, 404, 501])
def test_final_statuses_are_accepted(status: int) -> None:
    call = policy().start(Balance(), 0.0)
    assert call.answered(status, 0.0) is None
    assert call.attempts == 1


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_for_an_idempotent_op(status: int) -> None:
    call = policy().start(Balance(), 0.0)
    retry = call.answered(status, 0.0)
    assert retry is not None and retry.number == 2
    assert call.reasons == [f"HTTP {status}"]


# -- the state machine: delays, hosts, numbers -------------------------------------------------


THREE = ("https://a.example", "https://b.example", "https://c.example")


def _run(call: Call[Any], step: Any) -> list[Attempt]:
    """Every attempt of ``call``, each failure or status given by ``step``, until it raises."""
    attempts = [call.first]
    while True:
        try:
            attempts.append(step(call))
        except TransportError:
            return attempts


def _not_sent(call: Call[Any]) -> Attempt:
    return call.failed(Failure.NOT_SENT, "refused", 0.0)


def _maybe_sent(call: Call[Any]) -> Attempt:
    return call.failed(Failure.MAYBE_SENT, "read timeout", 0.0)


def _bad_gateway(call: Call[Any]) -> Attempt:
    retry = call.answered(502, 0.0)
    if retry is None:  # accepted: stop here, as a transport would decode it
        raise TransportError("test", "accepted")
    return retry


@pytest.mark.parametrize("step", [_not_sent, _maybe_sent, _bad_gateway])
def test_delays_double_up_to_max_backoff_and_hosts_rotate(step: Any) -> None:
    p = policy(hosts=THREE, max_attempts=7, backoff=0.5, max_backoff=3.0)
    attempts = _run(p.start(Balance(), 0.0), step)
    assert [a.number for a in attempts] == [1, 2, 3, 4, 5, 6, 7]
    assert [a.delay for a in attempts] == [0.0, 0.5, 1.0, 2.0, 3.0, 3.0, 3.0]
    hosts = [a.url.removesuffix("/sys/balance.php") for a in attempts]
    assert hosts == [*THREE, *THREE, THREE[0]]
    assert len({id(a.request) for a in attempts}) == 1  # one request, encoded once


def test_zero_backoff_retries_at_once() -> None:
    attempts = _run(policy(max_attempts=3, backoff=0.0).start(Balance(), 0.0), _not_sent)
    assert [a.delay for a in attempts] == [0.0, 0.0, 0.0]


def test_max_backoff_below_backoff_caps_the_first_retry() -> None:
    attempts = _run(policy(max_attempts=3, backoff=5.0, max_backoff=2.0).start(Balance(), 0.0), _not_sent)
    assert [a.delay for a in attempts] == [0.0, 2.0, 2.0]


def test_one_host_gets_every_attempt() -> None:
    attempts = _run(policy(hosts=("http://h.example",), max_attempts=3).start(Balance(), 0.0), _not_sent)
    assert [a.url for a in attempts] == ["http://h.example/sys/balance.php"] * 3


def test_timeouts_come_from_the_config() -> None:
    call = policy(connect_timeout=1.5, read_timeout=7.0).start(Balance(), 0.0)
    retry = call.failed(Failure.NOT_SENT, "refused", 0.0)
    for attempt in (call.first, retry):
        assert (attempt.connect_timeout, attempt.read_timeout) == (1.5, 7.0)


def test_giving_up_lists_every_reason_in_order() -> None:
    call = policy(max_attempts=4).start(Balance(), 0.0)
    assert call.failed(Failure.NOT_SENT, "refused", 0.0) is not None
    assert call.answered(503, 0.0) is not None
    assert call.failed(Failure.MAYBE_SENT, "reset", 0.0) is not None
    with pytest.raises(TransportError) as info:
        call.failed(Failure.NOT_SENT, "refused again", 0.0)
    assert str(info.value) == "balance: 4 attempt(s) failed: refused; HTTP 503; reset; refused again"
    # The last failure never left, but an earlier attempt reached the server (its 503).
    assert info.value.sent is True
    assert call.reached_server


# -- which ops are repeated: every registered op, one sample each ------------------------------

SAMPLES: dict[str, dict[str, Any]] = {
    "balance": {},
    "documents.add_account": {"user": "client1", "sum": "1500.00"},
    "documents.get_account": {"user_id": 17, "id": 4511},
    "documents.get_act": {"user": "client1", "num": "A-118"},
    "downloads.get_file": {"id": 3},
    "downloads.get_list": {},
    "jobs.add": {"name": "Promo", "phones": ["79991234567"], "mes": "Hi"},
    "jobs.cancel": {"id": 5},
    "jobs.del": {"id": 5},
    "jobs.get": {"id": 5},
    "jobs.get_all": {},
    "op_templates.add": {"sender": "SHOP", "msg": "Code %d%", "mts_srv": 1},
    "op_templates.get": {"sender": "SHOP", "msg": "Code %d%"},
    "ping": {"id": 7},
    "send": {"phones": ["79991234567"], "mes": "Hello"},
    "send.cost": {"phones": ["79991234567"], "mes": "Hello"},
    "send.rest": {"phones": ["79991234567"], "mes": "Hello"},
    "phones.add": {"phone": "79991234567", "name": "Ivan Petrov", "grp": [12]},
    "phones.add_group": {"name": "Clients", "num": 17},
    "phones.chg": {"phone": "79991234567", "new_phone": "79997654321"},
    "phones.chg_group": {"grp": 25, "name": "VIP clients"},
    "phones.move_group": {"move_group": 2, "phone": "79991234567", "grp": 25},
    "phones.del": {"phone": "79991234567"},
    "phones.del_group": {"grp": 25},
    "phones.get": {"grp": 12},
    "phones.get_group": {},
    "phones.add_black": {"phone": "79991234567", "type": 1},
    "phones.del_black": {"phone": "79991234567"},
    "users.add": {"user": "mylogin", "password": "mypassword", "phone": "79999999999", "fl[29]": 1},
    "users.chg": {"user": "mylogin", "new_login": "mylogin2", "type": 2, "fmts": [7, -77]},
    "users.pay": {"user": "mylogin", "sum": "100.50"},
    "users.get_stat": {"start": "01.01.2014", "end": "01.02.2014", "reseller": 1},
    "users.get_stat_all": {"start": "01.01.2014", "end": "01.02.2014", "reseller": 1},
    "receive_phones.get": {},
    "receive_phones.buy": {"phone": "79001234567"},
    "receive_phones.chg": {"phone": "79001234567", "noprolong": 1},
    "senders.get": {"operators": 1},
    "senders.add": {"sender": "Shop", "cmt": "order notices"},
    "senders.chg": {"id": 42, "cmt": "new comment"},
    "senders.send_code": {"sender": "79991234567"},
    "senders.check_code": {"sender": "79991234567", "code": "4821"},
    "senders.del": {"sender": "Shop"},
    "get.messages": {"start": "01.03.2024", "cnt": 100},
    "get.answers": {"hour": 24},
    "get.stat": {"start": "01.01.2014", "end": "01.02.2014"},
    "get.price": {},
    "get.mega_accounts": {},
    "status": {"phone": "79991234567", "id": 42},
    "status.del": {"phone": "79991234567", "id": 42},
    "templates.add": {"name": "code", "msg": "Code %s"},
    "templates.chg": {"id": 5, "msg": "Code %s"},
    "templates.del": {"id": 5},
    "templates.get": {},
    "info.operator": {"phone": "79991234567"},
    "tinyurls.get": {"id": 5521},
    "wait_call": {"phone": "79991234567"},
    "get_mnp": {},
}
# Ops that send, create or change: retried only when the request provably never left.
NOT_IDEMPOTENT = {
    "documents.add_account",
    "phones.add",
    "phones.add_black",
    "phones.add_group",
    "phones.chg",
    "phones.chg_group",
    "phones.del",
    "phones.del_black",
    "phones.del_group",
    "phones.move_group",
    "receive_phones.buy",
    "receive_phones.chg",
    "senders.add",
    "senders.chg",
    "senders.check_code",
    "senders.del",
    "senders.send_code",
    "users.add",
    "users.chg",
    "users.pay",
    "jobs.add",
    "op_templates.add",
    "ping",
    "send",
    "send.rest",
    "templates.add",
    "templates.chg",
    "templates.del",
    "wait_call",
}
# Ops limited to one identical request a minute: a repeat would only earn error 9.
ONCE_A_MINUTE = {
    "documents.add_account",
    "documents.get_account",
    "documents.get_act",
    "jobs.add",
    "jobs.cancel",
    "jobs.del",
    "jobs.get",
    "jobs.get_all",
    "send",
    "send.rest",
}


def _sample(op_id: str) -> Op[Any]:
    return OPS[op_id].from_params(SAMPLES[op_id])


def test_every_registered_op_has_a_sample() -> None:
    assert sorted(SAMPLES) == sorted(OPS)
    assert {op_id for op_id, cls in OPS.items() if not cls.idempotent} == NOT_IDEMPOTENT


@pytest.mark.parametrize("op_id", sorted(SAMPLES))
def test_what_may_have_reached_the_server_is_repeated_only_when_safe(op_id: str) -> None:
    repeatable = op_id not in NOT_IDEMPOTENT and op_id not in ONCE_A_MINUTE
    for step in (_maybe_sent, _bad_gateway):
        attempts = _run(policy(max_attempts=3).start(_sample(op_id), 0.0), step)
        assert len(attempts) == (3 if repeatable else 1), step.__name__
    # A request that never left is always tried again, on the next host.
    attempts = _run(policy(max_attempts=3).start(_sample(op_id), 0.0), _not_sent)
    path = OPS[op_id].path
    assert [a.url.removesuffix(path) for a in attempts] == [HOSTS[0], HOSTS[1].rstrip("/"), HOSTS[0]]


@pytest.mark.parametrize("op_id", sorted(NOT_IDEMPOTENT))
def test_non_idempotent_op_is_never_retried_once_it_may_have_left(op_id: str) -> None:
    # Even after retries of a request that never left, a maybe-sent attempt is the last.
    call = policy(max_attempts=5).start(_sample(op_id), 0.0)
    assert call.failed(Failure.NOT_SENT, "refused", 0.0).number == 2
    assert call.failed(Failure.NOT_SENT, "refused", 0.0).number == 3
    with pytest.raises(TransportError) as info:
        call.failed(Failure.MAYBE_SENT, "reset", 0.0)
    assert info.value.sent is None
    assert "not retried" in str(info.value)
    assert call.attempts == 3
    # A 5xx is an answer: it is decoded, not repeated.
    assert policy(max_attempts=5).start(_sample(op_id), 0.0).answered(503, 0.0) is None


def test_ops_limited_to_one_identical_request_are_not_repeated_once_sent() -> None:
    ops: tuple[Op[Any], ...] = (JobsGet(id=5), StatusBatch(phone=["79991234567", "79997654321"], id=[1, 2]))
    for op in ops:
        assert policy().start(op, 0.0).answered(503, 0.0) is None  # a repeat would only earn error 9
        with pytest.raises(TransportError):
            policy().start(op, 0.0).failed(Failure.MAYBE_SENT, "read timeout", 0.0)
        assert policy().start(op, 0.0).failed(Failure.NOT_SENT, "refused", 0.0).number == 2  # never arrived


# -- rate limits and refunds -------------------------------------------------------------------


def test_local_rate_limit_refuses_before_any_io() -> None:
    p = policy()
    p.start(send(), 100.0)
    with pytest.raises(RateLimitedError) as info:
        p.start(send(), 130.0)
    assert info.value.code == 9
    assert info.value.op == "send"
    assert info.value.retry_after == pytest.approx(30.0)
    p.start(Send(phones=["79991234567"], mes="other text"), 130.0)  # not identical
    p.start(send(), 160.0)  # the window has passed


def test_rate_limits_can_be_turned_off() -> None:
    p = policy(rate_limits=False)
    for _ in range(5):
        p.start(send(), 0.0)


def test_a_request_that_never_left_gives_its_rate_limit_slot_back() -> None:
    p = policy(max_attempts=2)
    call = p.start(send(), 0.0)
    assert call.failed(Failure.NOT_SENT, "connection refused", 0.0).number == 2
    with pytest.raises(RateLimitedError):
        p.start(send(), 1.0)  # still retrying: the slot is still taken
    with pytest.raises(TransportError) as info:
        call.failed(Failure.NOT_SENT, "connection refused", 0.0)
    assert info.value.sent is False
    p.start(send(), 5.0)  # the same message again: the API never saw the first one


def test_a_request_that_may_have_left_keeps_its_slot() -> None:
    p = policy()
    call = p.start(send(), 0.0)
    with pytest.raises(TransportError):
        call.failed(Failure.MAYBE_SENT, "read timeout", 0.0)
    with pytest.raises(RateLimitedError):
        p.start(send(), 5.0)


def test_a_request_that_never_left_the_last_time_but_did_before_keeps_its_slot() -> None:
    p = policy(max_attempts=3)
    call = p.start(send(), 0.0)
    call.failed(Failure.NOT_SENT, "refused", 0.0)
    with pytest.raises(TransportError):
        call.failed(Failure.MAYBE_SENT, "reset", 0.0)  # may have arrived: never repeated
    with pytest.raises(RateLimitedError):
        p.start(send(), 5.0)


class _TwiceAMinute(Balance, frozen=True, kw_only=True):
    """A repeatable op allowing two requests a minute (whatever their parameters)."""

    rate_limit = RateLimit(2, identical=False)


def test_an_answered_attempt_keeps_the_slot_even_if_a_later_one_never_left() -> None:
    p = policy(max_attempts=2)
    call = p.start(_TwiceAMinute(), 0.0)
    assert call.answered(503, 0.0) is not None  # the server saw it
    with pytest.raises(TransportError):
        call.failed(Failure.NOT_SENT, "refused", 0.0)
    p.start(_TwiceAMinute(), 1.0)
    with pytest.raises(RateLimitedError):
        p.start(_TwiceAMinute(), 2.0)  # the answered call still counts


def test_refund_gives_back_exactly_one_slot() -> None:
    p = policy(max_attempts=1)
    call = p.start(_TwiceAMinute(), 0.0)
    with pytest.raises(TransportError):
        call.failed(Failure.NOT_SENT, "refused", 0.0)
    p.start(_TwiceAMinute(), 1.0)
    p.start(_TwiceAMinute(), 2.0)
    with pytest.raises(RateLimitedError):
        p.start(_TwiceAMinute(), 3.0)


def test_refund_without_rate_limits_is_harmless() -> None:
    p = policy(max_attempts=1, rate_limits=False)
    with pytest.raises(TransportError) as info:
        p.start(send(), 0.0).failed(Failure.NOT_SENT, "refused", 0.0)
    assert info.value.sent is False


# -- decoding through the call: secrets scrubbed -----------------------------------------------


def _answer(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(status, JSON, body.encode("utf-8"))


def _everything(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), repr(exc.args), repr(getattr(exc, "__dict__", {}))])


def test_call_decode_returns_the_typed_result() -> None:
    call = policy().start(Balance(), 0.0)
    assert call.decode(_answer('{"balance": "1.50"}')) == BalanceResult(balance=Decimal("1.50"))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        # The secret with no name before it: only the call, which knows it, can hide it.
        (f'{{"error": "bad password {PSW}", "error_code": 2}}', AuthenticationError),
        (f"<html>proxy error: {PSW}", DecodeError),
        (f'{{"balance": "{PSW}"}}', DecodeError),
    ],
)
def test_call_decode_scrubs_the_secret_from_errors(body: str, error: type[SmscProtoError]) -> None:
    with pytest.raises(error) as raw:
        Balance().decode(_answer(body))
    assert PSW in _everything(raw.value)  # the codec alone quotes the body...
    call = policy().start(Balance(), 0.0)
    with pytest.raises(error) as info:
        call.decode(_answer(body))
    assert PSW not in _everything(info.value)  # ...the call hides what it sent
    assert "<hidden>" in str(info.value)


@pytest.mark.parametrize(
    "body",
    [f'{{"error": "bad psw={PSW}", "error_code": 2}}', f"<html>proxy error: psw={PSW}"],
)
def test_call_stream_decoder_scrubs_the_secret_from_errors(body: str) -> None:
    call = policy().start(Balance(), 0.0)
    decoder = call.stream_decoder(HttpResponse(200, JSON))
    data = body.encode("utf-8")
    assert decoder.feed(data[:5]) == []
    assert decoder.feed(data[5:]) == []
    with pytest.raises(SmscProtoError) as info:
        decoder.close()
    assert isinstance(info.value, (AuthenticationError, DecodeError))
    assert PSW not in _everything(info.value)
    assert "<hidden>" in str(info.value)


def test_call_stream_decoder_yields_the_records() -> None:
    call = policy().start(Balance(), 0.0)
    decoder = call.stream_decoder(HttpResponse(200, JSON))
    assert decoder.feed(b'{"balance": "2"}') == []
    [result] = decoder.close()
    assert result == Balance().decode(_answer('{"balance": "2"}'))


def test_url_encoded_secret_is_scrubbed_too() -> None:
    psw = "p&w 5ecret/+"
    call = CallPolicy(Credentials(login="acme", psw=psw), PolicyConfig(hosts=HOSTS)).start(Balance(), 0.0)
    echoed = Balance().request(Credentials(login="acme", psw=psw)).body.decode("ascii")
    with pytest.raises(DecodeError) as info:
        call.decode(_answer(f"<html>{echoed}"))
    assert "p%26w+5ecret%2F%2B" in echoed
    assert "5ecret" not in _everything(info.value)


def test_redact_hides_secrets_only_where_a_server_is_quoted() -> None:
    api = AuthenticationError(2, f"bad psw={PSW}", "balance", message_id=5)
    api.redact([PSW, ""])
    assert (api.description, api.code, api.message_id) == ("bad psw=<hidden>", 2, 5)
    assert api.args == ("balance: API error 2 (bad psw=<hidden>), message id 5",)
    bad = DecodeError("balance", f"no number: {PSW}", f"<html>{PSW}".encode())
    bad.redact([PSW])
    assert (bad.reason, bad.excerpt) == ("no number: <hidden>", "<html><hidden>")
    assert PSW not in str(bad)
    # Every error has redact; those that quote no server answer keep their text.
    for other in (
        TransportError("balance", "1 attempt(s) failed: refused", sent=False),
        InvalidParameter("balance", "cur", 7, "must be 0 or 1"),
        RateLimitedError(9, "refused locally", "send", retry_after=1.0),
    ):
        before = (str(other), other.args)
        other.redact([PSW])
        assert (str(other), other.args) == before


def _pieces(secret: str, size: int = 6) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


# Bodies that quote the password where the codec shortens what it quotes: the DecodeError
# excerpt (the first 120 characters of the body) and a ConvertError reason (the value, cut
# with "..."). Shortened first and scrubbed after, the cut secret no longer matches and a
# prefix of it stays in the error (10 and 14 of its 19 characters here).
CUT_BODIES = {
    "excerpt": ("text/html", "<html>" + "x" * 100 + "psw=" + PSW19 + "</html>"),
    "reason": ("application/json", '{"balance": "' + "y" * 42 + PSW19 + '"}'),
}


@pytest.mark.parametrize("streaming", [False, True], ids=["decode", "stream"])
@pytest.mark.parametrize("where", sorted(CUT_BODIES))
def test_no_piece_of_the_secret_survives_a_cut(where: str, streaming: bool) -> None:
    # The policy's promise: errors "never carry a piece of the credentials' secrets".
    content_type, body = CUT_BODIES[where]
    response = HttpResponse(200, {"Content-Type": content_type}, body.encode("utf-8"))
    call = CallPolicy(Credentials(login="acme", psw=PSW19), PolicyConfig(hosts=HOSTS)).start(Balance(), 0.0)
    with pytest.raises(DecodeError) as info:
        if streaming:
            decoder = call.stream_decoder(HttpResponse(200, response.headers))
            decoder.feed(response.body)
            decoder.close()
        else:
            call.decode(response)
    shown = _everything(info.value)
    assert [piece for piece in _pieces(PSW19) if piece in shown] == []


@pytest.mark.parametrize(
    ("psw", "body"),
    [
        # A JSON-escaped echo of the form, in the excerpt of a page that is not the answer.
        ('pa"ssword17', '<html>form: {"psw": "pa\\"ssword17"}</html>'),
        # A value quoted with repr, whose other quote escapes the secret's own.
        ("s3cr'etPass", '{"balance": "\\"s3cr\'etPass"}'),
        ("back\\slash9", '{"balance": "back\\\\slash9"}'),
    ],
)
def test_escaped_spellings_of_the_secret_are_hidden(psw: str, body: str) -> None:
    call = CallPolicy(Credentials(login="acme", psw=psw), PolicyConfig(hosts=HOSTS)).start(Balance(), 0.0)
    content_type = "text/html" if body.startswith("<") else "application/json"
    with pytest.raises(DecodeError) as info:
        call.decode(HttpResponse(200, {"Content-Type": content_type}, body.encode("utf-8")))
    shown = _everything(info.value)
    assert [piece for piece in _pieces(psw) if piece in shown] == [], shown


# -- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"hosts": ()}, "at least one"),
        ({"hosts": "https://smsc.ru"}, "not one string"),
        ({"hosts": ("smsc.ru",)}, "expected a base URL"),
        ({"hosts": ("ftp://smsc.ru",)}, "expected a base URL"),
        ({"hosts": ("https://user:pw@smsc.ru",)}, "must not carry credentials"),
        ({"hosts": ("https://smsc.ru/?psw=x",)}, "must not carry credentials"),
        ({"hosts": ("https://smsc.ru/#x",)}, "must not carry credentials"),
        ({"max_attempts": 0}, "max_attempts=0"),
        ({"max_in_flight": 15}, "max_in_flight=15"),
        ({"max_in_flight": 0}, "max_in_flight=0"),
        ({"read_timeout": 0}, "timeouts must be positive"),
        ({"connect_timeout": -1}, "timeouts must be positive"),
        ({"total_timeout": 1e12}, "at most 86400 s"),
        ({"total_timeout": float("nan")}, "timeouts must be positive"),
        ({"backoff": -1}, "must not be negative"),
        ({"max_backoff": -1}, "must not be negative"),
    ],
)
def test_bad_config_is_refused_clearly(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PolicyConfig(**options)


def test_policy_config_is_a_plain_class_with_its_options_listed() -> None:
    config = PolicyConfig()
    assert not dataclasses.is_dataclass(config)
    assert config.hosts == ("https://smsc.ru", "https://www2.smsc.ru")
    defaults = {
        "max_attempts": 3,
        "backoff": 0.5,
        "max_backoff": 8.0,
        "connect_timeout": 10.0,
        "read_timeout": 60.0,
        "total_timeout": 120.0,
        "max_body_size": 64 * 1024 * 1024,
        "rate_limits": True,
        "max_in_flight": 14,
        "slow_call": 10.0,
    }
    assert set(PolicyConfig.OPTIONS) == set(defaults)
    assert {name: getattr(config, name) for name in PolicyConfig.OPTIONS} == defaults
    given: dict[str, Any] = {
        "max_attempts": 5,
        "backoff": 0.1,
        "max_backoff": 2.0,
        "connect_timeout": 1.0,
        "read_timeout": 2.0,
        "total_timeout": 30.0,
        "max_body_size": 1024,
        "rate_limits": False,
        "max_in_flight": 7,
        "slow_call": 0.5,
    }
    custom = PolicyConfig(hosts=("https://example.com/",), **given)
    assert {name: getattr(custom, name) for name in PolicyConfig.OPTIONS} == given
    assert custom.hosts == ("https://example.com",)
    assert repr(custom).startswith("PolicyConfig(hosts=('https://example.com',), max_attempts=5, ")
    with pytest.raises(AttributeError):
        custom.surprise = 1  # type: ignore[attr-defined]
