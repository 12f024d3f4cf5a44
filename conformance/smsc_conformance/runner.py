"""The conformance runner: every fixture, through the codec alone and through each transport.

``python -m smsc_conformance [--fixtures DIR ...] [--transport codec|urllib3|aiohttp|all]``

For each case and transport it checks the request the codec builds (method, path, listed
params, ``exact``, credentials only in the body), decodes the fixture's response (directly,
or served by the emulator on 127.0.0.1 to a real client) and compares the outcome with
``expect``. One line per failing check, then ``N passed, N failed``; the exit status is 1
when anything failed or nothing ran::

    report = run([Path("conformance/fixtures")], ["codec"])
    assert report.failed == 0
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import importlib
import secrets
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import smsc_proto
from smsc_conformance.emulator import Emulator, RecordedRequest
from smsc_conformance.fixtures import (
    CREDENTIAL_NAMES,
    Fixture,
    FixtureError,
    FixtureProblem,
    RequestSpec,
    default_fixture_dirs,
    load_fixtures,
)
from smsc_conformance.matching import as_builtins, mismatch, short

__all__ = ["TRANSPORTS", "Check", "Report", "main", "run", "run_credentials"]

TRANSPORTS = ("codec", "urllib3", "aiohttp")
RUNNER_LOGIN = "conformance"
# One client per transport runs every case through this case id, re-pointed before each call
# (each case still gets exactly its own response; one client also exercises connection reuse).
RUN_ALIAS = "run"
# Fixtures must never make a client wait or refuse locally.
CLIENT_OPTIONS: dict[str, Any] = {
    "max_attempts": 1,
    "backoff": 0,
    "max_backoff": 0,
    "rate_limits": False,
    "connect_timeout": 10.0,
    "read_timeout": 30.0,
}


def run_credentials() -> smsc_proto.Credentials:
    """Fresh runner credentials with a random password, so a leak is recognisable."""
    return smsc_proto.Credentials(login=RUNNER_LOGIN, psw="cf-" + secrets.token_hex(16))


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one case through one transport; ``reason`` is None when it passed."""

    case: str
    transport: str
    reason: str | None

    @property
    def passed(self) -> bool:
        return self.reason is None


