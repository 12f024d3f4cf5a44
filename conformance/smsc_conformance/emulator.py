"""An SMSC API emulator on 127.0.0.1 that serves conformance fixtures (aiohttp.web).

Two ways to reach a fixture:

* direct: ``<base_url>/_case/<id>`` is a host base URL whose every request gets exactly the
  response registered as ``<id>`` (``add_case``); the conformance runner gives each case its
  own id, so a client's ``hosts=[emulator.case_url(id)]`` hits that case only;
* matching: plain API paths (``/sys/send.php``...) get the response of the fixture whose
  path is the same and whose listed params all equal the received ones, the most specific
  first, then success fixtures, then the one answering the received ``fmt`` (``add_fixture``).

Faults wrap either: ``<base_url>/_fault/<kind>[/<arg>]`` + the rest of a path, with kinds
``reset`` (drop the connection, no answer), ``stall/<seconds>`` (wait, then answer),
``status/<code>`` (an HTTP error page), ``truncate`` (half the body, then close) and
``garbage`` (unparseable bytes instead of the body). Every request is recorded.

Run it in a background thread::

    with Emulator() as emu:
        case = emu.add_case(CannedResponse(200, (), b"OK"))   # or op.render(result)
        client = smsc_urllib3.Client(credentials, hosts=[emu.case_url(case)])

or from a shell: ``python -m smsc_conformance.emulator --fixtures DIR --port 8080``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import re
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl

import multipart
from aiohttp import web
from multidict import CIMultiDict

from smsc_conformance.fixtures import (
    CannedResponse,
    Fixture,
    FixtureProblem,
    default_fixture_dirs,
    load_fixtures,
)
from smsc_conformance.sandbox import Sandbox
from smsc_proto.http import HttpRequest, HttpResponse, charset_of
from smsc_proto.upload import parse_multipart_form

__all__ = ["FAULTS", "GARBAGE", "Emulator", "RecordedRequest", "main"]

LOOPBACK = "127.0.0.1"
FAULTS = ("reset", "stall", "status", "truncate", "garbage")
# Not text, JSON, XML or any envelope in any charset: every decoder must reject it.
GARBAGE = b"\x00\x9f\xff\xfe GARBAGE \x01\x02<<{{]]\x98\x00"
# Framing is the server's business; a fixture's recorded values would break it.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_CASE_ID = re.compile(r"[A-Za-z0-9._~-]{1,200}")
_MAX_STALL = 3600.0
MAX_RECORDED = 10_000


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the emulator received.

    ``path`` is the API path after any ``/_fault/..`` and ``/_case/<id>`` prefixes; ``target``
    the raw request target (path and query string) as it arrived; ``form`` the body fields.
    """

    method: str
    path: str
    target: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    # The form carries the credentials: kept out of repr (and so out of test reports).
    form: tuple[tuple[str, str], ...] = field(repr=False)
    body: bytes = field(repr=False)
    case_id: str | None = None
    fault: str | None = None

    def params(self) -> dict[str, str]:
        """Query and form fields together (the form wins), as the API reads them."""
        return dict(self.query) | dict(self.form)


@dataclass(frozen=True, slots=True)
class _Entry:
    fixture: Fixture
    path: str
    params: dict[str, str]
    success: bool
    order: int


class _NotFound(Exception):
    pass


