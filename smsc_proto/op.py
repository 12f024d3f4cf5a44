"""``Op``: one API call as data. Its fields are the API's parameter names; its class knows
the path, the command flag, the result shape, the error table and the rate limit.

Building a request and decoding its answer are methods of the op, so a transport needs
nothing else: ``op.request(credentials)`` -> I/O -> ``op.decode(response)``.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar, Literal

import msgspec

from smsc_proto.convert import (
    ConvertError,
    parse_date,
    parse_datetime,
    to_result,
    wire_value,
)
from smsc_proto.credentials import Credentials
from smsc_proto.errors import (
    AuthenticationError,
    DecodeError,
    InvalidOperation,
    IpBlockedError,
    ParameterError,
    RateLimitedError,
    SmscError,
)
from smsc_proto.formats.envelope import ApiError, error_in_data, error_in_text, render_error
from smsc_proto.formats.json import JsonError, parse_json
from smsc_proto.formats.text import LayoutError, Token
from smsc_proto.formats.xml import XmlError, element_to_builtins, parse_xml
from smsc_proto.http import REQUEST_CHARSET, HttpRequest, HttpResponse, body_text
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shapes import Shape, ShapeError
from smsc_proto.streaming import BufferedDecoder, StreamDecoder

__all__ = ["COMMON_ERRORS", "ErrorTable", "Fmt", "Op", "OkResult", "OK_SHAPE"]

Fmt = Literal[0, 1, 2, 3]
ErrorTable = Mapping[int, tuple[type[SmscError], str]]

COMMON_ERRORS: ErrorTable = {
    1: (ParameterError, "parameter error"),
    2: (AuthenticationError, "invalid login/password or IP not allowed"),
    4: (IpBlockedError, "IP temporarily blocked after frequent errors"),
    9: (RateLimitedError, "duplicate request, rate limit or too many concurrent connections"),
}

# Wire parameters the codec owns: `extra` may not set them (a second `psw` would override the
# credentials and show in reprs; a `charset` would misdescribe the UTF-8 body).
_RESERVED = {
    "login": "credentials go in Credentials, never in extra",
    "psw": "credentials go in Credentials, never in extra",
    "apikey": "credentials go in Credentials, never in extra",
    "fmt": "use the fmt field",
    "charset": "requests are always UTF-8 (charset=utf-8)",
}

# Errors a decoder may meet on a malformed body; each becomes a DecodeError.
_MALFORMED = (
    ShapeError,
    LayoutError,
    JsonError,
    XmlError,
    ConvertError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    RecursionError,
    OverflowError,
)


class OkResult(msgspec.Struct, frozen=True):
    """The answer of a command that only acknowledges: ``OK`` in every fmt."""

    result: Literal["OK"]


class Op(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, repr_omit_defaults=True):
    """Base of every operation.

    ``fmt`` is the answer format asked for (3, JSON, by default: the richest and the one
    every shape documents). ``extra`` carries wire parameters this SDK does not model yet;
    they are sent as given.
    """

    fmt: Fmt = 3
    extra: dict[str, str] | None = None

    op_id: ClassVar[str]
    path: ClassVar[str]
    command: ClassVar[tuple[tuple[str, str], ...]] = ()
    errors: ClassVar[ErrorTable] = {}
    # False for anything that sends or creates: never repeated unless it provably never left.
    idempotent: ClassVar[bool] = True
    rate_limit: ClassVar[RateLimit | None] = None
    result_type: ClassVar[Any] = OkResult
    shape: ClassVar[Shape]

    # -- construction --------------------------------------------------------------------

    def __post_init__(self) -> None:
        for name, tp, is_list in _field_plan(type(self)):
            value = getattr(self, name)
            if value is None:
                continue
            if is_list and isinstance(value, (str, int)):
                value = split_list(value)
            try:
                value = api_date(value, tp)
                converted = msgspec.convert(value, tp, strict=False)
            except ConvertError as exc:
                raise self.invalid(name, value, str(exc)) from None
            except msgspec.ValidationError as exc:
                raise self.invalid(name, value, _reason(exc)) from None
            if converted is not getattr(self, name):
                msgspec.structs.force_setattr(self, name, converted)
        for name in self.extra or ():
            if name in _RESERVED:
                raise self.invalid("extra", name, _RESERVED[name])
        self.validate()

    def validate(self) -> None:
        """Checks across fields, beyond types; raise ``self.invalid(...)``."""

    def invalid(self, field: str, value: object, reason: str) -> InvalidOperation:
        return InvalidOperation(self.op_id, field, value, reason)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], fmt: int | None = None) -> Op:
        """Build from wire names and values (lists or comma-joined strings, API dates), as
        fixtures and the CLI give them. Names the op does not model go to ``extra``.

        >>> from smsc_proto import Send
        >>> Send.from_params({"phones": "79991234567,79997654321", "mes": "Hi", "flash": True}, fmt=0)
        Send(fmt=0, flash=1, phones=['79991234567', '79997654321'], mes='Hi')
        """
        names = {f.encode_name: f.name for f in msgspec.structs.fields(cls) if f.name != "extra"}
        fields: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for name, given in params.items():
            value = int(given) if isinstance(given, bool) else given  # JSON true/false for 0/1
            if name in names:
                fields[names[name]] = value
            elif name == "charset" and str(value).lower().replace("_", "-") in ("utf-8", "utf8"):
                continue  # what every request says anyway
            elif name not in dict(cls.command):  # the op's own command flag is implied
                extra[name] = wire_value(value)
        if fmt is not None:
            fields["fmt"] = fmt
        if extra:
            fields["extra"] = extra
        try:
            # __post_init__ converts and checks each value, naming the field it refuses.
            return cls(**fields)
        except TypeError as exc:  # "Missing required argument 'id'"
            missing = str(exc).split("'")[1] if str(exc).count("'") >= 2 else "?"
            raise InvalidOperation(cls.op_id, missing, None, "is required") from None

    # -- request -------------------------------------------------------------------------

    def params(self) -> list[tuple[str, str]]:
        """The form fields of this op, credentials excluded, in a stable order."""
        out = list(self.command)
        for f in msgspec.structs.fields(self):
            if f.name in ("fmt", "extra"):
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            out.append((f.encode_name, wire_value(value)))
        out.append(("fmt", str(self.fmt)))
        out.append(("charset", REQUEST_CHARSET))
        out.extend((self.extra or {}).items())
        return out

    @property
    def charset(self) -> str:
        """The charset the answer is asked in (used when the answer names none)."""
        return REQUEST_CHARSET

    def request(self, credentials: Credentials) -> HttpRequest:
        """The POST to send; credentials go in the form body only."""
        return HttpRequest("POST", self.path, tuple(credentials.form_fields() + self.params()))

    def limit(self) -> RateLimit | None:
        """The documented per-minute limit that applies to this very request."""
        return self.rate_limit

    # -- response ------------------------------------------------------------------------

    def result_shape(self) -> Shape:
        """The success shape; ops whose answer depends on their parameters override it."""
        return self.shape

    def result_kind(self) -> Any:
        return self.result_type

    def error_for(self, error: ApiError) -> SmscError:
        """The typed exception for an API error, chosen from this op's own code table."""
        cls, _meaning = self.errors.get(error.code) or COMMON_ERRORS.get(error.code) or (SmscError, "")
        return cls(error.code, error.description, self.op_id, message_id=error.message_id)

    def decode(self, response: HttpResponse) -> Any:
        """The typed result of a whole response, or a typed error."""
        text = body_text(response.body, response.header("Content-Type"), self.charset)
        return self.decode_text(text, response.status)

    def decode_text(self, text: str, status: int = 200) -> Any:
        body = text.strip()
        try:
            raw = self._parse(body, status)
            return to_result(raw, self.result_kind())
        except SmscError:
            raise
        except _MALFORMED as exc:
            raise DecodeError(self.op_id, _describe(exc), body) from None

    def _parse(self, body: str, status: int) -> Any:
        if not body:
            raise ShapeError(f"empty body (HTTP {status})")
        shape = self.result_shape()
        if body[0] in "{[":
            data = parse_json(body)
            self._raise_if_error(error_in_data(data))
            self._check_status(status)
            return shape.from_json(data)
        if body[0] == "<":
            root = parse_xml(body)
            self._raise_if_error(error_in_data(element_to_builtins(root)))
            self._check_status(status)
            return shape.from_xml(root)
        self._raise_if_error(error_in_text(body))
        self._check_status(status)
        return shape.from_text(self.fmt, body)

    def _raise_if_error(self, error: ApiError | None) -> None:
        if error is not None:
            raise self.error_for(error)

    @staticmethod
    def _check_status(status: int) -> None:
        if not 200 <= status < 300:
            raise ShapeError(f"HTTP {status} without an API error envelope")

    def stream_decoder(self, response: HttpResponse) -> StreamDecoder[Any]:
        """An incremental decoder for the body of ``response`` (whose own body is ignored).

        The default buffers the (small) answer and yields the records of a list result, or
        the one result. File ops override it to decode as bytes arrive.
        """
        return BufferedDecoder(self, response)

    # -- writing answers (emulators and test doubles) -------------------------------------

    def render(self, result: Any, fmt: int | None = None) -> str:
        """The body the server would send for ``result`` in ``fmt`` (default: the op's)."""
        data = msgspec.to_builtins(result, builtin_types=(dt.datetime, dt.date, Decimal))
        return self.result_shape().render(self.fmt if fmt is None else fmt, data)

    def render_error(
        self, code: int, description: str, fmt: int | None = None, message_id: int | str | None = None
    ) -> str:
        return render_error(self.fmt if fmt is None else fmt, ApiError(code, description, message_id))