@dataclass(slots=True)
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)

    @property
    def failed(self) -> int:
        return len(self.checks) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.passed > 0

    def summary(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a call produced: a result, or the exception it raised."""

    result: Any = None
    error: BaseException | None = None


@dataclass(slots=True)
class _Case:
    fixture: Fixture
    op: smsc_proto.Op[Any]
    case_id: str = ""


# -- request checks ---------------------------------------------------------------------------


def check_request(
    spec: RequestSpec | None,
    method: str,
    path: str,
    fields: Sequence[tuple[str, str]],
    credentials: smsc_proto.Credentials,
) -> str | None:
    """Why a request (``fields``: the whole form, credentials included) breaks ``spec`` or
    the credential rules, or None."""
    problem = _check_credentials(fields, credentials)
    if problem:
        return problem
    if spec is None:
        return None
    if spec.method is not None and method != spec.method:
        return f"request method: expected {spec.method}, got {method}"
    if spec.path is not None and path != spec.path:
        return f"request path: expected {spec.path!r}, got {path!r}"
    sent: dict[str, list[str]] = {}
    for name, value in fields:
        if name not in CREDENTIAL_NAMES:
            sent.setdefault(name, []).append(value)
    for name, value in spec.params.items():
        values = sent.get(name)
        if values is None:
            return f"request param {name!r}: missing (expected {value!r})"
        if values != [value]:
            shown = values[0] if len(values) == 1 else values
            return f"request param {name!r}: expected {value!r}, got {shown!r}"
    if spec.exact:
        extra = sorted(set(sent) - set(spec.params))
        if extra:
            return f"request: unexpected params {', '.join(extra)} (exact)"
    return None


def _check_credentials(fields: Sequence[tuple[str, str]], credentials: smsc_proto.Credentials) -> str | None:
    expected = credentials.form_fields()
    for name, value in expected:
        values = [v for k, v in fields if k == name]
        if values != [value]:
            return f"request: credential {name!r} not sent once in the body"
    names = {name for name, _ in expected}
    others = sorted({k for k, _ in fields if k in CREDENTIAL_NAMES} - names)
    if others:
        return f"request: unexpected credential field(s) {', '.join(others)}"
    return None


def _check_codec_request(case: _Case, credentials: smsc_proto.Credentials) -> str | None:
    try:
        request = case.op.request(credentials)
    except Exception as exc:
        return f"building the request raised {type(exc).__name__}: {exc}"
    body_fields = list(smsc_proto.HttpRequest.parse_body(request.body, request.content_type).items())
    if sorted(body_fields) != sorted(dict(request.form()).items()):
        return "request: the body does not encode the request's fields"
    if "?" in request.path:
        return "request: the path carries a query string"
    leak = _leak(credentials, request.path, repr(request), repr(request.headers), str(request.params()))
    if leak:
        return f"request: {leak}"
    return check_request(case.fixture.request, request.method, request.path, request.form(), credentials)


def _check_received(
    case: _Case, received: list[RecordedRequest], credentials: smsc_proto.Credentials
) -> str | None:
    if len(received) != 1:
        return f"the emulator received {len(received)} requests, expected 1"
    got = received[0]
    leak = _leak(credentials, got.target, *(f"{k}: {v}" for k, v in got.headers))
    if leak:
        return f"sent request: {leak}"
    if got.query:
        names = ", ".join(sorted({k for k, _ in got.query}))
        return f"sent request: parameters in the URL ({names}); the form body must carry them"
    problem = check_request(case.fixture.request, got.method, got.path, got.form, credentials)
    return None if problem is None else f"sent {problem}"


def _leak(credentials: smsc_proto.Credentials, *texts: str) -> str | None:
    for secret in credentials.secrets():
        if any(secret in text for text in texts):
            return "the secret appears outside the form body"
    return None


# -- outcome checks ---------------------------------------------------------------------------


def check_outcome(fixture: Fixture, outcome: _Outcome, credentials: smsc_proto.Credentials) -> str | None:
    """Why a call's outcome differs from ``fixture.expect``, or None."""
    expect = fixture.expect
    error = outcome.error
    if error is not None:
        described = _describe(error, credentials)
        if _leak(credentials, str(error), repr(error), repr(error.args)):
            return f"the secret appears in a raised error ({type(error).__name__})"
        if not isinstance(error, (smsc_proto.SmscError, smsc_proto.DecodeError)):
            return f"unexpected {described}"
    if expect.kind == "result":
        if error is not None:
            return f"expected a result, got {_describe(error, credentials)}"
        actual = as_builtins(outcome.result)
        wanted = expect.result or {}
        if isinstance(actual, list):
            if "items" not in wanted:
                return f"the result is a list of {len(actual)}; expect.result needs 'items'"
            return mismatch(wanted["items"], actual, "items")
        return mismatch(wanted, actual)
    if expect.kind == "error":
        if isinstance(error, smsc_proto.SmscError):
            if error.code != expect.code:
                return f"expected API error {expect.code}, got API error {error.code} ({error.description})"
            if expect.description is not None and error.description != expect.description:
                return (
                    f"API error {error.code}: expected description {expect.description!r}, "
                    f"got {error.description!r}"
                )
            return None
        if error is not None:
            return f"expected API error {expect.code}, got {_describe(error, credentials)}"
        return f"expected API error {expect.code}, got a result {short(as_builtins(outcome.result))}"
    if isinstance(error, smsc_proto.DecodeError):
        return None
    if error is not None:
        return f"expected a decode error, got {_describe(error, credentials)}"
    return f"expected a decode error, got a result {short(as_builtins(outcome.result))}"


def _describe(error: BaseException, credentials: smsc_proto.Credentials) -> str:
    text = f"{type(error).__name__}: {error}"
    for secret in credentials.secrets():
        text = text.replace(secret, "<secret>")
    text = " ".join(text.split())
    return text if len(text) <= 240 else text[:237] + "..."


# -- transports ---------------------------------------------------------------------------


def _codec_call(case: _Case) -> _Outcome:
    try:
        return _Outcome(result=case.op.decode(case.fixture.response.http_response()))
    except Exception as exc:
        return _Outcome(error=exc)


def _sync_client_factory() -> Callable[..., Any]:
    factory: Callable[..., Any] = importlib.import_module("smsc_urllib3").Client
    return factory


def _async_client_factory() -> Callable[..., Any]:
    factory: Callable[..., Any] = importlib.import_module("smsc_aiohttp").AsyncClient
    return factory


def _run_urllib3(
    cases: list[_Case], emulator: Emulator, credentials: smsc_proto.Credentials
) -> list[tuple[_Case, str | None]]:
    try:
        client = _sync_client_factory()(credentials, hosts=[emulator.case_url(RUN_ALIAS)], **CLIENT_OPTIONS)
    except Exception as exc:
        reason = f"transport urllib3 unavailable: {_describe(exc, credentials)}"
        return [(case, reason) for case in cases]
    out: list[tuple[_Case, str | None]] = []
    try:
        for case in cases:
            emulator.clear()
            emulator.alias_case(RUN_ALIAS, case.case_id)
            try:
                outcome = _Outcome(result=client.call(case.op))
            except Exception as exc:
                outcome = _Outcome(error=exc)
            out.append((case, _transport_verdict(case, outcome, emulator, credentials)))
    finally:
        client.close()
    return out


async def _run_aiohttp_async(
    cases: list[_Case], emulator: Emulator, credentials: smsc_proto.Credentials
) -> list[tuple[_Case, str | None]]:
    try:
        client = _async_client_factory()(credentials, hosts=[emulator.case_url(RUN_ALIAS)], **CLIENT_OPTIONS)
    except Exception as exc:
        reason = f"transport aiohttp unavailable: {_describe(exc, credentials)}"
        return [(case, reason) for case in cases]
    out: list[tuple[_Case, str | None]] = []
    try:
        for case in cases:
            emulator.clear()
            emulator.alias_case(RUN_ALIAS, case.case_id)
            try:
                outcome = _Outcome(result=await client.call(case.op))
            except Exception as exc:
                outcome = _Outcome(error=exc)
            out.append((case, _transport_verdict(case, outcome, emulator, credentials)))
    finally:
        await client.close()
    return out


def _run_aiohttp(
    cases: list[_Case], emulator: Emulator, credentials: smsc_proto.Credentials
) -> list[tuple[_Case, str | None]]:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_run_aiohttp_async(cases, emulator, credentials))
    # Called from async code: the client gets an event loop of its own, in a worker thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _run_aiohttp_async(cases, emulator, credentials)).result()


