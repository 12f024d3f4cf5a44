"""From wire values to result structs: one builder per result type, compiled once.

Every fmt ends in the same struct, by one of two routes worked out once per struct:

- fmt=3 JSON decodes straight into the struct with a msgspec decoder. Where the API writes a
  value its own way (``DD.MM.YYYY hh:mm:ss`` dates, ids that may be digit strings, money
  that must be finite), the decoder targets a *twin* struct whose such fields are plain,
  and a generated function builds the result from it, converting those fields only.
- Text, CSV and XML records (strings), and JSON that msgspec refuses (a number where text is
  documented, ``""`` for "none"), go through converters chosen once per field type, called
  from a generated function per record layout.

Generated functions are plain Python built with ``exec`` from field names (as dataclasses and
msgspec's own helpers do); nothing here inspects a type per call.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation as DecimalError
from functools import cache
from typing import Any

import msgspec

from smsc_proto.errors import Malformed
from smsc_proto.formats.json import read_raw

__all__ = [
    "EMPTY_IS_NONE",
    "ConvertError",
    "Record",
    "format_date",
    "format_datetime",
    "parse_date",
    "parse_datetime",
    "record",
    "wire_value",
]

Converter = Callable[[Any], Any]

# No API number has more digits (and int() of long digit strings grows quadratically).
_MAX_DIGITS = 40
# How the API writes "no date".
_NO_DATE = frozenset({"", "0", "00.00.0000 00:00:00", "00.00.0000", "0000-00-00 00:00:00", "0000-00-00"})
_DATETIME_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M:%S",
    "%d.%m.%y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y",
    "%Y-%m-%d",
)
_DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d")


class ConvertError(Malformed):
    """A value does not fit its field."""


class _EmptyIsNone:
    def __repr__(self) -> str:
        return "EMPTY_IS_NONE"


# ``Annotated[str | None, EMPTY_IS_NONE]``: a text field whose empty value means "none"
# (where a positional fmt writes an absent value as nothing).
EMPTY_IS_NONE = _EmptyIsNone()


# -- dates and wire text ---------------------------------------------------------------------


def parse_datetime(text: str) -> dt.datetime:
    """``DD.MM.YYYY hh:mm:ss`` (the API's form) or one of the other forms seen."""
    squeezed = " ".join(text.split())
    if len(squeezed) <= 32:
        for form in _DATETIME_FORMATS:
            try:
                return dt.datetime.strptime(squeezed, form)
            except ValueError:
                continue
    raise ConvertError(f"not a date and time: {_short(text)}")


def parse_date(text: str) -> dt.date:
    squeezed = text.strip()
    if len(squeezed) <= 32:
        for form in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(squeezed, form).date()
            except ValueError:
                continue
    return parse_datetime(squeezed).date()


def format_datetime(value: dt.datetime) -> str:
    return value.strftime("%d.%m.%Y %H:%M:%S")


def format_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def wire_value(value: Any) -> str:
    """A value as the API reads and writes it in forms, text, CSV and XML."""
    cls = value.__class__
    if cls is str:
        return value  # type: ignore[no-any-return]
    if cls is int:
        return str(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return ",".join(wire_value(v) for v in value)
    return str(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- converters: one value (text, a JSON value, or None for absent) to a field's type --------


def _missing(what: str) -> ConvertError:
    return ConvertError(f"missing {what}")


# Each converter takes a value as it came (text from fmt=0/1/2, a JSON value, or None when
# absent) and is one function call deep for the common values: these run once per field of
# every record.


def _absent(optional: bool, what: str) -> Any:
    """None for an optional field; a required one is missing."""
    if not optional:
        raise _missing(what)
    return None


def _text_field(optional: bool, what: str, empty_is_none: bool = False) -> Converter:
    def field(value: Any) -> Any:
        if value.__class__ is str:
            if empty_is_none and not value.strip():
                return None
            return value
        if value is None:
            return _absent(optional, what)
        if value.__class__ in (int, Decimal):
            return str(value)  # a number where the API documents text (a phone, a name)
        raise ConvertError(f"expected text, got {_short(value)}")

    return field


def _int_field(optional: bool, what: str) -> Converter:
    def field(value: Any) -> Any:
        cls = value.__class__
        if cls is str:
            text = value.strip()
            digits = text[1:] if text[:1] == "-" else text
            if digits.isdigit() and digits.isascii() and len(digits) <= _MAX_DIGITS:
                return int(text)
            if text:
                raise ConvertError(f"not an integer: {_short(value)}")
        elif cls is int:
            return value
        elif value is not None:
            return _integer(value)
        return _absent(optional, what)

    return field


def _integer(value: Any) -> int:
    """An integer from a JSON number (an int, or a Decimal with no fraction)."""
    cls = value.__class__
    if cls is int:
        return value  # type: ignore[no-any-return]
    if (
        cls is Decimal
        and value.is_finite()
        and value.adjusted() < _MAX_DIGITS
        and value == value.to_integral_value()
    ):
        return int(value)
    raise ConvertError(f"not an integer: {_short(value)}")


def _decimal_field(optional: bool, what: str) -> Converter:
    def field(value: Any) -> Any:
        cls = value.__class__
        if cls is str:
            text = value.strip()
            if not text:
                return _absent(optional, what)
            if len(text) <= _MAX_DIGITS:
                try:
                    return _amount(Decimal(text))
                except DecimalError:
                    try:  # the API writes a point; a comma is seen in some exports
                        return _amount(Decimal(text.replace(",", ".")))
                    except DecimalError:
                        pass
        elif cls is Decimal or cls is int:
            return _amount(Decimal(value))
        elif value is None:
            return _absent(optional, what)
        raise ConvertError(f"not a number: {_short(value)}")

    return field


def _amount(value: Decimal) -> Decimal:
    """An amount is a finite number of sane size: "NaN", "Infinity" and 1E+999999999 (which
    msgspec reads too) are refused, so that arithmetic and rendering never blow up."""
    if value.is_finite() and -_MAX_DIGITS < value.adjusted() < _MAX_DIGITS:
        return value
    raise ConvertError(f"not an amount: {_short(value)}")


def _amount_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else _amount(value)


def _datetime_field(optional: bool, what: str) -> Converter:
    # The API's own DD.MM.YYYY hh:mm:ss is read inline by the generated builders (_set);
    # this is the rest: the other forms seen, and "no date".
    def field(value: Any) -> Any:
        if value.__class__ is str:
            text = value.strip()
            if text in _NO_DATE:
                return _absent(optional, what)
            return parse_datetime(text)
        if value is None or value == 0:  # JSON 0: no date
            return _absent(optional, what)
        raise ConvertError(f"not a date and time: {_short(value)}")

    return field


def _date_field(optional: bool, what: str) -> Converter:
    def field(value: Any) -> Any:
        if value.__class__ is str:
            text = value.strip()
            if text in _NO_DATE:
                return _absent(optional, what)
            return parse_date(text)
        if value is None or value == 0:
            return _absent(optional, what)
        raise ConvertError(f"not a date: {_short(value)}")

    return field


def _enum_field(cls: type[enum.IntEnum], optional: bool, what: str) -> Converter:
    number = _int_field(optional, what)

    def field(value: Any) -> Any:
        code = number(value)
        if code is None:
            return None
        try:
            return cls(code)
        except ValueError:
            raise ConvertError(f"unknown {cls.__name__} {code}") from None

    return field


def _optional(convert: Converter, optional: bool, what: str) -> Converter:
    """``convert`` for present values; absent (None) and empty ones are None, or an error
    for a required field."""

    def field(value: Any) -> Any:
        if value is None or (value.__class__ is str and not value.strip()):
            return _absent(optional, what)
        return convert(value)

    return field


def _id(value: Any) -> int | str:
    """An id the API may give as a number or as text (a client's own message id): digits
    become the number they spell."""
    if value.__class__ is str:
        return number_if_digits(value.strip())  # type: ignore[no-any-return]
    return _integer(value)


def number_if_digits(value: Any) -> Any:
    """``value``, or the number a string of (at most 40 ASCII) digits spells."""
    if value.__class__ is str and value.isdigit() and value.isascii() and len(value) <= _MAX_DIGITS:
        return int(value)
    return value


def _boolean(value: Any) -> bool:
    if value.__class__ is bool:
        return value
    text = str(value).strip().lower()
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise ConvertError(f"not a flag: {_short(value)}")


def _literal(values: tuple[Any, ...]) -> Converter:
    allowed = frozenset(values)
    numeric = all(isinstance(v, int) for v in values)

    number = _int_field(False, "a literal")

    def convert(value: Any) -> Any:
        key = number(value) if numeric else (value.strip() if value.__class__ is str else value)
        if key.__class__ in (int, str) and key in allowed:
            return key
        raise ConvertError(f"expected one of {sorted(allowed, key=str)}, got {_short(value)}")

    return convert


def _struct(item: type[msgspec.Struct]) -> Converter:
    def convert(value: Any) -> Any:
        if value.__class__ is not dict:
            raise ConvertError(f"expected a record, got {_short(value)}")
        return record(item).from_dict(value)

    return convert


def _sequence(item: Converter, *, joined: bool = False) -> Converter:
    """A list of ``item``. ``joined``: a list of values (not of records) given as one text
    is the API's comma-joined list, as ``wire_value`` writes it (``a,b`` -> two items)."""

    def convert(value: Any) -> list[Any]:
        if value.__class__ is list:
            values = value
        elif joined and value.__class__ is str:
            values = [part for part in map(str.strip, value.split(",")) if part]
        else:
            values = [value]  # XML writes a list of one as a single element
        return [item(v) for v in values]

    return convert


def _or_empty_list(convert: Converter) -> Converter:
    """``convert`` for a list field that defaults to an empty list: absent, null or blank
    is no item."""

    def field(value: Any) -> Any:
        if value is None or (value.__class__ is str and not value.strip()):
            return []
        return convert(value)

    return field


def _members(tp: Any) -> tuple[tuple[Any, ...], bool]:
    """The members of a union type other than None, and whether None is one of them."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = typing.get_args(tp)
        return tuple(a for a in args if a is not type(None)), type(None) in args
    return (tp,), False


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def _list_item(tp: Any) -> Any | None:
    if typing.get_origin(tp) in (list, Sequence, tuple):
        args = typing.get_args(tp)
        return args[0] if args else Any
    return None


def _unannotated(tp: Any) -> tuple[Any, bool]:
    """``tp`` without ``Annotated``, and whether it was marked ``EMPTY_IS_NONE``."""
    if typing.get_origin(tp) is typing.Annotated:
        return typing.get_args(tp)[0], any(m is EMPTY_IS_NONE for m in tp.__metadata__)
    return tp, False


def converter(tp: Any, what: str) -> tuple[Converter, str]:
    """The converter of a field of type ``tp`` (``what`` names it in errors), and its kind:
    ``text``, ``int``, ``decimal`` or ``datetime`` (whose common values generated code reads
    inline), or ``other``."""
    tp, empty_is_none = _unannotated(tp)
    kinds, optional = _members(tp)
    if empty_is_none:
        if kinds != (str,) or not optional:
            raise TypeError(f"{what}: EMPTY_IS_NONE marks an optional text field")
        return _text_field(optional, what, empty_is_none=True), "other"
    if set(kinds) == {int, str}:
        return _optional(_id, optional, what), "other"
    if len(kinds) != 1:
        raise TypeError(f"{what}: unsupported result field type {tp!r}")
    kind = kinds[0]
    item = _list_item(kind)
    if item is not None:
        inner = _sequence(converter(item, what)[0], joined=not _is_struct(item))
        return _optional(inner, optional, what), "other"
    if kind is str:
        return _text_field(optional, what), "text"
    if kind is dt.datetime:
        return _datetime_field(optional, what), "datetime"
    if kind is dt.date:
        return _date_field(optional, what), "other"
    if kind is Decimal:
        return _decimal_field(optional, what), "decimal"
    if kind is bool:
        return _optional(_boolean, optional, what), "other"
    if isinstance(kind, type) and issubclass(kind, enum.IntEnum):
        return _enum_field(kind, optional, what), "other"
    if kind is int:
        return _int_field(optional, what), "int"
    if typing.get_origin(kind) is typing.Literal:
        return _optional(_literal(typing.get_args(kind)), optional, what), "other"
    if _is_struct(kind):
        return _optional(_struct(kind), optional, what), "other"
    raise TypeError(f"{what}: unsupported result field type {tp!r}")


# -- one struct's builders -------------------------------------------------------------------


def _compile(name: str, args: str, lines: Sequence[str], namespace: dict[str, Any]) -> Any:
    source = f"def {name}({args}):\n" + "".join(f"    {line}\n" for line in lines)
    exec(source, namespace)  # noqa: S102 -- source built from field names, see module doc
    return namespace[name]


class _Field:
    __slots__ = ("attr", "convert", "empty_list", "kind", "optional", "required", "tp", "wire")

    def __init__(
        self,
        attr: str,
        wire: str,
        tp: Any,
        *,
        required: bool,
        convert: Converter,
        kind: str,
        empty_list: bool = False,
    ) -> None:
        self.attr = attr
        self.wire = wire
        self.tp = tp
        self.required = required
        self.convert = convert
        self.kind = kind
        # A list that defaults to []: its converter reads absent as [], never None.
        self.empty_list = empty_list
        # Absent is None (the converter is not called for it).
        self.optional = not required and not empty_list


def _set(target: str, kind: str, convert: str, *, optional: bool, strip: bool = False) -> list[str]:
    """Lines that set ``target`` from ``v``: the common values of the field's kind inline
    (absent, text as it is, ASCII digits, a decimal, an API date DD.MM.YYYY hh:mm:ss), the rest
    through ``convert``, which accepts the same and more. ``strip``: a positional text value,
    whose spaces are not part of it."""
    other = f"None if v is None else {convert}(v)" if optional else f"{convert}(v)"
    if kind == "text":
        return [f"{target} = {'v.strip()' if strip else 'v'} if v.__class__ is str else {other}"]
    if kind == "int":
        digits = "v.__class__ is str and v.isdigit() and v.isascii() and len(v) <= 40"
        return [f"{target} = int(v) if {digits} else {other}"]
    if kind == "decimal":
        sane = f"{target}.is_finite() and {-_MAX_DIGITS} < {target}.adjusted() < {_MAX_DIGITS}"
        return [
            f"if v.__class__ is str and 0 < len(v) <= {_MAX_DIGITS}:",
            "    try:",
            f"        {target} = DEC(v)",
            "    except DecimalError:",
            f"        {target} = {convert}(v)",
            "    else:",
            f"        if not ({sane}):",
            f"            {target} = {convert}(v)",  # refuses it
            "else:",
            f"    {target} = {other}",
        ]
    if kind == "datetime":
        # DD.MM.YYYY hh:mm:ss. The C parser checks the digits; the colons at 13 and 16 keep
        # a time zone offset (HH+hh:mm) out, so no date reads as an aware datetime.
        api_date = 'v.__class__ is str and len(v) == 19 and v[13] == v[16] == ":"'
        return [
            f"if {api_date}:",
            "    try:",  # rearranged for the C parser, which checks the digits
            f'        {target} = ISO(f"{{v[6:10]}}-{{v[3:5]}}-{{v[0:2]}}T{{v[11:]}}")',
            "    except ValueError:",
            f"        {target} = {convert}(v)",
            "else:",
            f"    {target} = {other}",
        ]
    if strip:
        return [f"{target} = {convert}(v.strip()) if v.__class__ is str else {other}"]
    return [f"{target} = {other}"]


class Record:
    """The builders of one result struct: ``from_dict`` (a record of wire names to text or
    JSON values), ``from_parts(names)`` (positional text), and the msgspec route for JSON
    (``json_decoder(many)`` and ``from_twin``)."""

    def __init__(self, cls: type[msgspec.Struct]) -> None:
        self.cls = cls
        fields = []
        for info in msgspec.structs.fields(cls):
            # A list field may default to an empty list (msgspec.field(default_factory=list)).
            empty_list = info.default_factory is list and _list_item(info.type) is not None
            if (info.default is not None and info.default is not msgspec.NODEFAULT) or (
                info.default_factory is not msgspec.NODEFAULT and not empty_list
            ):
                raise TypeError(
                    f"{cls.__name__}.{info.name}: result fields default to None (a list field to [])"
                )
            convert, kind = converter(info.type, f"{cls.__name__}.{info.encode_name}")
            if empty_list:
                convert = _or_empty_list(convert)
            fields.append(
                _Field(
                    info.name,
                    info.encode_name,
                    info.type,
                    required=info.required,
                    convert=convert,
                    kind=kind,
                    empty_list=empty_list,
                )
            )
        self.fields = tuple(fields)
        lines = ["g = d.get"]
        for i, f in enumerate(self.fields):
            lines += [f"v = g({f.wire!r})", *_set(f"x{i}", f.kind, f"c{i}", optional=f.optional)]
        self.from_dict: Callable[[dict[str, Any]], Any] = self._build(
            "from_dict", "d", lines, range(len(fields))
        )
        self._parts: dict[tuple[tuple[str, ...], int | None], Callable[[list[str]], Any]] = {}
        self._twin: tuple[type, Callable[[Any], Any] | None] | None = None
        self._lenient: tuple[type, Callable[[Any], dict[str, Any]]] | None = None

    def _build(
        self,
        name: str,
        arg: str,
        lines: list[str],
        present: Iterable[int],
        names: dict[str, Any] | None = None,
    ) -> Any:
        """``lines`` set ``x<i>`` for the fields ``present``; the function returns the struct.
        ``c<i>`` is field i's converter; ``names`` adds more."""
        namespace: dict[str, Any] = {
            "R": self.cls,
            "ISO": dt.datetime.fromisoformat,
            "DEC": Decimal,
            "DecimalError": DecimalError,
            **(names or {}),
        }
        namespace.update((f"c{i}", f.convert) for i, f in enumerate(self.fields))
        args = ", ".join(f"{self.fields[i].attr}=x{i}" for i in present)
        return _compile(name, arg, [*lines, f"return R({args})"], namespace)

    def from_parts(self, names: tuple[str, ...], free: int | None = None) -> Callable[[list[str]], Any]:
        """The builder of a positional record whose values are named ``names``: a shorter
        record leaves the last ones absent, names the struct does not know are skipped, text
        is stripped but for the free-text value at index ``free``."""
        key = (names, free)
        build = self._parts.get(key)
        if build is None:
            build = self._parts[key] = self._compile_parts(names, free)
        return build

    def _compile_parts(self, names: tuple[str, ...], free: int | None) -> Callable[[list[str]], Any]:
        absent = [f.wire for f in self.fields if f.required and f.wire not in names]
        if absent:
            raise TypeError(f"{self.cls.__name__}: layout {names} lacks required {absent}")
        index = {f.wire: i for i, f in enumerate(self.fields)}
        lines = [f"if len(p) < {len(names)}:", f"    p = [*p, *{[None] * len(names)!r}[len(p):]]"]
        present = []
        for position, name in enumerate(names):
            i = index.get(name)
            if i is None:
                continue
            present.append(i)
            f = self.fields[i]
            lines += [
                f"v = p[{position}]",
                *_set(f"x{i}", f.kind, f"c{i}", optional=f.optional, strip=position != free),
            ]
        return self._build("from_parts", "p", lines, present)  # type: ignore[no-any-return]

    def held(self) -> list[tuple[str, Record]]:
        """The records this one's fields hold (one or a list): the field's wire name and the
        builders of those records."""
        held = []
        for f in self.fields:
            kinds, _ = _members(_unannotated(f.tp)[0])
            inner = _list_item(kinds[0]) or kinds[0]
            if _is_struct(inner):
                held.append((f.wire, record(inner)))
        return held

    # -- the msgspec route ------------------------------------------------------------------

    def twin(self) -> tuple[type, Callable[[Any], Any] | None]:
        """The type msgspec decodes JSON into, and the function from it to the result (None
        when the result itself is that type)."""
        if self._twin is None:
            self._twin = self._make_twin()
        return self._twin

    def _make_twin(self) -> tuple[type, Callable[[Any], Any] | None]:
        twin_fields: list[tuple[str, Any, Any]] = []
        lines: list[str] = []
        fixes: dict[str, Converter] = {}
        args = []
        for i, f in enumerate(self.fields):
            twin_type, fix = _twin_field(f.tp, f"{self.cls.__name__}.{f.wire}")
            if f.required:
                default = msgspec.field(name=f.wire)
            elif f.empty_list:
                default = msgspec.field(default_factory=list, name=f.wire)
            else:
                default = msgspec.field(default=None, name=f.wire)
            twin_fields.append((f.attr, twin_type, default))
            if fix is None:
                args.append(f"{f.attr}=w.{f.attr}")
                continue
            fixes[f"f{i}"] = fix
            args.append(f"{f.attr}=x{i}")
            lines.append(f"v = w.{f.attr}")
            if f.kind == "decimal":  # msgspec read it; an amount of absurd size is left to refuse
                amount = f"v.is_finite() and {-_MAX_DIGITS} < v.adjusted() < {_MAX_DIGITS}"
                lines.append(f"x{i} = v if v is None or {amount} else f{i}(v)")
            else:
                kind = "datetime" if f.kind == "datetime" else "other"
                lines += _set(f"x{i}", kind, f"f{i}", optional=f.optional)
        if not fixes:
            return self.cls, None
        twin = msgspec.defstruct(f"{self.cls.__name__}Wire", twin_fields, kw_only=True, frozen=True)
        namespace: dict[str, Any] = {"R": self.cls, "ISO": dt.datetime.fromisoformat, **fixes}
        convert = _compile("from_twin", "w", [*lines, f"return R({', '.join(args)})"], namespace)
        return twin, convert

    def lenient(self) -> tuple[type, Callable[[Any], dict[str, Any]]]:
        """For JSON the twin refuses: a struct of the record's wire names that msgspec fills
        with raw values, and the function from it to the record dict ``from_dict`` reads.
        msgspec skips unknown keys unread and stops at a record without a required name, so
        a hostile body allocates no more than the records it can hold."""
        if self._lenient is None:
            self._lenient = self._make_lenient()
        return self._lenient

    def _make_lenient(self) -> tuple[type, Callable[[Any], dict[str, Any]]]:
        fields: list[tuple[str, Any, Any]] = []
        reads: list[tuple[str, str, Converter]] = []
        for f in self.fields:
            default = msgspec.field(default=msgspec.NODEFAULT if f.required else _ABSENT, name=f.wire)
            fields.append((f.attr, msgspec.Raw, default))
            reads.append((f.attr, f.wire, _lenient_read(f.tp)))
        # gc=False: it holds raw values only.
        name = f"{self.cls.__name__}Lenient"
        lenient = msgspec.defstruct(name, fields, kw_only=True, frozen=True, gc=False)

        def to_dict(value: Any) -> dict[str, Any]:
            found = {}
            for attr, wire, read in reads:
                raw = getattr(value, attr)
                if raw:
                    found[wire] = read(raw)
            return found

        return lenient, to_dict

    @cache  # noqa: B019 -- one decoder per (struct, many), for the life of the struct
    def json_decoder(self, many: bool) -> msgspec.json.Decoder[Any]:
        twin, _ = self.twin()
        # Strict: what msgspec reads, the converters read alike ("5" for an int, "null",
        # "1e3" are left to them; amounts are checked after, by the twin's fix).
        return msgspec.json.Decoder(list[twin] if many else twin)  # type: ignore[valid-type]


def _twin_field(tp: Any, what: str) -> tuple[Any, Converter | None]:
    """The type a field takes in the JSON twin and the fix from it to ``tp`` (None: same)."""
    plain, empty_is_none = _unannotated(tp)
    if empty_is_none:
        return plain, converter(tp, what)[0]
    kinds, optional = _members(plain)
    none: tuple[Any, ...] = (type(None),) if optional else ()
    if set(kinds) == {int, str}:
        return tp, converter(plain, what)[0]
    kind = kinds[0]
    if kind is dt.datetime or kind is dt.date:
        return typing.Union[(str, *none)], converter(plain, what)[0]
    if kind is Decimal:
        return tp, _amount_or_none if optional else _amount
    item = _list_item(kind)
    if item is not None and _is_struct(item):
        twin, convert = record(item).twin()
        if convert is None:
            return tp, None
        return typing.Union[(list[twin], *none)], _each(convert)  # type: ignore[valid-type]
    if _is_struct(kind):
        twin, convert = record(kind).twin()
        if convert is None:
            return tp, None
        return typing.Union[(twin, *none)], _maybe(convert)
    return tp, None


_ABSENT = msgspec.Raw()  # an optional name the record lacks (empty, so false)


def _lenient_read(tp: Any) -> Converter:
    """From a field's raw JSON value to what ``from_dict`` reads: a scalar as it is; an array
    or object only where records (or a list) belong, read as the lenient records they must
    be (a list of one may come as a lone record, as XML writes it)."""
    kinds, _ = _members(_unannotated(tp)[0])
    item = _list_item(kinds[0])
    nested = item if item is not None else kinds[0]
    if _is_struct(nested):
        lenient, to_dict = record(nested).lenient()
        decoder = msgspec.json.Decoder(list[lenient] | lenient)  # type: ignore[valid-type]
        return _nested(decoder, to_dict)
    if item is not None:
        return _value_list
    return read_raw


_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
# A list of values (not of records): any JSON scalar. A container where a value belongs stops
# the decode at once, before a flood of ``{}`` items is kept (the converters refuse it anyway).
_VALUE_LIST = msgspec.json.Decoder(list[str | int | float | bool | None])


def _value_list(raw: msgspec.Raw) -> Any:
    """A raw list of values as ``read_raw`` reads each; a lone value as it is."""
    if memoryview(raw)[0] != 0x5B:  # [
        return read_raw(raw)  # the converter says whether it may be one
    try:
        values = _VALUE_LIST.decode(raw)
    except msgspec.ValidationError as exc:  # a container, or a number beyond a float's range
        raise ConvertError(str(exc)) from None
    if any(v.__class__ is float for v in values):
        # Only scalars, so this second pass is bounded: numbers read exactly (Decimal).
        return [read_raw(v) for v in _RAW_LIST.decode(raw)]
    return values


def _nested(decoder: msgspec.json.Decoder[Any], read: Converter) -> Converter:
    def nested(raw: msgspec.Raw) -> Any:
        if memoryview(raw)[0] not in b"[{":
            return read_raw(raw)  # not a container: the converter says whether it may be
        try:
            value = decoder.decode(raw)
        except msgspec.ValidationError as exc:
            raise ConvertError(str(exc)) from None
        return [read(v) for v in value] if value.__class__ is list else read(value)

    return nested


def _each(convert: Converter) -> Converter:
    def fix(values: list[Any] | None) -> list[Any] | None:
        return None if values is None else [convert(v) for v in values]

    return fix


def _maybe(convert: Converter) -> Converter:
    def fix(value: Any) -> Any:
        return None if value is None else convert(value)

    return fix


@cache
def record(cls: type[msgspec.Struct]) -> Record:
    """The builders of result struct ``cls`` (made on first use, then kept)."""
    return Record(cls)
