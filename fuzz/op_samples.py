"""Op instances and seed bodies for every op id in ``OPS``, shared by the fuzz harnesses and
the property tests (tests/property_support.py).

Everything is generic over ``OPS``: an op added later is covered as soon as it is registered.
Instances come from the conformance fixtures (``OPS[op].from_params(input, fmt)``, which may
build another class of the op id: ``status`` with several ids is a ``StatusBatch``) and, so
that an op without fixtures is still covered, from parameters synthesised from the field
types of every class registered under the op id. Example::

    for sample in op_samples():
        sample.op.decode(HttpResponse(200, {}, b"OK"))
"""

from __future__ import annotations

import base64
import collections.abc
import datetime as dt
import enum
import json
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi

from smsc_proto import OPS, HttpResponse, InvalidParameter, Op
from smsc_proto.http import charset_of

__all__ = [
    "FIXTURES_DIR",
    "FixtureCase",
    "Sample",
    "Seed",
    "Variant",
    "build_op",
    "is_file_op",
    "load_fixtures",
    "result_type_problem",
    "op_classes",
    "op_samples",
    "op_variants",
    "records_of",
    "result_fields",
    "seed_bodies",
    "synth_params",
    "synth_result",
    "type_problem",
    "variant_of",
]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = ROOT / "conformance" / "fixtures"
FMTS = (0, 1, 2, 3)
# An op id with many fixtures still gets at most this many distinct instances per fmt.
MAX_VARIANTS = 8


@dataclass(frozen=True)
class FixtureCase:
    """One readable conformance fixture, its response body as the bytes on the wire."""

    name: str
    op_id: str
    input: Mapping[str, Any]
    fmt: int
    status: int
    headers: Mapping[str, str]
    body: bytes
    expect: Mapping[str, Any]


@dataclass(frozen=True)
class Sample:
    """One op instance to test: ``label`` names its op id, fmt and where it came from."""

    label: str
    op_id: str
    fmt: int
    op: Op[Any]
    # Index of the op's parameters in ``op_variants(op_id)``.
    variant: int


def _wire_body(response: Mapping[str, Any], headers: Mapping[str, str]) -> bytes:
    if "body_base64" in response:
        return base64.b64decode(response["body_base64"])
    text = str(response.get("body", ""))
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    charset = charset_of(content_type) or "utf-8"
    try:
        return text.encode(charset)
    except (UnicodeError, LookupError):
        return text.encode("utf-8")