# ``OK`` in fmt=0/1, ``<result>OK</result>``, ``{"result": "OK"}`` (ping, jobs.del...).
OK_SHAPE = Shape(text=Token("OK"), csv=Token("OK"), xml_root="result")


def split_list(value: str | int) -> tuple[str, ...]:
    """``"a,b;c"`` -> ``("a", "b", "c")``: the API takes `,` or `;` between list items."""
    text = str(value).replace(";", ",")
    return tuple(item.strip() for item in text.split(",") if item.strip())


@cache
def _field_plan(cls: type[Op]) -> tuple[tuple[str, Any, bool], ...]:
    plan = []
    for f in msgspec.structs.fields(cls):
        union = typing.get_origin(f.type) is typing.Union or isinstance(f.type, types.UnionType)
        members = typing.get_args(f.type) if union else (f.type,)
        is_list = any(typing.get_origin(m) in (tuple, list, Sequence) for m in members)
        plan.append((f.name, f.type, is_list))
    return tuple(plan)


def _date_kind(tp: Any) -> type[dt.date] | None:
    union = typing.get_origin(tp) is typing.Union or isinstance(tp, types.UnionType)
    for member in typing.get_args(tp) if union else (tp,):
        if member is dt.datetime or member is dt.date:
            return member
    return None


def api_date(value: Any, tp: Any) -> Any:
    """``value`` for a date-typed param: ``dd.mm.yyyy[ hh:mm[:ss]]`` strings are parsed (the
    API's spelling, as fixtures and the CLI give it); anything else is returned unchanged."""
    kind = _date_kind(tp)
    if kind is None or not isinstance(value, str):
        return value
    return parse_datetime(value) if kind is dt.datetime else parse_date(value)


def _reason(exc: msgspec.ValidationError) -> str:
    return str(exc).split(" - at ")[0]


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
