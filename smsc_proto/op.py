"""``Op[R]``: one API call as data, typed by its result ``R``.

Its fields are the API's parameter names; its class declares, as plain attributes, the path,
the command flag, the answer's shape, the error table, the rate limit and whether it may be
repeated. ``Balance`` is an ``Op[BalanceResult]``, so ``client.call(Balance())`` is a
``BalanceResult`` to mypy and to an IDE.

A transport needs nothing else: ``op.request(credentials)`` -> I/O -> ``op.decode(response)``.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar, Generic, Literal, TypeVar

import msgspec

from smsc_proto import decode as _decode
from smsc_proto.credentials import Credentials
from smsc_proto.errors import (
    AuthenticationError,
    InvalidParameter,
    IpBlockedError,
    ParameterError,
    RateLimitedError,
    SmscError,
)
from smsc_proto.formats.envelope import ApiError, render_error
from smsc_proto.formats.text import Token
from smsc_proto.http import REQUEST_CHARSET, HttpRequest, HttpResponse
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import ConvertError, number_if_digits, parse_date, parse_datetime, wire_value
from smsc_proto.shape import Shape
from smsc_proto.streaming import BufferedDecoder, StreamDecoder

__all__ = [
    "COMMON_ERRORS",
    "CONTENT_TYPES",
    "OK_SHAPE",
    "REGISTRY",
    "ErrorTable",
    "Fmt",
    "OkResult",
    "Op",
    "split_list",
]

R = TypeVar("R")
Fmt = Literal[0, 1, 2, 3]
ErrorTable = Mapping[int, tuple[type[SmscError], str]]

COMMON_ERRORS: ErrorTable = {
    1: (ParameterError, "parameter error"),
    2: (AuthenticationError, "invalid login/password or IP not allowed"),
    4: (IpBlockedError, "IP temporarily blocked after frequent errors"),
    9: (RateLimitedError, "duplicate request, rate limit or too many concurrent connections"),
}

# The Content-Type the service answers each fmt with (render; emulators).
CONTENT_TYPES = {
    0: "text/plain; charset=utf-8",
    1: "text/plain; charset=utf-8",
    2: "application/xml; charset=utf-8",
    3: "application/json; charset=utf-8",
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
_NOT_PARAMS = frozenset({"fmt", "extra"})

# op id -> the op class fixtures and the CLI build it with (the first class declaring it).
REGISTRY: dict[str, type[Op[Any]]] = {}


class OkResult(msgspec.Struct, frozen=True):
    """The answer of a command that only acknowledges: ``OK`` in every fmt."""

    result: Literal["OK"]


# ``OK`` in fmt=0/1, ``<result>OK</result>``, ``{"result": "OK"}`` (ping, jobs.del...).
OK_SHAPE = Shape(text=Token("OK"), csv=Token("OK"), xml_root="result")


class _Field:
    """What construction checks of one field, worked out once per class. ``target``: the type
    a value is converted to (a list parameter is kept as a tuple, so that ops stay
    hashable); ``exact``: the value classes that need no conversion (a str for a str field);
    ``ids``: ``int | str`` values, whose digit strings become the number they spell."""

    __slots__ = ("date_kind", "exact", "ids", "is_list", "name", "param", "required", "target", "wire")

    def __init__(self, f: msgspec.structs.FieldInfo) -> None:
        union = typing.get_origin(f.type) is typing.Union or isinstance(f.type, types.UnionType)
        members = [m for m in (typing.get_args(f.type) if union else (f.type,)) if m is not type(None)]
        items = [typing.get_args(m)[0] for m in members if typing.get_origin(m) in (tuple, list, Sequence)]
        self.name = f.name
        self.wire = f.encode_name
        self.param = f.name not in _NOT_PARAMS
        self.required = f.required
        self.is_list = bool(items)
        self.target: Any = tuple[items[0], ...] if items else f.type  # type: ignore[valid-type]
        single = typing.get_args(items[0]) if items else tuple(members)
        self.ids = set(single) == {int, str}
        self.date_kind = next((m for m in members if m is dt.datetime or m is dt.date), None)
        # Only types whose every value is valid may skip conversion: str, int (but not a
        # Literal, an enum or a bool), Decimal; never a list, nor an id that may be digits.
        self.exact = () if self.ids else tuple(m for m in members if m in (str, int, Decimal))


class Op(
    msgspec.Struct,
    Generic[R],
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    repr_omit_defaults=True,
):
    """Base of every operation; ``R`` is its result type.

    ``fmt`` is the answer format asked for (3, JSON, by default: the richest and the one
    every shape documents). ``extra`` carries wire parameters this SDK does not model yet;
    they are sent as given.

    A subclass declares, as class attributes: ``op_id`` (the catalogue's name), ``path``,
    ``command`` (the flag sent as ``<command>=1``), ``shape``, ``errors`` (its own code
    table), ``rate_limit`` and, for anything that sends, creates or changes, ``idempotent =
    False``. ``validate`` checks across fields.
    """

    fmt: Fmt = 3
    extra: dict[str, str] | None = None

    op_id: ClassVar[str]
    path: ClassVar[str]
    command: ClassVar[str | None] = None
    errors: ClassVar[ErrorTable] = {}
    # False for anything that sends or creates: never repeated unless it provably never left.
    idempotent: ClassVar[bool] = True
    rate_limit: ClassVar[RateLimit | None] = None
    shape: ClassVar[Shape] = OK_SHAPE
    # R, read from the class's ``Op[R]`` base.
    result_type: ClassVar[Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found = _declared_result(cls)
        if found is not None:
            cls.result_type = found
        op_id = cls.__dict__.get("op_id")
        if op_id is not None:
            REGISTRY.setdefault(op_id, cls)

    # -- construction ------------------------------------------------------------------------

    def __post_init__(self) -> None:
        for f in _fields(type(self)):
            value = getattr(self, f.name)
            if value is None or value.__class__ in f.exact:
                continue
            converted = self._converted(f, value)
            if converted is not value:
                msgspec.structs.force_setattr(self, f.name, converted)
        for name in self.extra or ():
            if name in _RESERVED:
                raise self.invalid("extra", name, _RESERVED[name])
        self.validate()

    def _converted(self, f: _Field, value: Any) -> Any:
        if f.is_list and isinstance(value, (str, int)):
            value = split_list(value)
        try:
            if f.date_kind is not None and isinstance(value, str):
                # The API's own spelling, as fixtures and the CLI give it.
                value = parse_datetime(value) if f.date_kind is dt.datetime else parse_date(value)
            converted = msgspec.convert(value, f.target, strict=False)
        except ConvertError as exc:
            raise self.invalid(f.wire, value, str(exc)) from None
        except msgspec.ValidationError as exc:
            raise self.invalid(f.wire, value, str(exc).split(" - at ")[0]) from None
        if f.ids:
            return tuple(map(number_if_digits, converted)) if f.is_list else number_if_digits(converted)
        return converted

    def validate(self) -> None:
        """Checks across fields, beyond types; raise ``self.invalid(...)``."""

    def invalid(self, field: str, value: object, reason: str) -> InvalidParameter:
        return InvalidParameter(self.op_id, field, value, reason)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], fmt: int | None = None) -> Op[Any]:
        """Build from wire names and values (lists or comma-joined strings, API dates), as
        fixtures and the CLI give them. Names the op does not model go to ``extra``.

        >>> from smsc_proto import Send
        >>> Send.from_params({"phones": "79991234567,79997654321", "mes": "Hi", "flash": True}, fmt=0)
        Send(fmt=0, flash=1, phones=('79991234567', '79997654321'), mes='Hi')
        """
        names = {f.wire: f.name for f in _fields(cls) if f.param}
        fields: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for name, given in params.items():
            value = int(given) if isinstance(given, bool) else given  # JSON true/false for 0/1
            if name in names:
                fields[names[name]] = value
            elif name == "charset" and str(value).lower().replace("_", "-") in ("utf-8", "utf8"):
                continue  # what every request says anyway
            elif name != cls.command:  # the op's own command flag is implied
                extra[name] = wire_value(value)
        if fmt is not None:
            fields["fmt"] = fmt
        if extra:
            fields["extra"] = extra
        required = [f.wire for f in _fields(cls) if f.required and f.name not in fields]
        if required:
            raise InvalidParameter(cls.op_id, required[0], None, "is required")
        # __post_init__ converts and checks each value, naming the field it refuses.
        return cls(**fields)

    # -- request -----------------------------------------------------------------------------

    def params(self) -> list[tuple[str, str]]:
        """The form fields of this op, credentials excluded, in a stable order."""
        out = [] if self.command is None else [(self.command, "1")]
        for f in _fields(type(self)):
            value = getattr(self, f.name)
            if value is not None and f.param:
                out.append((f.wire, wire_value(value)))
        out.append(("fmt", str(self.fmt)))
        out.append(("charset", REQUEST_CHARSET))
        if self.extra:
            out.extend(self.extra.items())
        return out

    def request(self, credentials: Credentials) -> HttpRequest:
        """The POST to send; credentials go in the form body only."""
        return HttpRequest("POST", self.path, (*credentials.form_fields(), *self.params()))

    # -- response ----------------------------------------------------------------------------

    def result_shape(self) -> Shape:
        """The shape of the answer; ops whose layouts depend on a parameter override it
        (their result type does not)."""
        return self.shape

    def error_for(self, error: ApiError) -> SmscError:
        """The typed exception for an API error, chosen from this op's own code table."""
        cls, _meaning = self.errors.get(error.code) or COMMON_ERRORS.get(error.code) or (SmscError, "")
        return cls(error.code, error.description, self.op_id, message_id=error.message_id)

    def decode(self, response: HttpResponse) -> R:
        """The typed result of a whole response, or a typed error."""
        return _decode.decode(self, response)

    def decode_text(self, text: str, status: int = 200) -> R:
        """``decode`` of a body already turned into text."""
        return _decode.decode_text(self, text, status)

    def stream_decoder(self, head: HttpResponse) -> StreamDecoder[Any]:
        """An incremental decoder for the body of ``head`` (whose own body is ignored): it
        yields the items of a list result, or the one result. This one buffers the (small)
        answer; file ops decode as bytes arrive."""
        return BufferedDecoder(self, head)

    # -- writing answers (emulators and test doubles) ----------------------------------------

    def render(self, result: R, fmt: int | None = None) -> HttpResponse:
        """The response the server would send for ``result`` in ``fmt`` (default: the op's)."""
        fmt = self.fmt if fmt is None else fmt
        data = msgspec.to_builtins(result, builtin_types=(dt.datetime, dt.date, Decimal))
        body = self.result_shape().render(fmt, data)
        return HttpResponse(200, {"Content-Type": CONTENT_TYPES[fmt]}, body.encode("utf-8"))

    def render_error(
        self, code: int, description: str, fmt: int | None = None, message_id: int | str | None = None
    ) -> HttpResponse:
        """The response the server would send for API error ``code``."""
        fmt = self.fmt if fmt is None else fmt
        body = render_error(fmt, ApiError(code, description, message_id))
        return HttpResponse(200, {"Content-Type": CONTENT_TYPES[fmt]}, body.encode("utf-8"))


def split_list(value: str | int) -> tuple[str, ...]:
    """``"a,b;c"`` -> ``("a", "b", "c")``: the API takes `,` or `;` between list items."""
    text = str(value).replace(";", ",")
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _declared_result(cls: type) -> Any:
    """``R`` of the nearest ``Op[R]`` (or generic op base) parameterised with a real type."""
    for klass in cls.__mro__:
        for base in klass.__dict__.get("__orig_bases__", ()):
            origin = typing.get_origin(base)
            if isinstance(origin, type) and issubclass(origin, Op):
                args = typing.get_args(base)
                if args and not isinstance(args[0], TypeVar):
                    return args[0]
    return None


_PLANS: dict[type, tuple[_Field, ...]] = {}


def _fields(cls: type[Op[Any]]) -> tuple[_Field, ...]:
    """The fields of ``cls``, worked out on first use: msgspec's field list is complete only
    once the class exists."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = tuple(_Field(f) for f in msgspec.structs.fields(cls))
    return plan
