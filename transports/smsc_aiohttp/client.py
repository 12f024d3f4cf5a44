"""The async transport: its I/O calls (aiohttp, pooled) around ``smsc_proto.CallPolicy``."""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import aiohttp

from smsc_proto import Credentials, HttpResponse, Op
from smsc_proto.client_options import ClientOptions, failure_detail
from smsc_proto.limits import LOCAL, Limiter
from smsc_proto.policy import DEFAULT_HOSTS, Attempt, Call, CallPolicy, Failure
from smsc_proto.streaming import StreamDecoder

__all__ = ["AsyncClient"]

R = TypeVar("R")
T = TypeVar("T")

# What an exchange may raise before a status is read, or while its body is read
# (TimeoutError: a socket timeout, or the call's deadline).
_IO_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)
# What a waiter for a free slot of the login sleeps, first and at most (seconds).
_POLL_FIRST, _POLL_MOST = 0.001, 0.05
# Answers from this size on decode in a thread, off the event loop.
_DECODE_ON_LOOP = 256 * 1024


class AsyncClient:
    """An asyncio client: pooled, TLS-verified, failing over between hosts. Use it from one
    event loop (its session is created lazily inside the running loop).

    Example (against the real service, so not run as a doctest)::

        from smsc_proto import Balance, Credentials

        async with AsyncClient(Credentials(apikey="...")) as client:
            (await client.call(Balance())).balance  # Decimal('250.80')

    Options as for ``smsc_urllib3.Client`` (``proxy``, ``trust_env`` too); ``sleep`` is an
    async callable (default ``asyncio.sleep``). ``session``: your own
    ``aiohttp.ClientSession`` for every request, never closed by this client (the proxy
    chosen by ``proxy``/the environment is still given per request).
    """

    def __init__(
        self, credentials: Credentials, hosts: Sequence[str] = DEFAULT_HOSTS, **options: Any
    ) -> None:
        self._clock: Callable[[], float] = options.pop("clock", time.monotonic)
        self._sleep: Callable[[float], Awaitable[object]] = options.pop("sleep", asyncio.sleep)
        limiter: Limiter = options.pop("limiter", LOCAL)
        self._given: aiohttp.ClientSession | None = options.pop("session", None)
        self._options = parsed = ClientOptions.parse("AsyncClient", hosts, options)
        # The proxy each host is reached through (None: direct), decided once.
        self._proxies = parsed.proxies(os.environ)
        # One ClientTimeout per pair of limits (every attempt of a call has the same, so far).
        self._timeout = functools.lru_cache(maxsize=8)(_timeout)
        self._chunk_size = parsed.chunk_size
        clock = None if self._clock is time.monotonic else self._clock
        # The policy's own (sync) limits are for its `start`; this client uses `prepare` and
        # counts in the limits it awaits.
        self._policy = CallPolicy(credentials, parsed.config)
        self._limits = limiter.async_login(credentials, clock)
        self._ssl = ssl.create_default_context(cafile=parsed.ca_certs)
        # The connector caps connections; the semaphore also covers requests waiting for one.
        self._slots = asyncio.Semaphore(parsed.config.max_in_flight)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"AsyncClient(hosts={self._policy.config.hosts!r}, credentials={self._policy.credentials!r})"

    async def call(self, op: Op[R]) -> R:
        """Run ``op`` and return its typed result; raises ``SmscError`` subclasses for API
        errors, ``DecodeError``, ``TransportError`` (``DeadlineExceeded``,
        ``ResponseTooLarge``) or a local ``RateLimitedError``."""
        call = await self._start(op)
        attempt = call.first
        while True:
            await self._take_slot(call, attempt)
            stage = "sending"
            try:
                async with asyncio.timeout(call.remaining(self._clock())):
                    response = await self._send(attempt)
                    try:
                        retry = call.answered(response.status, self._clock())
                        if retry is None:
                            stage = "reading the body"
                            head = HttpResponse(response.status, _headers(response.headers))
                            body = await self._read(call, response)
                    finally:
                        _release(response)
            except _IO_ERRORS as exc:
                failure, reason = _classify(exc, attempt.url, stage)
            else:
                if retry is None:
                    break
                attempt = retry
                continue
            finally:
                await self._give_slot()
            # Outside the except block: the TransportError chains no aiohttp exception.
            attempt = call.failed(failure, reason, self._clock())
        answer = HttpResponse(head.status, head.headers, body)
        if len(body) < _DECODE_ON_LOOP:
            return call.decode(answer, self._clock())
        # A large answer decodes in a thread: the other calls of the loop go on meanwhile.
        async with asyncio.timeout(call.remaining(self._clock())):
            return await asyncio.to_thread(call.decode, answer, self._clock())

    async def stream(self, op: Op[list[T]]) -> AsyncGenerator[T, None]:
        """``async for item in client.stream(op)``: the items of ``op``'s list answer as its
        body arrives. ``total_timeout`` bounds the wait for the answer, then the wait for
        each next item. Close it (``contextlib.aclosing``) when leaving the loop early."""
        call = await self._start(op)
        attempt = call.first
        while True:
            await self._take_slot(call, attempt)
            try:
                async with asyncio.timeout(call.remaining(self._clock())):
                    response = await self._send(attempt)
            except _IO_ERRORS as exc:
                await self._give_slot()
                failure, reason = _classify(exc, attempt.url, "sending")
                attempt = call.failed(failure, reason, self._clock())
                continue
            except BaseException:  # cancelled, the deadline, a bug: the slots go back all the same
                await self._give_slot()
                raise
            try:
                retry = call.answered(response.status, self._clock())
                if retry is None:
                    decoder = call.stream_decoder(HttpResponse(response.status, _headers(response.headers)))
                    async for item in self._records(call, response, decoder):
                        yield item
                    return
            finally:
                _release(response)
                await self._give_slot()
            attempt = retry

    async def close(self) -> None:
        """Close the session and its pooled connections (not a caller's own session)."""
        if self._session is not None and self._session is not self._given:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _start(self, op: Op[R]) -> Call[R]:
        """The policy's ``start``, its rate-limit window counted in this client's limits."""
        now = self._clock()
        call = self._policy.prepare(op, now)
        if call.window is not None:
            key, limit = call.window
            wait = await self._limits.acquire(key, limit, now)
            call.admit(wait, functools.partial(self._limits.release, key, now))
        return call

    async def _take_slot(self, call: Call[Any], attempt: Attempt) -> None:
        """Wait ``attempt.delay``, then for a slot of this client and one of the login, all
        within the deadline (``DeadlineExceeded``: nothing was sent)."""
        if attempt.delay:
            await self._sleep(attempt.delay)
        if self._slots.locked():  # a free slot is taken at once: no timer needed
            try:
                async with asyncio.timeout(call.remaining(self._clock())):
                    await self._slots.acquire()
            except TimeoutError:
                raise call.expired() from None
        else:
            await self._slots.acquire()
        pause = _POLL_FIRST
        limits = self._limits
        try:
            while not await limits.try_slot():
                await asyncio.sleep(min(pause, call.remaining(self._clock())))
                pause = min(pause * 2, _POLL_MOST)
        except BaseException:
            # No slot of the login (DeadlineExceeded), its limits could not be asked
            # (LimiterUnavailable: a shared store is down), or the call was cancelled while
            # waiting: this client's slot goes back.
            self._slots.release()
            raise

    async def _give_slot(self) -> None:
        # The login's slot first (a waiter of this client then finds it free); this
        # client's even if that is cancelled.
        try:
            await self._limits.release_slot()
        finally:
            self._slots.release()

    async def _send(self, attempt: Attempt) -> aiohttp.ClientResponse:
        if self._session is None:
            if self._given is not None:
                self._session = self._given
            else:
                connector = aiohttp.TCPConnector(limit=self._policy.config.max_in_flight, ssl=self._ssl)
                # The environment's proxies are chosen once, by proxy_for, not per request.
                self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        request = attempt.request
        headers = self._options.headers(request)
        proxy = self._proxies[attempt.host]
        if proxy is not None and proxy.user is not None and attempt.host.startswith("http://"):
            # A plain-HTTP request goes to the proxy itself, which reads the header there;
            # through an https:// tunnel it would reach the server, so it goes in CONNECT only.
            headers = {**headers, **proxy.headers}
        timeout = self._timeout(attempt.connect_timeout, attempt.read_timeout)
        response = await self._session.request(
            request.method,
            attempt.url,
            data=request.body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            proxy=None if proxy is None else proxy.url,
            proxy_headers=None if proxy is None else proxy.headers,
        )
        return response

    async def _read(self, call: Call[Any], response: aiohttp.ClientResponse) -> bytes:
        """The whole body, at most ``call.max_body`` bytes (``ResponseTooLarge`` beyond)."""
        announced = response.content_length
        call.check_announced(announced)
        chunks = []
        size = 0
        while chunk := await response.content.read(self._chunk_size):
            size += len(chunk)
            if size > call.max_body:
                raise call.too_large(announced)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _records(
        self, call: Call[Any], response: aiohttp.ClientResponse, decoder: StreamDecoder[Any]
    ) -> AsyncIterator[Any]:
        while True:
            reason: str | None = None
            try:
                async with asyncio.timeout(call.remaining(self._clock())):
                    chunk = await response.content.read(self._chunk_size)
            except _IO_ERRORS as exc:
                reason = failure_detail(exc)
            if reason is not None:  # outside the except block: no aiohttp exception chained
                raise call.cut_short(reason, self._clock())
            if not chunk:
                break
            records = decoder.feed(chunk)
            if records:
                for record in records:
                    yield record
                call.extend(self._clock())
        for record in decoder.close():
            yield record


