"""Loading conformance fixtures (format v1, ``shared/CONFORMANCE.md``) into checked data.

A file that cannot be used (bad JSON, a missing or mistyped field, an unknown op, input the
op refuses) becomes a ``FixtureProblem`` with a message, never an exception::

    for item in load_fixtures([Path("conformance/fixtures")]):
        if isinstance(item, FixtureProblem):
            print(item.name, item.message)
        else:
            op = item.build_op()
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import smsc_proto
from smsc_proto.http import charset_of

__all__ = [
    "CannedResponse",
    "Expectation",
    "Fixture",
    "FixtureError",
    "FixtureProblem",
    "RequestSpec",
    "default_fixture_dirs",
    "fixture_files",
    "load_fixture",
    "load_fixtures",
    "parse_fixture",
]

CREDENTIAL_NAMES = frozenset({"login", "psw", "apikey"})


class FixtureError(ValueError):
    """A fixture file is not a usable format v1 case; the message says why."""


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """What the codec must send: ``method``/``path`` exactly (when given), each of ``params``
    with exactly that string value; ``exact``: no other params except credentials."""

    method: str | None = None
    path: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    exact: bool = False


@dataclass(frozen=True, slots=True)
class CannedResponse:
    """A response to serve or decode, body already in bytes.

    >>> CannedResponse(200, (("Content-Type", "text/plain"),), b"OK").header("content-type")
    'text/plain'
    """

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @classmethod
    def of(cls, response: smsc_proto.HttpResponse) -> CannedResponse:
        """The response to serve for an ``HttpResponse``, such as ``op.render(result)`` or
        ``op.render_error(...)`` writes.

        >>> CannedResponse.of(smsc_proto.HttpResponse(200, {"Content-Type": "text/plain"}, b"OK"))
        CannedResponse(status=200, headers=(('Content-Type', 'text/plain'),), body=b'OK')
        """
        return cls(response.status, tuple(response.headers.items()), response.body)

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def http_response(self) -> smsc_proto.HttpResponse:
        return smsc_proto.HttpResponse(self.status, dict(self.headers), self.body)


@dataclass(frozen=True, slots=True)
class Expectation:
    """Exactly one of: ``result`` (subset match), ``error`` (code, optional description),
    ``decode_error``."""

    kind: Literal["result", "error", "decode_error"]
    result: Mapping[str, Any] | None = None
    code: int | None = None
    description: str | None = None

    @property
    def is_success(self) -> bool:
        return self.kind == "result"


@dataclass(frozen=True, slots=True)
class Fixture:
    """One recorded exchange and what a correct client makes of it.

    >>> fx = Fixture("balance/ok", "balance", {}, 3, None,
    ...              CannedResponse(200, (), b'{"balance": "1.50"}'),
    ...              Expectation("result", {"balance": "1.5"}))
    >>> fx.build_op().path
    '/sys/balance.php'
    """

    name: str
    op_id: str
    input: Mapping[str, Any]
    fmt: int
    request: RequestSpec | None
    response: CannedResponse
    expect: Expectation
    note: str | None = None
    source: Path | None = None

    def build_op(self) -> smsc_proto.Op[Any]:
        """The op this fixture calls; FixtureError for an unknown op or refused input. The op
        id's class picks the class: ``status`` with several ids in ``input.id`` builds a
        ``StatusBatch`` (a list result), with one a ``Status``."""
        cls = smsc_proto.OPS.get(self.op_id)
        if cls is None:
            raise FixtureError(f"unknown op {self.op_id!r}")
        try:
            return cls.from_params(self.input, self.fmt)
        except smsc_proto.InvalidParameter as exc:
            raise FixtureError(f"invalid input: {exc}") from None
        except Exception as exc:  # any refusal of the input is the fixture's problem
            raise FixtureError(f"invalid input: {type(exc).__name__}: {exc}") from None

    def match_params(self) -> dict[str, str] | None:
        """The params a request must carry to be this fixture's (emulator matching mode):
        the listed ones, or, without a request spec, all the op would send (None when the
        op cannot be built)."""
        if self.request is not None:
            return dict(self.request.params)
        try:
            return dict(self.build_op().params())
        except Exception:  # the fixture's problem; the runner reports it
            return None

    def match_path(self) -> str | None:
        if self.request is not None and self.request.path is not None:
            return self.request.path
        cls = smsc_proto.OPS.get(self.op_id)
        return None if cls is None else cls.path


@dataclass(frozen=True, slots=True)
class FixtureProblem:
    """A fixture file that could not be loaded, and why."""

    name: str
    message: str
    source: Path | None = None


def default_fixture_dirs() -> list[Path]:
    """The project's own fixtures: inside the installed package (a wheel force-includes
    them), else next to it in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "fixtures", here.parent / "fixtures"):
        if candidate.is_dir():
            return [candidate]
    return [here.parent / "fixtures"]


