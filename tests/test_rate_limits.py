"""Rate limits as data: every op carries its documented per-minute limit (spec errors.md),
and the call policy refuses locally, before any I/O, the request that would exceed it."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from documents_support import PDF_TYPE, Answer, FileServer, minimal_pdf

from smsc_proto import (
    OPS,
    CallPolicy,
    Credentials,
    Op,
    PolicyConfig,
    RateLimit,
    RateLimitedError,
)

CREDS = Credentials(login="acme", psw="s3cret")
PHONE = "79990000001"

# op id -> [(sample wire params, the documented limit of that request)]. errors.md, section
# "Per-endpoint rate limits": send 1 identical/min, send.cost 5, status 5 per message and
# 1 mass request, balance 10 of any kind, jobs 1, documents 1, downloads 3, ping 5,
# op_templates 10 (identical requests unless said otherwise).
EXPECTED: dict[str, list[tuple[dict[str, Any], RateLimit]]] = {
    "send": [({"phones": [PHONE], "mes": "Hello"}, RateLimit(1))],
    "send.cost": [({"phones": [PHONE], "mes": "Hello"}, RateLimit(5))],
    "send.rest": [({"phones": [PHONE], "mes": "Hello"}, RateLimit(1, group="send"))],
    "status": [
        ({"phone": [PHONE], "id": [42]}, RateLimit(5)),
        ({"phone": [PHONE, PHONE], "id": [42, 43]}, RateLimit(1, identical=False)),
    ],
    "status.del": [({"phone": [PHONE], "id": [42]}, RateLimit(5))],
    "balance": [({}, RateLimit(10, identical=False))],
    "jobs.add": [({"name": "Promo", "phones": [PHONE], "mes": "Hi"}, RateLimit(1))],
    "jobs.del": [({"id": 5}, RateLimit(1))],
    "jobs.cancel": [({"id": 5}, RateLimit(1))],
    "jobs.get": [({"id": 5}, RateLimit(1))],
    "jobs.get_all": [({}, RateLimit(1))],
    "documents.add_account": [({"user": "client1", "sum": "1500.00"}, RateLimit(1))],
    "documents.get_account": [({"user_id": 17, "id": 4511}, RateLimit(1))],
    "documents.get_act": [({"user": "client1", "num": "A-118"}, RateLimit(1))],
    "downloads.get_list": [({}, RateLimit(3))],
    "downloads.get_file": [({"id": 3}, RateLimit(3))],
    "ping": [({"id": 7}, RateLimit(5))],
    "op_templates.add": [({"sender": "SHOP", "msg": "Code %d%", "mts_srv": 1}, RateLimit(10))],
    "op_templates.get": [({"sender": "SHOP", "msg": "Code %d%"}, RateLimit(10))],
    "info.operator": [({"phone": PHONE}, RateLimit(3))],
    "phones.add": [({"phone": PHONE, "name": "Ivan Petrov"}, RateLimit(3))],
    "phones.add_group": [({"name": "Clients"}, RateLimit(3))],
    "phones.chg": [({"phone": PHONE, "new_phone": "79997654321"}, RateLimit(3))],
    "phones.chg_group": [({"grp": 25, "name": "VIP"}, RateLimit(3))],
    "phones.move_group": [({"move_group": 2, "phone": PHONE, "grp": 25}, RateLimit(3))],
    "phones.del": [({"phone": PHONE}, RateLimit(3))],
    "phones.del_group": [({"grp": 25}, RateLimit(3))],
    "phones.get": [({}, RateLimit(3))],
    "phones.get_group": [({}, RateLimit(3))],
    "phones.add_black": [({"phone": PHONE, "type": 1}, RateLimit(3))],
    "phones.del_black": [({"phone": PHONE}, RateLimit(3))],
    "users.add": [({"user": "mylogin", "password": "mypassword"}, RateLimit(3, identical=False))],
    "users.chg": [({"user": "mylogin", "fio": "Ivan Petrov"}, RateLimit(3))],
    "senders.get": [({}, RateLimit(3))],
    "senders.add": [({"sender": "Shop"}, RateLimit(5, identical=False))],
    "get.answers": [({"hour": 24}, RateLimit(3))],
    "get.price": [({}, RateLimit(3))],
}

CASES = [
    pytest.param(op_id, params, limit, id=f"{op_id}-{n}")
    for op_id, entries in EXPECTED.items()
    for n, (params, limit) in enumerate(entries)
]


def _op(op_id: str, params: dict[str, Any]) -> Op[Any]:
    return OPS[op_id].from_params(params)


def _other(op: Op[Any]) -> Op[Any]:
    """A request of the same op with other parameters (another answer format)."""
    return msgspec.structs.replace(op, fmt=(op.fmt + 1) % 4)


# Endpoints errors.md gives no limit: nothing is refused locally.
UNLIMITED = {
    "get.mega_accounts",
    "get.messages",
    "get.stat",
    "get_mnp",
    "receive_phones.buy",
    "receive_phones.chg",
    "receive_phones.get",
    "senders.check_code",
    "senders.chg",
    "senders.del",
    "senders.send_code",
    "templates.add",
    "templates.chg",
    "templates.del",
    "templates.get",
    "tinyurls.get",
    "users.get_stat",
    "users.get_stat_all",
    "users.pay",
    "wait_call",
}


def test_every_registered_op_has_its_documented_limit_in_the_table() -> None:
    missing = sorted(set(OPS) - set(EXPECTED) - UNLIMITED)
    assert not missing, f"add the errors.md limit of {missing} to EXPECTED (or to UNLIMITED)"
    for op_id in UNLIMITED:
        assert OPS[op_id].rate_limit is None, op_id


@pytest.mark.parametrize(("op_id", "params", "limit"), CASES)
def test_op_carries_its_documented_limit(op_id: str, params: dict[str, Any], limit: RateLimit) -> None:
    op = _op(op_id, params)
    assert op.op_id == op_id
    assert op.rate_limit == limit
    assert type(op).rate_limit == limit  # a class attribute: the same for every instance
    assert _other(op).rate_limit == limit


def test_status_and_its_batch_are_limited_apart() -> None:
    one = _op("status", {"phone": [PHONE], "id": [42]})
    batch = _op("status", {"phone": [PHONE, PHONE], "id": [42, 43]})
    assert (type(one).__name__, type(batch).__name__) == ("Status", "StatusBatch")
    policy = CallPolicy(CREDS)
    policy.start(batch, now=0.0)
    with pytest.raises(RateLimitedError):  # one mass request a minute, whatever its ids
        policy.start(_op("status", {"phone": [PHONE], "id": [44, 45]}), now=1.0)
    for _ in range(5):
        policy.start(one, now=1.0)  # single statuses are counted on their own


@pytest.mark.parametrize(("op_id", "params", "limit"), CASES)
def test_policy_refuses_the_request_over_the_limit_before_any_io(
    op_id: str, params: dict[str, Any], limit: RateLimit
) -> None:
    op = _op(op_id, params)
    policy = CallPolicy(CREDS)
    for n in range(limit.count):
        policy.start(op, now=100.0 + n)  # accepted: a request to send
    with pytest.raises(RateLimitedError) as info:
        policy.start(op, now=130.0)
    error = info.value
    assert error.code == 9 and error.op == op_id
    # The oldest request (t=100) leaves the one-minute window at t=160.
    assert error.retry_after == pytest.approx(30.0)
    assert "s3cret" not in str(error)
    # Refused requests are not counted: waiting retry_after is enough.
    with pytest.raises(RateLimitedError):
        policy.start(op, now=159.9)
    policy.start(op, now=160.0)


@pytest.mark.parametrize(("op_id", "params", "limit"), CASES)
def test_window_slides_with_time(op_id: str, params: dict[str, Any], limit: RateLimit) -> None:
    op = _op(op_id, params)
    policy = CallPolicy(CREDS)
    for minute in range(3):
        start = 1000.0 + minute * (limit.per + 1.0)
        for n in range(limit.count):
            policy.start(op, now=start + n * 0.01)
        with pytest.raises(RateLimitedError):
            policy.start(op, now=start + limit.per - 0.001)


def test_window_slides_one_request_at_a_time() -> None:
    op = _op("ping", {"id": 7})  # five identical requests a minute
    policy = CallPolicy(CREDS)
    for t in (0.0, 10.0, 20.0, 30.0, 40.0):
        policy.start(op, now=t)
    with pytest.raises(RateLimitedError) as info:
        policy.start(op, now=50.0)
    assert info.value.retry_after == pytest.approx(10.0)
    policy.start(op, now=60.0)  # the request of t=0 has left the window
    with pytest.raises(RateLimitedError) as info:
        policy.start(op, now=61.0)
    assert info.value.retry_after == pytest.approx(9.0)  # t=10 leaves at 70


@pytest.mark.parametrize(("op_id", "params", "limit"), CASES)
def test_identical_limits_count_each_parameter_set_apart(
    op_id: str, params: dict[str, Any], limit: RateLimit
) -> None:
    op = _op(op_id, params)
    policy = CallPolicy(CREDS)
    for _ in range(limit.count):
        policy.start(op, now=5.0)
    other = _other(op)
    if limit.identical:
        for _ in range(limit.count):
            policy.start(other, now=5.0)  # a different request has its own count
    with pytest.raises(RateLimitedError):
        policy.start(other, now=5.0)


@pytest.mark.parametrize(("op_id", "params", "limit"), CASES)
def test_rate_limits_can_be_turned_off(op_id: str, params: dict[str, Any], limit: RateLimit) -> None:
    op = _op(op_id, params)
    policy = CallPolicy(CREDS, PolicyConfig(rate_limits=False))
    calls = [policy.start(op, now=1.0) for _ in range(limit.count * 3 + 1)]
    assert all(call.request.path == op.path for call in calls)


def test_limits_are_shared_by_the_clients_of_a_login() -> None:
    from smsc_proto import Credentials, LocalLimits

    op = _op("documents.get_act", {"user": "client1", "num": "A-118"})
    first, second = CallPolicy(CREDS), CallPolicy(CREDS)
    first.start(op, now=0.0)
    with pytest.raises(RateLimitedError):
        second.start(op, now=1.0)  # the API counts per login: so does the policy
    CallPolicy(Credentials(login="another", psw="x")).start(op, now=1.0)  # another login's own
    CallPolicy(CREDS, limits=LocalLimits()).start(op, now=1.0)  # limits given apart


def test_a_refused_call_never_reaches_the_server() -> None:
    from smsc_urllib3 import Client

    now = [0.0]
    op = _op("documents.get_act", {"user": "client1", "num": "A-118"})
    pdf = minimal_pdf("Act")
    with FileServer() as server, Client(CREDS, hosts=[server.url], clock=lambda: now[0]) as client:
        server.answer = Answer(pdf, headers={"Content-Type": PDF_TYPE})
        assert client.call(op).pdf == pdf
        now[0] = 30.0
        with pytest.raises(RateLimitedError) as info:
            client.call(op)
        assert info.value.retry_after == pytest.approx(30.0)
        assert len(server.forms) == 1
        now[0] = 60.0
        client.call(op)
        assert len(server.forms) == 2


async def test_a_refused_async_call_never_reaches_the_server() -> None:
    from smsc_aiohttp import AsyncClient

    now = [0.0]
    op = _op("ping", {"id": 7})
    with FileServer() as server:
        server.answer = Answer(b'{\n"result": "OK"\n}', headers={"Content-Type": "application/json"})
        async with AsyncClient(CREDS, hosts=[server.url], clock=lambda: now[0]) as client:
            for _ in range(5):
                await client.call(op)
            with pytest.raises(RateLimitedError):
                await client.call(op)
            assert len(server.forms) == 5
