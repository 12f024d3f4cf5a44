"""The async transport: its I/O calls (aiohttp, pooled) around ``smsc_proto.CallPolicy``."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import aiohttp

from smsc_proto import Credentials, HttpResponse, Op, TransportError
from smsc_proto.client_options import ClientOptions, failure_detail
from smsc_proto.policy import DEFAULT_HOSTS, Attempt, Call, CallPolicy, Failure

__all__ = ["AsyncClient"]

R = TypeVar("R")
T = TypeVar("T")

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
        self._options = parsed = ClientOptions.parse("AsyncClient", hosts, options)
        # One ClientTimeout per pair of limits (every attempt of a call has the same, so far).
        self._timeout = functools.lru_cache(maxsize=8)(_timeout)
        self._chunk_size = parsed.chunk_size
        self._policy = CallPolicy(credentials, parsed.config)
        self._ssl = ssl.create_default_context(cafile=parsed.ca_certs)
        # The connector caps connections; the semaphore also covers requests waiting for one.
        self._slots = asyncio.Semaphore(parsed.config.max_in_flight)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"AsyncClient(hosts={self._policy.config.hosts!r}, credentials={self._policy.credentials!r})"

    async def call(self, op: Op[R]) -> R:
        """Run ``op`` and return its typed result; raises ``SmscError`` subclasses for API
        errors, ``DecodeError``, ``TransportError`` or a local ``RateLimitedError``."""
        async with self._exchange(op) as (call, response):
            try:
                body = await response.read()
            except _IO_ERRORS as exc:
                reason = f"reading the body failed: {failure_detail(exc)}"
            else:
                return call.decode(HttpResponse(response.status, _headers(response.headers), body))
        raise TransportError(op.op_id, reason, sent=True)

    async def stream(self, op: Op[list[T]]) -> AsyncGenerator[T, None]:
        """``async for item in client.stream(op)``: the items of ``op``'s list answer as its
        body arrives. Close it (``contextlib.aclosing``) when leaving the loop early."""
        async with self._exchange(op) as (call, response):
            decoder = call.stream_decoder(HttpResponse(response.status, _headers(response.headers)))
            async for chunk in self._chunks(call, response):
                for item in decoder.feed(chunk):
                    yield item
            for item in decoder.close():
                yield item

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
    async def _exchange(self, op: Op[R]) -> AsyncIterator[tuple[Call[R], aiohttp.ClientResponse]]:
        """Attempts until the policy accepts a response; yields it with its body unread."""
        call = self._policy.start(op, self._clock())
        attempt: Attempt = call.first
        while True:
            if attempt.delay:
                await self._sleep(attempt.delay)
            async with self._slots:
                try:
                    response = await self._send(attempt)
                except _IO_ERRORS as exc:
                    failure, label = _classify(exc)
                    reason = f"{attempt.url}: {label}: {failure_detail(exc)}"
                else:
                    _log.debug("POST %s -> %d", attempt.url, response.status)
                    try:
                        retry = call.answered(response.status)
                        if retry is None:
                            yield call, response
                            return
                    finally:
                        # An unread body makes the connection unusable; a read one goes back.
                        if response.content.at_eof():
                            response.release()
                        else:
                            response.close()
                    attempt = retry
                    continue
            _log.debug("POST %s -> %s", attempt.url, label)
            # Outside the except block: the TransportError chains no aiohttp exception.
            attempt = call.failed(failure, reason)

    async def _send(self, attempt: Attempt) -> aiohttp.ClientResponse:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._policy.config.max_in_flight, ssl=self._ssl)
            self._session = aiohttp.ClientSession(connector=connector)
        request = attempt.request
        headers = self._options.headers(request)
        timeout = self._timeout(attempt.connect_timeout, attempt.read_timeout)
        return await self._session.request(
            request.method,
            attempt.url,
            data=request.body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
        )

    async def _chunks(self, call: Call[Any], response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
        try:
            async for chunk in response.content.iter_chunked(self._chunk_size):
                yield chunk
        except _IO_ERRORS as exc:
            reason = f"reading the body failed: {failure_detail(exc)}"
        else:
            return
        raise TransportError(call.op.op_id, reason, sent=True)


def _timeout(connect: float, read: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)


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
