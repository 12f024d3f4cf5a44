"""The async transport: a small loop over ``smsc_proto.CallPolicy`` with pooled aiohttp I/O."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

import aiohttp

from smsc_proto import (
    DEFAULT_HOSTS,
    Attempt,
    CallPolicy,
    Credentials,
    DecodeError,
    Fail,
    Failure,
    HttpResponse,
    Op,
    Proceed,
    TransportError,
    Wait,
)
from smsc_proto.client_options import ClientOptions, failure_detail

__all__ = ["AsyncClient"]

_log = logging.getLogger("smsc_aiohttp")
# What an exchange may raise before a status is read, or while its body is read.
_IO_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


class AsyncClient:
    """An asyncio client: pooled, TLS-verified, failing over between hosts. Use it from one
    event loop (its session is created lazily inside the running loop).

    Example (against the real service, so not run as a doctest)::

        from smsc_proto import Balance, Credentials

        async with AsyncClient(Credentials(apikey="...")) as client:
            (await client.call(Balance())).balance  # Decimal('250.80')

    Options as for ``smsc_urllib3.Client``; ``sleep`` is an async callable
    (default ``asyncio.sleep``).
    """

    def __init__(
        self, credentials: Credentials, hosts: Sequence[str] = DEFAULT_HOSTS, **options: Any
    ) -> None:
        self._clock: Callable[[], float] = options.pop("clock", time.monotonic)
        self._sleep: Callable[[float], Awaitable[object]] = options.pop("sleep", asyncio.sleep)
        parsed = ClientOptions.parse("AsyncClient", hosts, options)
        self._user_agent = parsed.user_agent
        self._chunk_size = parsed.chunk_size
        self._policy = CallPolicy(credentials, parsed.config)
        self._ssl = ssl.create_default_context(cafile=parsed.ca_certs)
        # The connector caps connections; the semaphore also covers requests waiting for one.
        self._slots = asyncio.Semaphore(self._policy.config.max_in_flight)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"AsyncClient(hosts={self._policy.config.hosts!r}, credentials={self._policy.credentials!r})"

    async def call(self, op: Op) -> Any:
        """Run ``op`` and return its typed result; raises ``SmscError`` subclasses for API
        errors, ``DecodeError``, ``TransportError`` or a local ``RateLimitedError``."""
        async with self._accepted(op) as (url, response):
            body = b"".join([chunk async for chunk in self._chunks(op, url, response)])
            return op.decode(HttpResponse(response.status, _headers(response.headers), body))

    async def stream(self, op: Op) -> AsyncGenerator[Any, None]:
        """``async for record in client.stream(op)``: the records of the answer as its body
        arrives. Close it (``contextlib.aclosing``) when leaving the loop early."""
        async with self._accepted(op) as (url, response):
            decoder = op.stream_decoder(HttpResponse(response.status, _headers(response.headers)))
            async for chunk in self._chunks(op, url, response):
                for record in decoder.feed(chunk):
                    yield record
            for record in decoder.close():
                yield record

    async def close(self) -> None:
        """Close the session and its pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @contextlib.asynccontextmanager
    async def _accepted(self, op: Op) -> AsyncIterator[tuple[str, aiohttp.ClientResponse]]:
        """Run the policy until a response is accepted; yield it with its body unread."""
        call = self._policy.start(op, self._clock())
        step: Attempt | Wait = call.first()
        while True:
            if isinstance(step, Wait):
                await self._sleep(step.seconds)
                step = step.then
            async with self._slots:
                try:
                    response = await self._send(step)
                except _IO_ERRORS as exc:
                    failure, label = _classify(exc)
                    _log.debug("POST %s -> %s", step.url, label)
                    outcome = call.on_failure(failure, f"{step.url}: {label}: {failure_detail(exc)}")
                    if isinstance(outcome, Fail):
                        raise outcome.error from exc
                    step = outcome
                    continue
                _log.debug("POST %s -> %d", step.url, response.status)
                try:
                    decision = call.on_status(response.status)
                    if isinstance(decision, Proceed):
                        try:
                            yield step.url, response
                        except DecodeError as exc:
                            exc.redact(self._policy.credentials.secrets())
                            raise
                        return
                    step = decision
                finally:
                    # An unread body makes the connection unusable; a read one goes back.
                    if response.content.at_eof():
                        response.release()
                    else:
                        response.close()

    async def _send(self, step: Attempt) -> aiohttp.ClientResponse:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._policy.config.max_in_flight, ssl=self._ssl)
            self._session = aiohttp.ClientSession(connector=connector)
        headers = dict(step.request.headers)
        headers["User-Agent"] = self._user_agent
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=step.connect_timeout, sock_read=step.read_timeout
        )
        return await self._session.request(
            step.request.method,
            step.url,
            data=step.request.body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
        )

    async def _chunks(self, op: Op, url: str, response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
        try:
            async for chunk in response.content.iter_chunked(self._chunk_size):
                yield chunk
        except _IO_ERRORS as exc:
            reason = f"{url}: reading the body failed: {failure_detail(exc)}"
            raise TransportError(op.op_id, reason, sent=True) from exc


def _classify(exc: BaseException) -> tuple[Failure, str]:
    """Whether the request may have left, as far as the exception tells."""
    # aiohttp raises ClientConnectorError (refused, DNS, TLS handshake, certificate) and
    # ConnectionTimeoutError (connect + handshake) only before sending anything.
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Failure.NOT_SENT, "cannot connect"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return Failure.NOT_SENT, "connect timeout"
    if isinstance(exc, asyncio.TimeoutError):
        return Failure.MAYBE_SENT, "read timeout"
    return Failure.MAYBE_SENT, "connection failed"


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    # Repeated headers are joined, as HTTP allows and as urllib3 does.
    out: dict[str, str] = {}
    for key, value in headers.items():
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out
