"""Secrets (``psw``, ``apikey``) travel only in the POST body: never in the URL, headers,
logs, exception messages or reprs, for both transports and every kind of credentials; and a
server that echoes the form back (error envelope or garbage) leaks nothing into the errors."""

from __future__ import annotations

import logging
import traceback
from typing import Any, cast
from urllib.parse import quote, quote_plus

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
    DownloadsGetFile,
    HttpRequest,
    HttpResponse,
    Op,
    ParameterError,
    PolicyConfig,
    RateLimitedError,
    Send,
    SmscError,
    SmscProtoError,
    StatusBatch,
    TransportError,
)

PSW = "Pw-3f1b9c7e5dSECRET"
APIKEY = "Key-8e2d4a6c0bSECRET"
# A password that form encoding changes: it travels, and may be echoed, in three spellings.
ODD_PSW = "Pw &=+%/~ё-4a7cSECRET"
CREDENTIALS = {
    "login+psw": (Credentials(login="acme-login", psw=PSW), "psw", PSW),
    "apikey": (Credentials(apikey=APIKEY), "apikey", APIKEY),
    "odd psw": (Credentials(login="acme-login", psw=ODD_PSW), "psw", ODD_PSW),
}
LOGGERS = ("", "urllib3", "aiohttp", "smsc")
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


async def call(client: Client | AsyncClient, op: Op[Any]) -> Any:
    if isinstance(client, AsyncClient):
        return await client.call(op)
    return client.call(op)


async def close(client: Client | AsyncClient) -> None:
    if isinstance(client, AsyncClient):
        await client.close()
    else:
        client.close()


async def failure(client: Client | AsyncClient, op: Op[Any]) -> SmscProtoError:
    """The error ``op`` ends in; the client is closed afterwards."""
    try:
        await call(client, op)
    except SmscProtoError as exc:
        return exc
    finally:
        await close(client)
    raise AssertionError(f"{op!r} did not fail")


def spellings(secret: str) -> set[str]:
    """The secret as given and as a form body or URL would carry it."""
    return {secret, quote_plus(secret), quote(secret, safe="")}


def assert_hidden(secret: str, text: str) -> None:
    for form in spellings(secret):
        assert form not in text


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
        assert quote_plus(secret).encode() in seen.body
        assert_hidden(secret, seen.outside_body())
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
        # Reset mid-body: a balance is retried then; one attempt only keeps to the replies.
        errors.append(await failure(make(kind, credentials, server.url, max_attempts=1), Balance()))
        limited = make(kind, credentials, server.url, clock=lambda: 5.0)
        await call(limited, SEND)
        errors.append(await failure(limited, SEND))  # the same message again within a minute
    with refusing_host() as dead:
        # Refused; the send above took the login's window for this message: not counted here.
        errors.append(await failure(make(kind, credentials, dead, max_attempts=2, rate_limits=False), SEND))
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
        assert_hidden(secret, everything_about(exc))
    assert any(r.name == "smsc.call" for r in caplog.records)  # the capture really saw the exchanges
    if kind == "urllib3":
        assert any(r.name.startswith("urllib3") for r in caplog.records)
    assert_hidden(secret, caplog.text)
    for record in caplog.records:
        assert_hidden(secret, record.getMessage())
        assert_hidden(secret, repr(record.args))


async def test_secret_is_in_no_repr(kind: str, auth: str) -> None:
    credentials, _name, secret = CREDENTIALS[auth]
    client = make(kind, credentials, "https://smsc.ru")
    request = SEND.request(credentials)
    started = CallPolicy(credentials, PolicyConfig()).start(SEND, 0.0)
    shown = [repr(credentials), str(credentials), repr(request), repr(client), repr(SEND), repr(started)]
    assert "smsc.ru" in repr(client)
    for text in shown:
        assert_hidden(secret, text)
    assert quote_plus(secret).encode() in request.body  # the secret is there, just never shown
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
    assert_hidden(secret, everything_about(error))