class Emulator:
    """The emulator; ``start()`` serves it from a daemon thread until ``stop()``.

    >>> with Emulator() as emu:
    ...     emu.base_url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(
        self, fixtures: Iterable[Fixture] = (), *, port: int = 0, sandbox: Sandbox | None = None
    ) -> None:
        self._requested_port = port
        # Answers plain API paths no fixture matches (sandbox.py): any valid request.
        self.sandbox = sandbox
        self._cases: dict[str, CannedResponse] = {}
        self._aliases: dict[str, str] = {}
        self._entries: list[_Entry] = []
        # Bounded: a long-running emulator must not hoard every request it ever saw.
        self._log: deque[RecordedRequest] = deque(maxlen=MAX_RECORDED)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._startup_error: BaseException | None = None
        self._port: int | None = None
        for fixture in fixtures:
            self.add_fixture(fixture)

    # -- content -------------------------------------------------------------------------

    def add_case(self, response: CannedResponse | HttpResponse, case_id: str | None = None) -> str:
        """Register a response for direct mode; returns its id (generated if not given).
        An ``HttpResponse`` (``op.render(result)``) is served as it is: status, headers, bytes."""
        if isinstance(response, HttpResponse):
            response = CannedResponse.of(response)
        with self._lock:
            if case_id is None:
                case_id = f"c{next(self._ids)}"
                while case_id in self._cases:
                    case_id = f"c{next(self._ids)}"
            if not _CASE_ID.fullmatch(case_id):
                raise ValueError(f"case id {case_id!r}: use letters, digits and . _ ~ -")
            self._cases[case_id] = response
        return case_id

    def alias_case(self, alias: str, case_id: str) -> None:
        """Serve case ``case_id`` at ``case_url(alias)`` too, recording its requests under
        ``case_id``: one client pointed at the alias can run case after case."""
        if not _CASE_ID.fullmatch(alias):
            raise ValueError(f"case id {alias!r}: use letters, digits and . _ ~ -")
        with self._lock:
            if case_id not in self._cases:
                raise KeyError(case_id)
            self._aliases[alias] = case_id

    def add_fixture(self, fixture: Fixture) -> None:
        """Make ``fixture`` answerable in matching mode (on its plain API path)."""
        path, params = fixture.match_path(), fixture.match_params()
        if path is None or params is None:
            return  # an unknown op or refused input: nothing to match on
        with self._lock:
            entry = _Entry(fixture, path, params, fixture.expect.is_success, len(self._entries))
            self._entries.append(entry)

    def match(self, path: str, params: dict[str, str]) -> Fixture | None:
        """The fixture matching mode answers a request for ``path`` with ``params``."""
        best: tuple[tuple[int, bool, bool, int], Fixture] | None = None
        with self._lock:
            entries = list(self._entries)
        for entry in entries:
            if entry.path != path:
                continue
            if any(params.get(name) != value for name, value in entry.params.items()):
                continue
            same_fmt = params.get("fmt", "0") == str(entry.fixture.fmt)
            key = (len(entry.params), entry.success, same_fmt, -entry.order)
            if best is None or key > best[0]:
                best = (key, entry.fixture)
        return None if best is None else best[1]

    # -- inspection ----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def requests_for(self, case_id: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self._log if r.case_id == case_id]

    def clear(self) -> None:
        with self._lock:
            self._log.clear()

    # -- addresses -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: a host base URL for matching mode."""
        return f"http://{LOOPBACK}:{self.port}"

    def case_url(self, case_id: str) -> str:
        """A host base URL whose every request gets case ``case_id``."""
        return f"{self.base_url}/_case/{case_id}"

    def fault_url(self, kind: str, arg: str | float | None = None, *, case_id: str | None = None) -> str:
        """A host base URL that injects fault ``kind`` (``stall`` and ``status`` take ``arg``)
        before the answer of case ``case_id`` (or of matching mode).

        >>> Emulator(port=8080)._fault_path("stall", 2, "c1")
        '/_fault/stall/2/_case/c1'
        """
        return self.base_url + self._fault_path(kind, arg, case_id)

    @staticmethod
    def _fault_path(kind: str, arg: str | float | None, case_id: str | None) -> str:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        if (arg is None) != (kind not in ("stall", "status")):
            raise ValueError(f"fault {kind!r}: " + ("needs an argument" if arg is None else "takes none"))
        path = f"/_fault/{kind}" + ("" if arg is None else f"/{arg}")
        return path + ("" if case_id is None else f"/_case/{case_id}")

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> Emulator:
        """Serve from a daemon thread; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("the emulator was already started")
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="smsc-emulator", daemon=True)
        self._thread.start()
        ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            raise RuntimeError(f"emulator failed to start: {self._startup_error}") from self._startup_error
        return self

    def stop(self) -> None:
        """Stop serving (stalled requests are cut) and wait for the thread."""
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            runner = loop.run_until_complete(self._startup())
        except BaseException as exc:  # reported to start() in the caller's thread
            self._startup_error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            assert self._stopping is not None
            loop.run_until_complete(self._stopping.wait())
            loop.run_until_complete(runner.cleanup())
        finally:
            loop.close()

    async def _startup(self) -> web.AppRunner:
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, LOOPBACK, self._requested_port)
        await site.start()
        self._port = int(runner.addresses[0][1])
        return runner

    # -- serving -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        form = _form_fields(request.headers.get("Content-Type"), body)
        query = tuple(parse_qsl(request.query_string, keep_blank_values=True))
        path = request.path
        fault: str | None = None
        fault_arg = ""
        if path.startswith("/_fault/"):
            try:
                fault, fault_arg, path = _split_fault(path)
            except ValueError as exc:
                return _plain(400, f"emulator: {exc}")
        case_id: str | None = None
        if path.startswith("/_case/"):
            case_id, _, rest = path[len("/_case/") :].partition("/")
            path = "/" + rest
            with self._lock:
                case_id = self._aliases.get(case_id, case_id)
        record = RecordedRequest(
            method=request.method,
            path=path,
            target=request.raw_path,
            query=query,
            headers=tuple(request.headers.items()),
            form=form,
            body=body,
            case_id=case_id,
            fault=fault,
        )
        with self._lock:
            self._log.append(record)

        if fault == "reset":
            return _reset(request)
        if fault == "stall" and await self._stall(float(fault_arg)):
            return _reset(request)  # stopping: cut the stalled exchange
        if fault == "status":
            return _plain(int(fault_arg), f"<html><body><h1>{fault_arg} Server Error</h1></body></html>")
        try:
            canned = self._resolve(case_id, path, record.params())
        except _NotFound as exc:
            if fault == "garbage":
                return web.Response(status=200, body=GARBAGE, headers={"Content-Type": "text/plain"})
            return _plain(404, f"emulator: {exc}")
        if fault == "garbage":
            return _serve(request, CannedResponse(200, canned.headers, GARBAGE))
        if fault == "truncate":
            return await _truncated(request, canned)
        return _serve(request, canned)

    def _resolve(self, case_id: str | None, path: str, params: dict[str, str]) -> CannedResponse:
        if case_id is not None:
            with self._lock:
                canned = self._cases.get(case_id)
            if canned is None:
                raise _NotFound(f"no case {case_id!r}")
            return canned
        fixture = self.match(path, params)
        if fixture is not None:
            return fixture.response
        if self.sandbox is not None:
            return CannedResponse.of(self.sandbox.answer(path, params))
        raise _NotFound(f"no fixture matches {path}")

    async def _stall(self, seconds: float) -> bool:
        """Wait ``seconds``; True if the emulator began stopping meanwhile."""
        assert self._stopping is not None
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True


def _split_fault(path: str) -> tuple[str, str, str]:
    parts = path.split("/")  # ["", "_fault", kind, (arg,) rest...]
    kind = parts[2] if len(parts) > 2 else ""
    if kind not in FAULTS:
        raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
    rest = parts[3:]
    arg = ""
    if kind in ("stall", "status"):
        if not rest:
            raise ValueError(f"fault {kind!r} needs an argument")
        arg, rest = rest[0], rest[1:]
        try:
            number = float(arg)
        except ValueError:
            raise ValueError(f"fault {kind!r}: bad argument {arg!r}") from None
        if kind == "stall" and not 0 <= number <= _MAX_STALL:
            raise ValueError(f"stall: 0..{_MAX_STALL:g} seconds")
        if kind == "status" and (not (arg.isascii() and arg.isdigit()) or not 400 <= int(arg) <= 599):
            raise ValueError("status: an HTTP status 400..599")
    return kind, arg, "/" + "/".join(rest)


def _form_fields(content_type: str | None, body: bytes) -> tuple[tuple[str, str], ...]:
    if not body:
        return ()
    ctype = (content_type or "").split(";")[0].strip().lower()
    charset = charset_of(content_type) or "utf-8"
    if ctype == "multipart/form-data":
        try:
            return tuple(parse_multipart_form(body, content_type or "").items())
        except (ValueError, multipart.MultipartError):  # no boundary, or a broken body
            return ()
    if ctype == "application/json":  # /rest/send/
        try:
            return tuple(HttpRequest.parse_body(body, content_type).items())
        except (ValueError, AttributeError):  # not JSON, or not an object
            return ()
    if ctype in ("", "application/x-www-form-urlencoded", "text/plain"):
        text = body.decode(charset, "replace")
        return tuple(parse_qsl(text, keep_blank_values=True, encoding=charset, errors="replace"))
    return ()


def _headers(canned: CannedResponse) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict()
    for name, value in canned.headers:
        if name.lower() not in _FRAMING_HEADERS:
            headers.add(name, value)
    return headers


def _serve(request: web.Request, canned: CannedResponse) -> web.Response:
    return web.Response(status=canned.status, body=canned.body, headers=_headers(canned))


def _plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/html" if text.startswith("<") else None)


def _reset(request: web.Request) -> web.Response:
    """Abort the connection with a TCP reset; the client gets no answer at all."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # SO_LINGER 0: close with RST; failing that, a plain close still drops it.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return web.Response(status=500)  # never reaches the client


