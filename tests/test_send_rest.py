"""send.rest: the send parameters posted to /rest/send/ as one JSON object, by both clients."""

from __future__ import annotations

import asyncio
import json

import pytest
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client
from transport_support import Reply, Server

from smsc_proto import (
    CallPolicy,
    Credentials,
    HttpRequest,
    MessageRejectedError,
    RateLimitedError,
    Send,
    SendRest,
    SendResult,
)
from smsc_proto.errors import excerpt

CREDS = Credentials(login="acme", psw="hunter2-secret")
OP = SendRest(phones=["79991234567"], mes="Code: 1234 & more", cost=3)


def test_the_body_is_one_json_object_of_the_form_fields() -> None:
    request = OP.request(CREDS)
    assert request.path == "/rest/send/"
    assert request.content_type == "application/json; charset=utf-8"
    assert json.loads(request.body) == dict(request.fields)
    assert HttpRequest.parse_body(request.body, request.content_type) == dict(request.fields)
    assert "hunter2" not in repr(request) and "hunter2" not in str(request.params())


def test_an_echo_of_the_json_body_is_scrubbed() -> None:
    echoed = OP.request(CREDS).body.decode()
    assert "hunter2" not in excerpt("bad request: " + echoed)


def test_it_counts_with_send_against_the_one_identical_message_a_minute() -> None:
    policy = CallPolicy(CREDS)
    policy.start(Send(phones=["79991234567"], mes="Code: 1234 & more", cost=3), now=0.0)
    with pytest.raises(RateLimitedError):
        policy.start(OP, now=1.0)
    assert not SendRest.idempotent


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_both_clients_post_the_json_body(kind: str) -> None:
    answer = Reply('{"balance": "1024.90", "cnt": 1, "cost": "1.40", "id": 4922}')
    refused = Reply('{"error": "invalid number", "error_code": 7, "id": 4923}')
    with Server(answer, refused) as server:
        if kind == "urllib3":
            with Client(CREDS, hosts=[server.url], rate_limits=False) as client:
                result = client.call(OP)
                with pytest.raises(MessageRejectedError) as caught:
                    client.call(OP)
        else:

            async def both() -> tuple[SendResult, pytest.ExceptionInfo[MessageRejectedError]]:
                async with AsyncClient(CREDS, hosts=[server.url], rate_limits=False) as client:
                    first = await client.call(OP)
                    with pytest.raises(MessageRejectedError) as info:
                        await client.call(OP)
                    return first, info

            result, caught = asyncio.run(both())
    assert result.id == 4922 and str(result.balance) == "1024.90"
    assert caught.value.message_id == 4923
    for seen in server.requests:
        assert seen.target == "/rest/send/"
        assert seen.header("Content-Type") == "application/json; charset=utf-8"
        assert json.loads(seen.body) == dict(OP.request(CREDS).fields)
