"""Every exception crosses processes (multiprocessing, Celery results) with its attributes,
and a non-2xx answer without an API envelope says its HTTP status (``ServerError`` for 5xx)."""

from __future__ import annotations

import inspect
import multiprocessing
import pickle
from typing import Any

import pytest
from transport_support import Reply, Server

from smsc_proto import (
    Balance,
    Credentials,
    DecodeError,
    HttpResponse,
    InvalidParameter,
    NotFoundError,
    RateLimitedError,
    Send,
    ServerError,
    SmscError,
    TransportError,
    errors as errors_module,
)
from smsc_proto.errors import (
    DeadlineExceeded,
    LimiterUnavailable,
    ResponseTooLarge,
    SmscProtoError,
    status_error,
)


def _instances() -> list[SmscProtoError]:
    smsc_errors = [
        cls(7, "invalid number", "send", message_id=42)
        for cls in vars(errors_module).values()
        if inspect.isclass(cls) and issubclass(cls, SmscError) and cls is not RateLimitedError
    ]
    return [
        *smsc_errors,
        RateLimitedError(9, "duplicate request", "send", retry_after=12.5),
        InvalidParameter("send", "phones", ("79991234567", "x"), "is not a phone number"),
        DecodeError("balance", "expected a JSON object", b'{"oops": 1}', status=200),
        ServerError("balance", "HTTP 503 without an API error envelope", b"<html>503</html>", status=503),
        TransportError("balance", "connection refused", sent=False),
        DeadlineExceeded("balance", "total_timeout of 5 s passed", sent=None),
        ResponseTooLarge("balance", "larger than 64 MiB", sent=True),
        LimiterUnavailable("redis at 127.0.0.1:6379: connection refused"),
    ]


def test_every_error_class_is_covered() -> None:
    classes = {
        cls
        for cls in vars(errors_module).values()
        if inspect.isclass(cls) and issubclass(cls, SmscProtoError)
    }
    assert classes - {type(e) for e in _instances()} == {SmscProtoError}  # the abstract base


@pytest.mark.parametrize("error", _instances(), ids=lambda e: type(e).__name__)
def test_every_error_round_trips_through_pickle(error: SmscProtoError) -> None:
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(error, protocol))
        assert type(back) is type(error)
        assert back.args == error.args and str(back) == str(error)
        assert vars(back) == vars(error)


def _raise_in_child(kind: str) -> Any:
    if kind == "api":
        raise NotFoundError(3, "task not found", "downloads.get_file")
    Balance().decode(HttpResponse(502, {"Content-Type": "text/html"}, b"<html>Bad Gateway</html>"))
    raise AssertionError("a 502 page decoded")


@pytest.mark.parametrize(("kind", "cls"), [("api", NotFoundError), ("server", ServerError)])
def test_errors_raised_in_a_worker_process_reach_the_parent(kind: str, cls: type[Exception]) -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool, pytest.raises(cls) as caught:
        pool.apply(_raise_in_child, (kind,))
    assert caught.value.op in ("downloads.get_file", "balance")  # type: ignore[attr-defined]


# -- the HTTP status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"), [(503, ServerError), (500, ServerError), (404, DecodeError), (302, DecodeError)]
)
def test_a_status_without_an_envelope_carries_its_status(status: int, cls: type[DecodeError]) -> None:
    with pytest.raises(DecodeError) as caught:
        Balance().decode(HttpResponse(status, {"Content-Type": "text/html"}, b"<html>Oops</html>"))
    assert type(caught.value) is cls and caught.value.status == status
    assert status_error("balance", status, b"").status == status


def test_an_envelope_under_an_error_status_is_the_api_error() -> None:
    with pytest.raises(SmscError) as caught:
        Balance().decode(HttpResponse(500, {}, b'{"error": "duplicate request", "error_code": 9}'))
    assert caught.value.code == 9


def test_a_malformed_2xx_body_says_its_status_too() -> None:
    with pytest.raises(DecodeError) as caught:
        Balance().decode(HttpResponse(200, {"Content-Type": "application/json"}, b"[1, 2"))
    assert type(caught.value) is DecodeError and caught.value.status == 200


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_both_clients_raise_a_server_error_for_a_5xx_page(kind: str) -> None:
    import asyncio

    from smsc_aiohttp import AsyncClient
    from smsc_urllib3 import Client

    page = Reply("<html><body>503 Service Unavailable</body></html>", status=503, content_type="text/html")
    creds = Credentials(apikey="k")
    # A send is never repeated: the one 503 is its answer.
    op = Send(phones=["79991234567"], mes="x")
    with Server(page) as server, pytest.raises(ServerError) as caught:
        if kind == "urllib3":
            with Client(creds, hosts=[server.url], rate_limits=False) as client:
                client.call(op)
        else:

            async def call() -> None:
                async with AsyncClient(creds, hosts=[server.url], rate_limits=False) as client:
                    await client.call(op)

            asyncio.run(call())
    assert caught.value.status == 503 and "503" in caught.value.excerpt
