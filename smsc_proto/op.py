"""``Op[R]``: one API call as data, typed by its result ``R``.

Its fields are the API's parameter names; its class declares, as plain attributes, the path,
the command flag, the answer's shape, the error table, the rate limit and whether it may be
repeated. ``Balance`` is an ``Op[BalanceResult]``, so ``client.call(Balance())`` is a
``BalanceResult`` to mypy and to an IDE.

A transport needs nothing else: ``op.request(credentials)`` -> I/O -> ``op.decode(response)``.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

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
from smsc_proto.list_stream import ListStreamDecoder
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import ConvertError, number_if_digits, parse_date, parse_datetime, wire_value
from smsc_proto.shape import Shape
from smsc_proto.streaming import BufferedDecoder, StreamDecoder
from smsc_proto.upload import Upload, multipart_boundary, multipart_headers

__all__ = [
    "COMMON_ERRORS",
    "CONTENT_TYPES",
    "OK_SHAPE",
    "INT_MAX",
    "INT_MIN",
    "REGISTRY",
    "ErrorTable",
    "Flag",
    "Fmt",
    "OkResult",
    "Op",
    "check_text",
    "php_name",
    "split_list",
]

R = TypeVar("R")
Fmt = Literal[0, 1, 2, 3]
if TYPE_CHECKING:
    # A 0/1 flag parameter: a bool is taken too (True is 1).
    Flag = Literal[0, 1] | bool
else:
    Flag = Literal[0, 1]  # a bool is turned into its int before the check
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
# credentials and show in reprs; a `charset` would misdescribe the UTF-8 body). Matched
# against the name PHP reads (see `php_name`).
_RESERVED = {
    "login": "credentials go in Credentials, never in extra",
    "psw": "credentials go in Credentials, never in extra",
    "apikey": "credentials go in Credentials, never in extra",
    "fmt": "use the fmt field",
    "charset": "requests are always UTF-8 (charset=utf-8)",
}
_NOT_PARAMS = frozenset({"fmt", "extra"})

# The API's integers are signed 32-bit (message ids 1..2147483647, common.md); a larger one
# is never meant, and str() of a huge int is slow or refused (sys.set_int_max_str_digits).
INT_MIN, INT_MAX = -2_147_483_648, 2_147_483_647
# An amount of sane size (as records.py reads them): str() of Decimal("1E+999999999") is
# a billion characters.
_MAX_DIGITS = 40
# What no form value may hold: a lone surrogate (no UTF-8 form: the request body could not
# be encoded), NUL (C strings end there) and the other C0 controls and DEL. Fields listed in
# an op's `line_breaks` may hold tabs and line breaks (message texts); nothing else may.
_NOT_TEXT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_NOT_MULTILINE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# path -> {command flag: op id} of every op class: `extra` may not set another command's flag
# (`del=1` would turn a status query into a deletion).
_COMMANDS: dict[str, dict[str, str]] = {}

# op id -> the op class fixtures and the CLI build it with (the first class declaring it).
REGISTRY: dict[str, type[Op[Any]]] = {}


# The longest reason a conversion error gives (the value itself is shown cut, apart).
_REASON_LIMIT = 160


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

    __slots__ = (
        "date_kind",
        "exact",
        "flag",
        "ids",
        "is_list",
        "name",
        "nullable",
        "param",
        "required",
        "target",
        "upload",
        "wire",
    )

    def __init__(self, f: msgspec.structs.FieldInfo) -> None:
        union = typing.get_origin(f.type) is typing.Union or isinstance(f.type, types.UnionType)
        members = [m for m in (typing.get_args(f.type) if union else (f.type,)) if m is not type(None)]
        items = [typing.get_args(m)[0] for m in members if typing.get_origin(m) in (tuple, list, Sequence)]
        self.name = f.name
        self.wire = f.encode_name
        # Files: sent as multipart parts named after the field (``file`` or ``file0``,
        # ``file1``... for a list), never as form values.
        self.upload = Upload in members or Upload in items
        self.param = f.name not in _NOT_PARAMS and not self.upload
        self.required = f.required
        self.nullable = union and type(None) in typing.get_args(f.type)
        self.is_list = bool(items)
        self.target: Any = tuple[items[0], ...] if items else f.type  # type: ignore[valid-type]
        single = typing.get_args(items[0]) if items else tuple(members)
        self.ids = set(single) == {int, str}
        self.date_kind = next((m for m in members if m is dt.datetime or m is dt.date), None)
        # A 0/1 flag takes a bool too (True is 1).
        self.flag = any(
            typing.get_origin(m) is Literal and set(typing.get_args(m)) == {0, 1} for m in members
        )
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
    they are sent as given. It may not set, in any spelling PHP reads as the same name
    (``PSW``, ``psw[]``, ``after.id``), the credentials, ``fmt``, ``charset``, a field of the
    op or the command flag of any op of the same endpoint (``del`` on status.php).

    Construction checks every value and raises ``InvalidParameter`` (field, value, reason):
    text must have a UTF-8 form and hold no NUL or other control character (tabs and line
    breaks only in the fields ``line_breaks`` names), ints must fit the API's 32-bit range,
    amounts must be finite; ``validate`` adds the op's own rules (spec ranges, phones).

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
    # API error codes that mean "no records" to a list command: its result is an empty list.
    empty_codes: ClassVar[frozenset[int]] = frozenset()
    # Wire names of text parameters that may hold line breaks and tabs (message texts).
    line_breaks: ClassVar[frozenset[str]] = frozenset()
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
        path, command = getattr(cls, "path", None), cls.command
        if path is not None and command is not None:
            _COMMANDS.setdefault(path, {}).setdefault(command, getattr(cls, "op_id", command))

    # -- construction ------------------------------------------------------------------------

    def __post_init__(self) -> None:
        for f in _fields(type(self)):
            value = getattr(self, f.name)
            if value is None:
                if not f.nullable:  # `phone: str` given None: validate() would trip on it
                    raise self.invalid(f.wire, None, "is required")
                continue
            if value.__class__ is bool and f.flag:
                value = int(value)
                msgspec.structs.force_setattr(self, f.name, value)
            if value.__class__ not in f.exact:
                converted = self._converted(f, value)
                if converted is not value:
                    msgspec.structs.force_setattr(self, f.name, converted)
                    value = converted
            self._check_value(f.wire, value)
        if self.extra:
            self._check_extra(self.extra)
        self.validate()

    def _check_value(self, field: str, value: Any) -> None:
        """What the type alone lets through: text the form cannot carry, an integer beyond
        the API's, a NaN, an infinite or an absurd amount. Linear in the value."""
        cls = value.__class__
        if cls is str:
            check_text(self, field, value, line_breaks=field in self.line_breaks)
        elif cls is int:
            if not INT_MIN <= value <= INT_MAX:
                raise self.invalid(
                    field, _digits(value), f"is outside the API's integer range {INT_MIN}..{INT_MAX}"
                )
        elif cls is Decimal:
            if not value.is_finite():
                raise self.invalid(field, value, "must be a finite number (not NaN or infinity)")
            if not -_MAX_DIGITS < value.adjusted() < _MAX_DIGITS:
                raise self.invalid(
                    field, value, f"has more than {_MAX_DIGITS} digits before or after the point"
                )
        elif cls is tuple:
            for item in value:
                self._check_value(field, item)

    def _check_extra(self, extra: Mapping[str, str]) -> None:
        """``extra`` sets names nothing else sets: not the credentials, ``fmt`` or ``charset``,
        not a field of this op, not a command flag of its endpoint; as PHP reads the name."""
        modelled = {f.wire: f.name for f in _fields(type(self)) if f.param or f.upload}
        commands = _COMMANDS.get(getattr(self, "path", ""), {})
        for name, value in extra.items():
            check_text(self, "extra", name)
            read = php_name(name)
            if not read:
                raise self.invalid("extra", name, "is not a parameter name (PHP ignores it)")
            seen = "" if read == name else f" (the server reads {name!r} as {read!r})"
            if read in _RESERVED:
                raise self.invalid("extra", name, _RESERVED[read] + seen)
            field = modelled.get(read) or modelled.get(_indexed_name(name))
            if field is not None:
                raise self.invalid(
                    "extra", name, f"is a parameter of {self.op_id}: set its field {field}{seen}"
                )
            if read in commands:
                raise self.invalid(
                    "extra",
                    name,
                    f"is the command flag of {commands[read]} on {self.path}: build that op instead{seen}",
                )
            # Values of parameters the SDK does not know: any text a form can carry.
            check_text(self, "extra", value, line_breaks=True, key=name)

    def _converted(self, f: _Field, value: Any) -> Any:
        # Ints beyond the API's first: msgspec and repr() would call str() on them, which
        # refuses more than 4300 digits (ValueError) and is quadratic below that.
        for item in value if value.__class__ in (list, tuple) else (value,):
            if item.__class__ is int:
                self._check_value(f.wire, item)
        if f.is_list and isinstance(value, (str, int)):
            value = split_list(value)
        try:
            if f.date_kind is not None and isinstance(value, str):
                # The API's own spelling, as fixtures and the CLI give it.
                value = parse_datetime(value) if f.date_kind is dt.datetime else parse_date(value)
            converted = msgspec.convert(value, f.target, strict=False)
        except ConvertError as exc:
            raise self.invalid(f.wire, _shown(value), str(exc)) from None
        except msgspec.ValidationError as exc:
            # msgspec's reason may quote the whole value ("Invalid enum value '...'"): cut.
            reason = str(exc).split(" - at ")[0]
            if f.upload and reason.startswith("Expected `object`"):
                reason = "must be Upload(filename, content, content_type)" + (" values" if f.is_list else "")
            reason = reason if len(reason) <= _REASON_LIMIT else reason[: _REASON_LIMIT - 3] + "..."
            raise self.invalid(f.wire, _shown(value), reason) from None
        except ValueError:  # msgspec's str() of a huge int nested deeper
            raise self.invalid(f.wire, _shown(value), f"is not a valid {f.wire} value") from None
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
        names = {f.wire: f.name for f in _fields(cls) if f.param or f.upload}
        fields: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for name, given in params.items():
            value = int(given) if isinstance(given, bool) else given  # JSON true/false for 0/1
            if name in names:
                fields[names[name]] = value
            elif (
                name == "charset"
                and isinstance(value, str)
                and value.lower().replace("_", "-") in ("utf-8", "utf8")
            ):
                continue  # what every request says anyway
            elif name != cls.command and value is not None:  # the command flag is implied; None is absent
                try:
                    extra[name] = wire_value(value)
                except ValueError:  # str() of a huge int
                    raise InvalidParameter(
                        cls.op_id, "extra", name, "has a value too large to send"
                    ) from None
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

    def uploads(self) -> tuple[tuple[str, Upload], ...]:
        """The files this op sends, each with its part name: a field's wire name, numbered
        from 0 for a list (``file0``, ``file1``, as SMSC's own PHP library names them)."""
        found: list[tuple[str, Upload]] = []
        for f in _upload_fields(type(self)):
            value = getattr(self, f.name)
            if value is not None:
                if value.__class__ is tuple:
                    found += ((f"{f.wire}{i}", item) for i, item in enumerate(value))
                else:
                    found.append((f.wire, value))
        return tuple(found)

    def request(self, credentials: Credentials) -> HttpRequest:
        """The POST to send; credentials go in the form body only. With files, the body is
        multipart/form-data (``upload.py``)."""
        params = self.params()
        files = self.uploads()
        if not files:
            return HttpRequest("POST", self.path, (*credentials.form_fields(), *params))
        headers = multipart_headers(multipart_boundary(params, files))
        return HttpRequest("POST", self.path, (*credentials.form_fields(), *params), headers, files)

    # -- response ----------------------------------------------------------------------------

    def result_shape(self) -> Shape:
        """The shape of the answer; ops whose layouts depend on a parameter override it
        (their result type does not)."""
        return self.shape

    def secrets(self) -> tuple[str, ...]:
        """Secret values this op sends besides the credentials (a sub-client's password):
        redacted from its errors as the credentials are."""
        return ()

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
        yields the items of a list result as they arrive, in flat memory (``list_stream``),
        or the one result (a small answer, buffered); file ops decode as bytes arrive."""
        if typing.get_origin(self.result_type) is list:
            return ListStreamDecoder(self, head)
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


def php_name(name: str) -> str:
    """The parameter name PHP reads for the form field ``name``, lower-cased: surrounding
    whitespace stripped, a ``[...]`` suffix dropped (``psw[]`` is ``$_REQUEST['psw']``, as an
    array), an unclosed ``[`` and every ``.`` or space read as ``_`` (main/php_variables.c).

    >>> [php_name(n) for n in ("PSW", " psw[] ", "psw[x]", "api.key", "api key", "a[b")]
    ['psw', 'psw', 'psw', 'api_key', 'api_key', 'a_b']
    """
    text = name.strip()
    cut = text.find("[")
    if cut >= 0:
        text = text[:cut].strip() if "]" in text[cut:] else text[:cut] + "_" + text[cut + 1 :]
    return text.replace(".", "_").replace(" ", "_").lower()


def _indexed_name(name: str) -> str:
    """``name`` as one element of a PHP array parameter (``FL[1]`` is ``fl[1]``), or "" when
    it names no index: a field modelled as ``fl[1]`` leaves ``fl[2]`` to ``extra``."""
    text = name.strip()
    cut = text.find("[")
    end = text.find("]", cut + 1)
    if cut < 0 or end < 0 or not text[cut + 1 : end].strip():
        return ""
    return f"{php_name(text[:cut])}[{text[cut + 1 : end].strip().lower()}]"


def check_text(op: Op[Any], field: str, value: str, *, line_breaks: bool = False, key: str = "") -> None:
    """Refuse text a form field cannot carry (see ``_NOT_TEXT``); ``key`` names the ``extra``
    entry whose value it is. The error shows the bad character and a little around it."""
    bad = (_NOT_MULTILINE_TEXT if line_breaks else _NOT_TEXT).search(value)
    if bad is None:
        return
    at = bad.start()
    char = bad.group()
    if "\ud800" <= char <= "\udfff":
        what = f"a lone surrogate U+{ord(char):04X}, which has no UTF-8 form"
    elif char == "\x00":
        what = "a NUL character"
    else:
        what = f"the control character U+{ord(char):04X}"
    where = f"the value of {key!r}" if key else "it"
    shown = value if len(value) <= 40 else value[max(0, at - 16) : at + 16]
    raise op.invalid(field, shown, f"{where} holds {what} at index {at}")


def _shown(value: Any) -> Any:
    """``value``, or a stand-in when its repr() fails (a huge int inside)."""
    try:
        repr(value)
    except ValueError:
        return f"<{type(value).__name__} too large to show>"
    return value


def _digits(value: int) -> str:
    """A huge int shown without str(), which is quadratic in its digits."""
    return str(value) if -(10**20) < value < 10**20 else f"<{value.bit_length()}-bit integer>"


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
_UPLOADS: dict[type, tuple[_Field, ...]] = {}


def _fields(cls: type[Op[Any]]) -> tuple[_Field, ...]:
    """The fields of ``cls``, worked out on first use: msgspec's field list is complete only
    once the class exists."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = tuple(_Field(f) for f in msgspec.structs.fields(cls))
    return plan


def _upload_fields(cls: type[Op[Any]]) -> tuple[_Field, ...]:
    """The fields of ``cls`` that hold files (most ops: none), worked out on first use."""
    found = _UPLOADS.get(cls)
    if found is None:
        found = _UPLOADS[cls] = tuple(f for f in _fields(cls) if f.upload)
    return found