@cache
def load_fixtures(root: Path = FIXTURES_DIR) -> tuple[FixtureCase, ...]:
    """Every fixture this codec can read; broken ones are the conformance runner's business."""
    cases = []
    for path in sorted(root.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            response = data["response"]
            headers = {str(k): str(v) for k, v in (response.get("headers") or {}).items()}
            case = FixtureCase(
                name=str(path.relative_to(root)),
                op_id=str(data["op"]),
                input=dict(data.get("input") or {}),
                fmt=int(data["fmt"]),
                status=int(response["status"]),
                headers=headers,
                body=_wire_body(response, headers),
                expect=dict(data.get("expect") or {}),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if case.op_id in OPS:
            cases.append(case)
    return tuple(cases)


def build_op(variant: Variant, fmt: int) -> Op[Any] | None:
    """The op ``variant`` describes, asking for ``fmt``; None when its parameters are refused."""
    try:
        return variant.cls.from_params(variant.params, fmt)
    except (InvalidParameter, ValueError, TypeError):
        return None


# -- synthesised values ----------------------------------------------------------------------

_EPOCH = dt.datetime(2024, 1, 2, 3, 4, 5)


def synth_value(t: mi.Type, *, full: bool = True) -> Any:
    """A plain valid value of type ``t`` (msgspec.inspect), the same every time."""
    if isinstance(t, mi.UnionType):
        members = [m for m in t.types if not isinstance(m, mi.NoneType)]
        return synth_value(members[0], full=full) if members else None
    if isinstance(t, mi.NoneType):
        return None
    if isinstance(t, mi.BoolType):
        return True
    if isinstance(t, mi.IntType):
        low = t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else 1)
        return max(low, 1) if t.le is None or t.le >= 1 else low
    if isinstance(t, mi.FloatType):
        return 1.0
    if isinstance(t, mi.DecimalType):
        return Decimal("12.50")
    if isinstance(t, mi.StrType):
        return "79991234567"
    if isinstance(t, (mi.BytesType, mi.ByteArrayType)):
        return b"%PDF-1.4\n%%EOF\n"
    if isinstance(t, mi.LiteralType):
        return t.values[0]
    if isinstance(t, mi.EnumType):
        return next(iter(t.cls))
    if isinstance(t, mi.DateTimeType):
        return _EPOCH
    if isinstance(t, mi.DateType):
        return _EPOCH.date()
    if isinstance(t, (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType)):
        return [synth_value(t.item_type, full=full)]
    if isinstance(t, mi.TupleType):
        return [synth_value(item, full=full) for item in t.item_types]
    if isinstance(t, mi.DictType):
        return {synth_value(t.key_type, full=full): synth_value(t.value_type, full=full)}
    if isinstance(t, mi.StructType):
        return synth_result(t.cls, full=full)
    return "1"


def synth_result(kind: Any, *, full: bool = True) -> Any:
    """A result of ``kind`` (a Struct or ``list[Struct]``): every field filled when ``full``,
    else the required ones only."""
    t = mi.type_info(kind)
    if isinstance(t, mi.StructType):
        values = {
            f.name: synth_value(f.type, full=full) for f in t.fields if f.required or (full and _optional(f))
        }
        return t.cls(**values)
    return synth_value(t, full=full)


def _optional(field: mi.Field) -> bool:
    return not isinstance(field.type, mi.NoneType)


def _param_fields(cls: type[Op[Any]]) -> dict[str, mi.Field]:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return {f.encode_name: f for f in info.fields if f.name not in ("fmt", "extra")}


def synth_params(cls: type[Op[Any]]) -> dict[str, Any] | None:
    """Wire parameters ``cls`` accepts: its required fields, then whatever its validation
    asks for, one field at a time. None when no such set is found."""
    fields = _param_fields(cls)
    params = {name: _param_value(f.type) for name, f in fields.items() if f.required}
    for _ in range(len(fields) + 1):
        try:
            cls.from_params(params, 3)
        except InvalidParameter as exc:
            named = [n.strip() for n in exc.field.replace(" or ", ",").split(",")]
            missing = [n for n in named if n in fields and n not in params]
            if not missing:
                return None
            params[missing[0]] = _param_value(fields[missing[0]].type)
            continue
        except (ValueError, TypeError):
            return None
        return params
    return None


def _param_value(t: mi.Type) -> Any:
    value = synth_value(t)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return str(value)
    return value


# -- samples ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One set of parameters of an op id: ``cls.from_params(params, fmt)`` builds it. ``cls``
    is ``OPS[op_id]`` for fixture inputs (its ``from_params`` may build another class of the
    op id) and each class registered under the op id for synthesised ones."""

    source: str
    cls: type[Op[Any]]
    params: Mapping[str, Any]


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@cache
def op_classes(op_id: str) -> tuple[type[Op[Any]], ...]:
    """Every op class declaring ``op_id`` (``OPS[op_id]`` first): ``status`` has ``Status``
    and ``StatusBatch``."""
    first = OPS[op_id]
    found: dict[type[Op[Any]], None] = {first: None}
    for cls in _subclasses(Op):
        if cls.__dict__.get("op_id") == op_id:
            found[cls] = None
    return tuple(found)


def _key(cls: type, params: Mapping[str, Any]) -> str:
    return f"{cls.__qualname__}:{json.dumps(params, sort_keys=True, default=str)}"


@cache
def op_variants(op_id: str) -> tuple[Variant, ...]:
    """Distinct parameter sets of ``op_id``: fixture inputs first, then synthesised ones (one
    per class of the op id)."""
    seen: set[str] = set()
    out: list[Variant] = []
    main = OPS[op_id]
    candidates: list[tuple[str, type[Op[Any]], Mapping[str, Any] | None]] = [
        (case.name.removesuffix(".json"), main, case.input) for case in load_fixtures() if case.op_id == op_id
    ]
    for cls in op_classes(op_id):
        source = "synth" if cls is main else f"synth-{cls.__name__}"
        candidates.append((source, cls, synth_params(cls)))
    for source, cls, params in candidates:
        if params is None:
            continue
        key = _key(cls, params)
        if key in seen:
            continue
        seen.add(key)
        out.append(Variant(source, cls, params))
    return tuple(out)


def variant_of(op_id: str, params: Mapping[str, Any]) -> int:
    """The index of the fixture parameters ``params`` in ``op_variants(op_id)`` (0 when absent)."""
    key = _key(OPS[op_id], params)
    for index, variant in enumerate(op_variants(op_id)):
        if _key(variant.cls, variant.params) == key:
            return index
    return 0


def is_file_op(op: Op[Any]) -> bool:
    """A file op (documents, downloads.get_file): it decodes bytes and has no record shape."""
    from smsc_proto import FileOp

    return isinstance(op, FileOp)


def _shape_key(op: Op[Any]) -> tuple[Any, ...]:
    # Instances whose decoding depends on nothing but (fmt, shape, result type) are one sample.
    if is_file_op(op):
        return (type(op), op.fmt, repr(op))
    return (type(op), op.fmt, id(op.result_shape()), repr(op.result_type))


@cache
def op_samples() -> tuple[Sample, ...]:
    """One sample per distinct (op id, fmt, class, result shape), over every op in ``OPS``."""
    samples: list[Sample] = []
    for op_id in OPS:
        seen: set[tuple[Any, ...]] = set()
        for fmt in FMTS:
            count = 0
            for index, variant in enumerate(op_variants(op_id)):
                op = build_op(variant, fmt)
                if op is None:
                    continue
                key = _shape_key(op)
                if key in seen:
                    continue
                seen.add(key)
                samples.append(Sample(f"{op_id}-fmt{fmt}-params:{variant.source}", op_id, fmt, op, index))
                count += 1
                if count >= MAX_VARIANTS:
                    break
    return tuple(samples)


def samples_for(op_id: str) -> list[Sample]:
    return [s for s in op_samples() if s.op_id == op_id]


def _renders(op: Op[Any], fmt: int) -> Iterator[HttpResponse]:
    for full in (False, True):
        try:
            yield op.render(synth_result(op.result_type, full=full), fmt)
        except Exception:
            continue
    for code, message_id in ((1, None), (2, None), (3, 1234), (9, None), (7, "abc.1")):
        yield op.render_error(code, "error text", fmt, message_id=message_id)


@dataclass(frozen=True)
class Seed:
    """A response to start fuzzing from, for the op instance ``variant`` asked in ``fmt``."""

    fmt: int
    headers: Mapping[str, str]
    status: int
    variant: int
    body: bytes


def seed_bodies(op_id: str) -> list[Seed]:
    """The fixtures' responses, then rendered results (files, for file ops) and error
    envelopes of every sample of ``op_id`` in every fmt, with the headers ``render`` gives."""
    out: list[Seed] = []
    for case in load_fixtures():
        if case.op_id == op_id:
            out.append(Seed(case.fmt, case.headers, case.status, variant_of(op_id, case.input), case.body))
    seen: set[bytes] = {seed.body for seed in out}
    for sample in samples_for(op_id):
        for response in _renders(sample.op, sample.fmt):
            if response.body not in seen:
                seen.add(response.body)
                out.append(
                    Seed(sample.fmt, dict(response.headers), response.status, sample.variant, response.body)
                )
    return out


# -- what a decoder may return ---------------------------------------------------------------


def result_fields(result_type: Any) -> list[str]:
    """The wire names of the members of a result struct (or of the items of a list of them),
    nested structs included; none for anything else (a file's rows)."""
    tp = _item_type(result_type)
    if not (isinstance(tp, type) and issubclass(tp, msgspec.Struct)):
        return []
    names: list[str] = []
    for f in msgspec.structs.fields(tp):
        names.append(f.encode_name)
        for member in typing.get_args(f.type) or (f.type,):
            if member is not tp:
                names.extend(n for n in result_fields(member) if n not in names)
    return names


def records_of(result: Any) -> list[Any]:
    """A list result's items, or a single result as one record (what a stream decoder yields)."""
    return list(result) if isinstance(result, list) else [result]


def _item_type(tp: Any) -> Any:
    if typing.get_origin(tp) in (list, tuple, collections.abc.Sequence):
        args = typing.get_args(tp)
        return args[0] if args else Any
    return tp


def type_problem(value: Any, tp: Any, where: str = "result") -> str | None:
    """Why ``value`` is not a valid value of ``tp`` (None when it is), looking inside structs,
    lists and dicts: each struct field must hold its declared type, an ``int`` is no
    ``bool``, a ``date`` no ``datetime``, and a ``Decimal`` is finite (an amount)."""
    if tp is Any:
        return None
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return type_problem(value, typing.get_args(tp)[0], where)
    if origin is typing.Union or origin is types.UnionType:
        problems = [type_problem(value, member, where) for member in typing.get_args(tp)]
        return None if None in problems else f"{where}: {value!r} is none of {tp!r}"
    if origin is typing.Literal:
        allowed = typing.get_args(tp)
        ok = any(value == a and type(value) is type(a) for a in allowed)
        return None if ok else f"{where}: {value!r} is not one of {allowed!r}"
    if origin in (list, tuple, collections.abc.Sequence):
        expected = list if origin is collections.abc.Sequence else origin
        if not isinstance(value, expected):
            return f"{where}: {type(value).__name__} is not a {expected.__name__}"
        item = _item_type(tp)
        for i, v in enumerate(value):
            problem = type_problem(v, item, f"{where}[{i}]")
            if problem is not None:
                return problem
        return None
    if origin is dict:
        if not isinstance(value, dict):
            return f"{where}: {type(value).__name__} is not a dict"
        key_type, value_type = typing.get_args(tp) or (Any, Any)
        for k, v in value.items():
            problem = type_problem(k, key_type, f"{where} key")
            problem = problem or type_problem(v, value_type, f"{where}[{k!r}]")
            if problem is not None:
                return problem
        return None
    if origin is not None:
        return None if isinstance(value, origin) else f"{where}: {value!r} is not a {tp!r}"
    if tp is type(None):
        return None if value is None else f"{where}: {value!r} is not None"
    if not isinstance(value, tp):
        return f"{where}: {type(value).__name__} {value!r} is not a {getattr(tp, '__name__', tp)}"
    if tp is int and isinstance(value, bool):
        return f"{where}: bool {value!r} is not an int"
    if tp is dt.date and isinstance(value, dt.datetime):
        return f"{where}: datetime {value!r} is not a date"
    if tp is Decimal and not value.is_finite():
        return f"{where}: {value!r} is not a finite amount"
    if isinstance(value, msgspec.Struct):
        for f in msgspec.structs.fields(value):
            problem = type_problem(getattr(value, f.name), f.type, f"{where}.{f.name}")
            if problem is not None:
                return problem
    return None


def result_type_problem(op: Op[Any], value: Any, *, record: bool = False) -> str | None:
    """Why ``value`` (a whole result, or with ``record`` one streamed record) is not of
    ``op.result_type``; None when it is."""
    tp = op.result_type
    if record and typing.get_origin(tp) is list:
        tp = _item_type(tp)
    return type_problem(value, tp)