async def _truncated(request: web.Request, canned: CannedResponse) -> web.StreamResponse:
    """Announce the whole body, send half of it, then drop the connection."""
    sent = canned.body[: len(canned.body) // 2]
    response = web.StreamResponse(status=canned.status, headers=_headers(canned))
    response.content_length = max(len(canned.body), len(sent) + 1)
    await response.prepare(request)
    await response.write(sent)
    # A clean close (FIN, not RST) so the client reads the half body, then a short EOF.
    if request.transport is not None:
        request.transport.close()
    return response


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m smsc_conformance.emulator [--fixtures DIR ...] [--port N] [--sandbox]``."""
    parser = argparse.ArgumentParser(
        prog="python -m smsc_conformance.emulator",
        description="Serve conformance fixtures on 127.0.0.1 (matching mode on plain API paths).",
    )
    parser.add_argument("--fixtures", action="append", type=Path, metavar="DIR", help="fixture folder")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    parser.add_argument(
        "--sandbox", action="store_true", help="answer any valid request, statefully (sandbox.py)"
    )
    parser.add_argument("--balance", type=Decimal, default=Decimal("1000.00"), help="the sandbox's balance")
    args = parser.parse_args(argv)
    if args.sandbox:
        return _serve_until_stopped(
            Emulator(port=args.port, sandbox=Sandbox(balance=args.balance)),
            "SMSC sandbox on {url}: any login or API key, any op (Ctrl-C stops it)",
        )
    emulator = Emulator(port=args.port)
    count = 0
    for item in load_fixtures(args.fixtures or default_fixture_dirs()):
        if isinstance(item, FixtureProblem):
            print(f"skipped {item.name}: {item.message}", file=sys.stderr)
            continue
        emulator.add_fixture(item)
        emulator.add_case(item.response, _slug(item.name))
        count += 1
    return _serve_until_stopped(
        emulator,
        f"SMSC emulator on {{url}} with {count} fixtures (Ctrl-C stops it)\n"
        "  matching mode: {url}/sys/<name>.php\n"
        "  one case:      {url}/_case/<area>.<case>/sys/<name>.php\n"
        f"  faults:        {{url}}/_fault/<{'|'.join(FAULTS)}>[/<arg>]/...",
    )


def _serve_until_stopped(emulator: Emulator, banner: str) -> int:
    emulator.start()
    print(banner.format(url=emulator.base_url))
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


def _slug(name: str) -> str:
    """``send/fmt0-ok.json`` -> ``send.fmt0-ok``: a case id for a fixture's file name."""
    stem = name[: -len(".json")] if name.endswith(".json") else name
    return re.sub(r"[^A-Za-z0-9._~-]", "-", stem.replace("/", "."))[:200] or "case"


if __name__ == "__main__":
    raise SystemExit(main())
