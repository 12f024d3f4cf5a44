"""Op instances and seed bodies for every op id in ``OPS``, shared by the fuzz harnesses and
the property tests (tests/property_support.py).

Everything is generic over ``OPS``: an op added later is covered as soon as it is registered.
Instances come from the conformance fixtures (``OPS[op].from_params(input, fmt)``) and, so
that an op without fixtures is still covered, from parameters synthesised from the op's own
field types. Example::

    for sample in op_samples():
        sample.op.decode(HttpResponse(200, {}, b"OK"))
"""

from __future__ import annotations

import base64
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

import msgspec.inspect as mi

from smsc_proto import OPS, InvalidOperation, Op
from smsc_proto.http import charset_of

__all__ = [
    "FIXTURES_DIR",
    "FixtureCase",
    "Sample",
    "Seed",
    "build_op",
    "matches_result_kind",
    "records_of",
    "load_fixtures",
    "op_samples",
    "op_variants",
    "seed_bodies",
    "synth_params",
    "synth_result",
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
    op: Op
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


def build_op(op_id: str, params: Mapping[str, Any], fmt: int) -> Op | None:
    """``OPS[op_id].from_params(params, fmt)``, or None when those parameters are refused."""
    try:
        return OPS[op_id].from_params(params, fmt)
    except (InvalidOperation, ValueError, TypeError):
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


def _param_fields(cls: type[Op]) -> dict[str, mi.Field]:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return {f.encode_name: f for f in info.fields if f.name not in ("fmt", "extra")}


def synth_params(cls: type[Op]) -> dict[str, Any] | None:
    """Wire parameters ``cls`` accepts: its required fields, then whatever its validation
    asks for, one field at a time. None when no such set is found."""
    fields = _param_fields(cls)
    params = {name: _param_value(f.type) for name, f in fields.items() if f.required}
    for _ in range(len(fields) + 1):
        try:
            cls.from_params(params, 3)
        except InvalidOperation as exc:
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


@cache
def op_variants(op_id: str) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """Distinct (source, parameters) for ``op_id``: fixture inputs first, then synthesised."""
    seen: set[str] = set()
    out: list[tuple[str, Mapping[str, Any]]] = []
    candidates: list[tuple[str, Mapping[str, Any] | None]] = [
        (case.name.removesuffix(".json"), case.input) for case in load_fixtures() if case.op_id == op_id
    ]
    candidates.append(("synth", synth_params(OPS[op_id])))
    for source, params in candidates:
        if params is None:
            continue
        key = json.dumps(params, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        out.append((source, params))
    return tuple(out)


def variant_of(op_id: str, params: Mapping[str, Any]) -> int:
    """The index of ``params`` in ``op_variants(op_id)`` (0 when absent)."""
    key = json.dumps(params, sort_keys=True, default=str)
    for index, (_, known) in enumerate(op_variants(op_id)):
        if json.dumps(known, sort_keys=True, default=str) == key:
            return index
    return 0


def _shape_key(op: Op) -> tuple[Any, ...]:
    # Instances whose decoding depends on nothing but (fmt, shape, result kind) are one sample.
    try:
        shape = op.result_shape()
        kind = op.result_kind()
    except Exception:
        return (type(op), op.fmt, repr(op))
    return (type(op), op.fmt, id(shape), repr(kind))


@cache
def op_samples() -> tuple[Sample, ...]:
    """One sample per distinct (op id, fmt, result shape), over every op in ``OPS``."""
    samples: list[Sample] = []
    for op_id in OPS:
        seen: set[tuple[Any, ...]] = set()
        for fmt in FMTS:
            count = 0
            for variant, (source, params) in enumerate(op_variants(op_id)):
                op = build_op(op_id, params, fmt)
                if op is None:
                    continue
                key = _shape_key(op)
                if key in seen:
                    continue
                seen.add(key)
                samples.append(Sample(f"{op_id}-fmt{fmt}-params:{source}", op_id, fmt, op, variant))
                count += 1
                if count >= MAX_VARIANTS:
                    break
    return tuple(samples)


def samples_for(op_id: str) -> list[Sample]:
    return [s for s in op_samples() if s.op_id == op_id]


def _renders(op: Op, fmt: int) -> Iterator[str]:
    for full in (False, True):
        try:
            yield op.render(synth_result(op.result_kind(), full=full), fmt)
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
    """The fixtures' responses, then rendered results and error envelopes of every sample
    of ``op_id`` in every fmt."""
    out: list[Seed] = []
    for case in load_fixtures():
        if case.op_id == op_id:
            out.append(Seed(case.fmt, case.headers, case.status, variant_of(op_id, case.input), case.body))
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    seen: set[bytes] = {seed.body for seed in out}
    for sample in samples_for(op_id):
        for text in _renders(sample.op, sample.fmt):
            body = text.encode("utf-8")
            if body not in seen:
                seen.add(body)
                out.append(Seed(sample.fmt, headers, 200, sample.variant, body))
    return out


# -- what a decoder may return ---------------------------------------------------------------


def records_of(result: Any) -> list[Any]:
    """A list result's items, or a single result as one record (what a stream decoder yields)."""
    return list(result) if isinstance(result, list) else [result]


def _item_kind(kind: Any) -> Any:
    if typing.get_origin(kind) in (list, tuple):
        args = typing.get_args(kind)
        return args[0] if args else Any
    return kind


def _is_instance(value: Any, kind: Any) -> bool:
    if kind is Any:
        return True
    origin = typing.get_origin(kind)
    if origin in (list, tuple):
        item = _item_kind(kind)
        return isinstance(value, origin) and all(_is_instance(v, item) for v in value)
    if origin is typing.Union or origin is types.UnionType:
        return any(_is_instance(value, k) for k in typing.get_args(kind))
    if origin is typing.Literal:
        return value in typing.get_args(kind)
    if origin is not None:
        return isinstance(value, origin)
    return isinstance(value, kind)


def matches_result_kind(op: Op, value: Any, *, record: bool = False) -> bool:
    """Whether ``value`` (a whole result, or with ``record`` one streamed record) has the
    op's type. ``result_kind()`` is what the shared text path decodes; an op whose
    ``decode`` wraps more around it (documents: JSON part + PDF) returns ``result_type``."""
    kinds = [op.result_kind(), op.result_type]
    if record:
        kinds += [_item_kind(k) for k in kinds]
    return any(_is_instance(value, k) for k in kinds)