def _timeout(connect: float, read: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)


def _classify(exc: BaseException, url: str, stage: str) -> tuple[Failure, str]:
    """Whether the request may have left, and a short reason."""
    # aiohttp raises ClientConnectorError (refused, DNS, TLS handshake, certificate) and
    # ConnectionTimeoutError (connect + handshake) only before sending anything.
    if stage != "sending":
        failure, label = Failure.MAYBE_SENT, f"{stage} failed"  # the server answered
    elif isinstance(exc, aiohttp.ClientConnectorError):
        failure, label = Failure.NOT_SENT, "cannot connect"
    elif isinstance(exc, aiohttp.ConnectionTimeoutError):
        failure, label = Failure.NOT_SENT, "connect timeout"
    elif isinstance(exc, TimeoutError):
        failure, label = Failure.MAYBE_SENT, "read timeout"
    else:
        failure, label = Failure.MAYBE_SENT, "connection failed"
    return failure, f"{url}: {label}: {failure_detail(exc)}"


def _release(response: aiohttp.ClientResponse) -> None:
    # An unread body makes the connection unusable; a read one goes back to the pool.
    if response.content.at_eof():
        response.release()
    else:
        response.close()


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    # Repeated headers are joined, as HTTP allows and as urllib3 does.
    out: dict[str, str] = {}
    for key, value in headers.items():
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out