# -- a server that echoes the request form back, on both paths of both clients ---------------

BATCH = StatusBatch(phone=["79991234567"], id=[3, 4])
FILE = DownloadsGetFile(id=3)
# (body template, Content-Type, the error it must become). ``{form}`` is the form as
# received (URL-encoded), ``{decoded}`` the same form decoded (transport_support.Reply).
ECHOES = [
    ('{"error": "bad request: {form}", "error_code": 1}', "application/json", ParameterError),
    ('{"error": "bad request: {decoded}", "error_code": 1}', "application/json", ParameterError),
    ("ERROR = 2 (refused: {decoded})", "text/plain; charset=utf-8", AuthenticationError),
    ("<html><body>bad gateway: {form}", "text/html", DecodeError),
    ("proxy says: {decoded}", "text/plain; charset=utf-8", DecodeError),
    ('{"oops": "{decoded}"', "application/json", DecodeError),
]


def echoed(template: str, credentials: Credentials, op: Op[Any]) -> bytes:
    """What the server answers ``op``: the template filled with the request's form."""
    body = op.request(credentials).body
    decoded = "&".join(f"{k}={v}" for k, v in HttpRequest.parse_body(body).items())
    return template.replace("{form}", body.decode("ascii")).replace("{decoded}", decoded).encode("utf-8")


def unscrubbed(op: Op[Any], response: HttpResponse, streaming: bool) -> SmscProtoError:
    """The error the codec alone raises for ``response``: it quotes the body as it came."""
    try:
        if streaming:
            decoder = op.stream_decoder(HttpResponse(response.status, response.headers))
            decoder.feed(response.body)
            decoder.close()
        else:
            op.decode(response)
    except SmscProtoError as exc:
        return exc
    raise AssertionError(f"{op!r} decoded {response.body!r}")


async def run(client: Client | AsyncClient, op: Op[Any], streaming: bool) -> Any:
    if not streaming:
        return await call(client, op)
    list_op = cast("Op[list[Any]]", op)
    if isinstance(client, AsyncClient):
        return [item async for item in client.stream(list_op)]
    return list(client.stream(list_op))


@pytest.mark.parametrize(
    ("op", "streaming"),
    [(Balance(), False), (BATCH, False), (BATCH, True), (FILE, False), (FILE, True)],
    ids=["call-balance", "call-batch", "stream-batch", "call-file", "stream-file"],
)
@pytest.mark.parametrize(("template", "content_type", "expected"), ECHOES)
async def test_an_echoed_form_is_hidden_on_every_path(
    kind: str,
    auth: str,
    op: Op[Any],
    streaming: bool,
    template: str,
    content_type: str,
    expected: type[SmscProtoError],
) -> None:
    credentials, name, secret = CREDENTIALS[auth]
    body = echoed(template, credentials, op)
    control = unscrubbed(op, HttpResponse(200, {"Content-Type": content_type}, body), streaming)
    assert isinstance(control, expected)
    # The codec alone already hides what follows a credential's name (the call's exact
    # scrubbing is the second layer, tested with bare echoes in test_policy.py).
    assert_hidden(secret, everything_about(control))

    reply = Reply(template, content_type=content_type, echo=True)
    with Server(reply) as server:
        client = make(kind, credentials, server.url)
        try:
            with pytest.raises(SmscProtoError) as info:
                await run(client, op, streaming)
        finally:
            await close(client)
    [seen] = server.requests
    assert seen.form[name] == secret  # the server did get, and echo, the secret
    assert seen.body == op.request(credentials).body
    error = info.value
    assert type(error) is type(control)
    assert_hidden(secret, everything_about(error))
    assert "<hidden>" in str(error)
    if isinstance(error, SmscError):
        assert "<hidden>" in error.description
        assert error.code == cast("SmscError", control).code
    else:
        assert isinstance(error, DecodeError)
        assert "<hidden>" in error.excerpt or "<hidden>" in error.reason