def fixture_files(root: Path) -> list[Path]:
    """Every ``*.json`` below ``root`` (recursively, sorted); ``root`` itself if a file."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.json") if p.is_file())


def load_fixtures(roots: Iterable[Path]) -> Iterator[Fixture | FixtureProblem]:
    """Every fixture below each root, in order; unreadable ones as ``FixtureProblem``."""
    for root in roots:
        if not root.exists():
            yield FixtureProblem(str(root), "fixtures directory not found", root)
            continue
        for path in fixture_files(root):
            name = path.name if root.is_file() else path.relative_to(root).as_posix()
            yield load_fixture(path, name)


def load_fixture(path: Path, name: str | None = None) -> Fixture | FixtureProblem:
    name = name or path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return FixtureProblem(name, f"cannot read: {exc}", path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return FixtureProblem(name, f"bad JSON: {exc}", path)
    try:
        return parse_fixture(data, name, path)
    except FixtureError as exc:
        return FixtureProblem(name, str(exc), path)


def parse_fixture(data: Any, name: str, source: Path | None = None) -> Fixture:
    """Check and convert one decoded fixture; FixtureError names what is wrong."""
    if not isinstance(data, dict):
        raise FixtureError("a fixture is a JSON object")
    for key in ("op", "input", "fmt", "response", "expect"):
        if key not in data:
            raise FixtureError(f"missing field {key!r}")
    op_id = data["op"]
    if not isinstance(op_id, str) or not op_id:
        raise FixtureError("'op' must be a non-empty string")
    if not isinstance(data["input"], dict):
        raise FixtureError("'input' must be an object")
    fmt = data["fmt"]
    if isinstance(fmt, bool) or fmt not in (0, 1, 2, 3):
        raise FixtureError("'fmt' must be 0, 1, 2 or 3")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise FixtureError("'note' must be a string")
    fixture = Fixture(
        name=name,
        op_id=op_id,
        input=data["input"],
        fmt=fmt,
        request=_request(data.get("request")),
        response=_response(data["response"]),
        expect=_expect(data["expect"]),
        note=note,
        source=source,
    )
    for key in fixture.input:
        if key in CREDENTIAL_NAMES:
            raise FixtureError(f"'input' must not hold credentials ({key!r})")
    return fixture


def _request(data: Any) -> RequestSpec | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise FixtureError("'request' must be an object")
    method, path = data.get("method"), data.get("path")
    if method is not None and not isinstance(method, str):
        raise FixtureError("'request.method' must be a string")
    if path is not None and not isinstance(path, str):
        raise FixtureError("'request.path' must be a string")
    raw = data.get("params", {})
    if not isinstance(raw, dict):
        raise FixtureError("'request.params' must be an object")
    params: dict[str, str] = {}
    for key, value in raw.items():
        if key in CREDENTIAL_NAMES:
            raise FixtureError(f"'request.params' must not list credentials ({key!r})")
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise FixtureError(f"'request.params.{key}' must be a string")
        params[key] = str(value)
    exact = data.get("exact", False)
    if not isinstance(exact, bool):
        raise FixtureError("'request.exact' must be true or false")
    return RequestSpec(method, path, params, exact)


def _response(data: Any) -> CannedResponse:
    if not isinstance(data, dict):
        raise FixtureError("'response' must be an object")
    status = data.get("status")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise FixtureError("'response.status' must be an HTTP status number")
    raw_headers = data.get("headers", {})
    if not isinstance(raw_headers, dict) or not all(isinstance(v, str) for v in raw_headers.values()):
        raise FixtureError("'response.headers' must be an object of strings")
    headers = tuple((str(k), v) for k, v in raw_headers.items())
    has_text, has_bytes = "body" in data, "body_base64" in data
    if has_text == has_bytes:
        raise FixtureError("'response' needs exactly one of 'body' and 'body_base64'")
    if has_text:
        text = data["body"]
        if not isinstance(text, str):
            raise FixtureError("'response.body' must be a string")
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        charset = charset_of(content_type) or "utf-8"
        try:
            body = text.encode(charset)
        except UnicodeEncodeError:
            raise FixtureError(f"'response.body' cannot be encoded in {charset}") from None
    else:
        encoded = data["body_base64"]
        if not isinstance(encoded, str):
            raise FixtureError("'response.body_base64' must be a string")
        try:
            body = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise FixtureError("'response.body_base64' is not valid base64") from None
    return CannedResponse(status, headers, body)


def _expect(data: Any) -> Expectation:
    if not isinstance(data, dict):
        raise FixtureError("'expect' must be an object")
    kinds = [k for k in ("result", "error", "decode_error") if k in data]
    if len(kinds) != 1:
        raise FixtureError("'expect' needs exactly one of 'result', 'error', 'decode_error'")
    kind = kinds[0]
    value = data[kind]
    if kind == "result":
        if not isinstance(value, dict):
            raise FixtureError("'expect.result' must be an object")
        return Expectation("result", result=value)
    if kind == "error":
        if not isinstance(value, dict):
            raise FixtureError("'expect.error' must be an object")
        code = value.get("code")
        if isinstance(code, bool) or not isinstance(code, int):
            raise FixtureError("'expect.error.code' must be an integer")
        description = value.get("description")
        if description is not None and not isinstance(description, str):
            raise FixtureError("'expect.error.description' must be a string")
        return Expectation("error", code=code, description=description)
    if value is not True:
        raise FixtureError("'expect.decode_error' must be true")
    return Expectation("decode_error")
