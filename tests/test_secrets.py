"""Secrets (``psw``, ``apikey``) travel only in the POST body: never in the URL, headers,
logs, exception messages or reprs, for both transports and both kinds of credentials."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pytest
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client
from transport_support import TEXT, Reply, Server, refusing_host

from smsc_proto import (
    AuthenticationError,
    Balance,
    CallPolicy,
    Credentials,
    DecodeError,
    Op,
    PolicyConfig,
    RateLimitedError,
    Send,
    SmscProtoError,
    TransportError,
)

PSW = "Pw-3f1b9c7e5dSECRET"
APIKEY = "Key-8e2d4a6c0bSECRET"
CREDENTIALS = {
    "login+psw": (Credentials(login="acme-login", psw=PSW), "psw", PSW),
    "apikey": (Credentials(apikey=APIKEY), "apikey", APIKEY),
}
LOGGERS = ("", "urllib3", "aiohttp", "smsc_urllib3", "smsc_aiohttp")
SEND = Send(phones=["79991234567"], mes="Hi")

pytestmark = [
    pytest.mark.parametrize("kind", ["urllib3", "aiohttp"]),
    pytest.mark.parametrize("auth", list(CREDENTIALS)),
]


async def _no_sleep(seconds: float) -> None:
    pass


def make(kind: str, credentials: Credentials, *hosts: str, **options: Any) -> Client | AsyncClient:
    if kind == "urllib3":
        return Client(credentials, hosts, sleep=lambda seconds: None, **options)
    return AsyncClient(credentials, hosts, sleep=_no_sleep, **options)


async def call(client: Client | AsyncClient, op: Op) -> Any:
    if isinstance(client, AsyncClient):
        return await client.call(op)
    return client.call(op)


async def close(client: Client | AsyncClient) -> None:
    if isinstance(client, AsyncClient):
        await client.close()
    else:
        client.close()


async def failure(client: Client | AsyncClient, op: Op) -> SmscProtoError:
    """The error ``op`` ends in; the client is closed afterwards."""
    try:
        await call(client, op)
    except SmscProtoError as exc:
        return exc
    finally:
        await close(client)
    raise AssertionError(f"{op!r} did not fail")


def everything_about(exc: BaseException) -> str:
    """Message, repr, attributes and the whole chained traceback of an exception."""
    return "\n".join(
        [str(exc), repr(exc), repr(exc.args), repr(vars(exc)), "".join(traceback.format_exception(exc))]
    )


async def test_secret_is_sent_only_in_the_post_body(kind: str, auth: str) -> None:
    credentials, name, secret = CREDENTIALS[auth]
    with Server(Reply('{"balance": "1.00"}'), Reply('{"id": 1, "cnt": 1}')) as server:
        client = make(kind, credentials, server.url)
        await call(client, Balance())
        await call(client, SEND)
        await close(client)
    assert len(server.requests) == 2
    for seen in server.requests:
        assert seen.form[name] == secret
        assert secret.encode() in seen.body
        assert secret not in seen.outside_body()
        assert "?" not in seen.target


async def test_secret_is_in_no_log_and_no_error(
    kind: str, auth: str, caplog: pytest.LogCaptureFixture
) -> None:
    credentials, _name, secret = CREDENTIALS[auth]
    for logger in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=logger or None)
    errors: list[SmscProtoError] = []
    with Server(
        Reply('{"error": "authorise error", "error_code": 2}'),
        Reply(b"<html>garbage", status=200, content_type=TEXT),
        Reply('{"balance": "1"}', stall=30),
        Reply('{"balance": "1.00"}' + " " * 100, reset_after=5),
        Reply('{"id": 1, "cnt": 1}'),
    ) as server:
        errors.append(await failure(make(kind, credentials, server.url), Balance()))  # API error
        errors.append(await failure(make(kind, credentials, server.url), Balance()))  # garbage
        slow = make(kind, credentials, server.url, read_timeout=0.3, max_attempts=1)
        errors.append(await failure(slow, SEND))  # read timeout
        errors.append(await failure(make(kind, credentials, server.url), Balance()))  # reset mid-body
        limited = make(kind, credentials, server.url, clock=lambda: 5.0)
        await call(limited, SEND)
        errors.append(await failure(limited, SEND))  # the same message again within a minute
    with refusing_host() as dead:
        errors.append(await failure(make(kind, credentials, dead, max_attempts=2), SEND))  # refused
    expected = [
        AuthenticationError,
        DecodeError,
        TransportError,
        TransportError,
        RateLimitedError,
        TransportError,
    ]
    assert [type(e) for e in errors] == expected
    assert len(server.requests) == 5  # the rate limit refused locally, before any I/O

    for exc in errors:
        assert secret not in everything_about(exc)
    ours = {"urllib3": "smsc_urllib3", "aiohttp": "smsc_aiohttp"}[kind]
    assert any(r.name == ours for r in caplog.records)  # the capture really saw the exchanges
    if kind == "urllib3":
        assert any(r.name.startswith("urllib3") for r in caplog.records)
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in repr(record.args)


async def test_secret_is_in_no_repr(kind: str, auth: str) -> None:
    credentials, _name, secret = CREDENTIALS[auth]
    client = make(kind, credentials, "https://smsc.ru")
    request = SEND.request(credentials)
    started = CallPolicy(credentials, PolicyConfig()).start(SEND, 0.0)
    shown = [repr(credentials), str(credentials), repr(request), repr(client), repr(SEND), repr(started)]
    assert "smsc.ru" in repr(client)
    for text in shown:
        assert secret not in text
    assert secret.encode() in request.body  # the secret is there, just never shown
    await close(client)


async def test_redirects_are_not_followed(kind: str, auth: str) -> None:
    credentials, _name, _secret = CREDENTIALS[auth]
    with Server(Reply('{"balance": "1"}')) as elsewhere:
        moved = Reply(b"", status=302, headers=(("Location", f"{elsewhere.url}/sys/balance.php"),))
        with Server(moved) as server:
            error = await failure(make(kind, credentials, server.url), Balance())
    assert isinstance(error, DecodeError)  # a 302 is no answer...
    assert elsewhere.requests == []  # ...and the form, credentials included, went nowhere else


async def test_a_page_echoing_the_form_does_not_leak_into_the_error(kind: str, auth: str) -> None:
    # Some proxies answer an error page that repeats the request form; the DecodeError's
    # excerpt must not carry the secret from it.
    credentials, name, secret = CREDENTIALS[auth]
    page = f"<html>bad gateway: login=acme&amp;{name}={secret}</html>"
    with Server(Reply(page, content_type=TEXT)) as server:
        error = await failure(make(kind, credentials, server.url), SEND)
    assert isinstance(error, DecodeError)
    assert "<hidden>" in error.excerpt
    assert secret not in everything_about(error)