def _transport_verdict(
    case: _Case, outcome: _Outcome, emulator: Emulator, credentials: smsc_proto.Credentials
) -> str | None:
    received = emulator.requests_for(case.case_id)
    if isinstance(outcome.error, smsc_proto.TransportError) or not received:
        # The exchange itself failed; report that rather than a missing request.
        return check_outcome(case.fixture, outcome, credentials) or _check_received(
            case, received, credentials
        )
    return _check_received(case, received, credentials) or check_outcome(case.fixture, outcome, credentials)


# -- the run ------------------------------------------------------------------------------


def run(
    roots: Iterable[Path],
    transports: Sequence[str] = ("codec",),
    *,
    credentials: smsc_proto.Credentials | None = None,
    on_check: Callable[[Check], None] | None = None,
) -> Report:
    """Run every fixture below ``roots`` through ``transports``; ``on_check`` sees each
    check as it completes."""
    for name in transports:
        if name not in TRANSPORTS:
            raise ValueError(f"unknown transport {name!r}; known: {', '.join(TRANSPORTS)}")
    credentials = credentials or run_credentials()
    report = Report()

    def record(case: str, transport: str, reason: str | None) -> None:
        check = Check(case, transport, reason)
        report.checks.append(check)
        if on_check is not None:
            on_check(check)

    cases: list[_Case] = []
    for item in load_fixtures(roots):
        if isinstance(item, FixtureProblem):
            for transport in transports:
                record(item.name, transport, item.message)
            continue
        try:
            op = item.build_op()
        except FixtureError as exc:
            for transport in transports:
                record(item.name, transport, str(exc))
            continue
        cases.append(_Case(item, op))

    # The request the codec builds is the same for every transport: check it once.
    request_problems = {id(case): _check_codec_request(case, credentials) for case in cases}

    if "codec" in transports:
        for case in cases:
            problem = request_problems[id(case)]
            if problem is None:
                problem = check_outcome(case.fixture, _codec_call(case), credentials)
            record(case.fixture.name, "codec", problem)

    wire = [t for t in transports if t != "codec"]
    if wire and cases:
        with Emulator() as emulator:
            for case in cases:
                case.case_id = emulator.add_case(case.fixture.response)
            for transport in wire:
                results = (_run_urllib3 if transport == "urllib3" else _run_aiohttp)(
                    cases, emulator, credentials
                )
                for case, problem in results:
                    record(case.fixture.name, transport, request_problems[id(case)] or problem)
    return report


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """The command line; returns the exit status."""
    stream = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m smsc_conformance",
        description="Run conformance fixtures through the codec and the transports.",
    )
    parser.add_argument(
        "--fixtures",
        action="append",
        type=Path,
        metavar="DIR",
        help="fixture folder (repeatable; default: the project's own fixtures)",
    )
    parser.add_argument("--transport", choices=[*TRANSPORTS, "all"], default="codec")
    parser.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    args = parser.parse_args(argv)
    transports = list(TRANSPORTS) if args.transport == "all" else [args.transport]

    def show(check: Check) -> None:
        if check.reason is not None:
            print(f"FAIL {check.case} [{check.transport}]: {_one_line(check.reason)}", file=stream)
        elif args.verbose:
            print(f"ok   {check.case} [{check.transport}]", file=stream)
        stream.flush()

    report = run(args.fixtures or default_fixture_dirs(), transports, on_check=show)
    print(report.summary(), file=stream)
    return 0 if report.ok else 1


def _one_line(text: str) -> str:
    return " ".join(text.split())
