"""Strategies and checks for tests/test_properties.py, generic over every op in ``OPS``.

Op instances and seed bodies come from fuzz/op_samples.py (shared with the fuzz harnesses):
the conformance fixtures plus parameters synthesised per op class, for every fmt. Result
strategies are derived from ``op.result_type`` (msgspec types), constrained to what the wire
can carry::

    strategy = result_strategy(op)
    response = op.render(strategy.example(), 0)  # an HttpResponse; a file for file ops
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi
from hypothesis import strategies as st

from smsc_proto import DecodeError, FileOp, HttpResponse, Op, SmscError
from smsc_proto.enums import OpenIntEnum
from smsc_proto.formats.pdf import PDF_MAGIC
from smsc_proto.formats.text import Either, Fields, Pairs, Pattern, Token
from smsc_proto.list_stream import ListStreamDecoder
from smsc_proto.shape import Shape
from smsc_proto.streaming import StreamDecoder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))

import harness as fuzz_harness
import inputs as fuzz_inputs
from op_samples import (
    FixtureCase,
    Sample,
    is_file_op,
    load_fixtures,
    op_classes,
    op_samples,
    records_of,
    result_fields,
    result_type_problem,
    seed_bodies,
    synth_result,
)

__all__ = [
    "CODEC_ERRORS",
    "FixtureCase",
    "Outcome",
    "Sample",
    "assert_records_type",
    "assert_result_type",
    "carried_fields",
    "chunk_cuts",
    "compare_carried",
    "decode_outcome",
    "error_descriptions",
    "examples_per_case",
    "fixtures",
    "fuzz_harness",
    "fuzz_inputs",
    "wire_json_bodies",
    "wire_json_record",
    "headers_strategy",
    "is_file_op",
    "junk_bodies",
    "message_ids",
    "op_classes",
    "records_of",
    "result_strategy",
    "samples",
    "seed_bodies",
    "split",
    "statuses",
    "stream_outcome",
    "synth_result",
]

# The only exceptions a decoder may raise, on any input.
CODEC_ERRORS = (SmscError, DecodeError)


def samples() -> tuple[Sample, ...]:
    return op_samples()


def fixtures() -> tuple[FixtureCase, ...]:
    return load_fixtures()


# SMSC_PROPERTY_SCALE=20 makes every property try twenty times as many examples (a long
# local hunt); the default keeps the file fast on a shared machine.
SCALE = max(1, int(os.environ.get("SMSC_PROPERTY_SCALE", "1") or "1"))


def examples_per_case(cases: int, total: int, low: int = 5, high: int = 100) -> int:
    """Hypothesis examples per parametrised case so a property costs about ``total`` examples
    however many ops and fixtures there are (times ``SCALE``)."""
    return max(low, min(high, total // max(cases, 1))) * SCALE


# -- running decoders ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a decoder made of a body: ``records`` (list results flattened) or ``error``."""

    records: list[Any] | None
    error: BaseException | None

    def same_as(self, other: Outcome) -> bool:
        if self.error is not None or other.error is not None:
            return _same_error(self.error, other.error)
        return self.records == other.records

    def describe(self) -> str:
        return f"error {self.error!r}" if self.error is not None else f"records {self.records!r}"


def _same_error(a: BaseException | None, b: BaseException | None) -> bool:
    if a is None or b is None or type(a) is not type(b):
        return False
    if isinstance(a, SmscError) and isinstance(b, SmscError):
        return (a.code, a.description, a.message_id) == (b.code, b.description, b.message_id)
    return True


def decode_outcome(op: Op[Any], response: HttpResponse) -> tuple[Any, Outcome]:
    """``op.decode``; anything but a codec error propagates (and fails the test)."""
    try:
        result = op.decode(response)
    except CODEC_ERRORS as exc:
        return None, Outcome(None, exc)
    return result, Outcome(records_of(result), None)


def stream_outcome(
    op: Op[Any], response: HttpResponse, chunks: Iterable[bytes], *, eager: bool = False
) -> Outcome:
    """``op.stream_decoder`` fed ``chunks``, then closed; records from every call. ``eager``:
    a list op's decoder cuts records from the first character and decodes each on its own
    (no body is short enough to be decoded whole)."""
    head = HttpResponse(response.status, response.headers, b"")
    records: list[Any] = []
    try:
        if eager and not isinstance(op, FileOp) and op.result_shape().many:
            decoder: StreamDecoder[Any] = ListStreamDecoder(op, head, head_chars=0, batch_chars=1)
        else:
            decoder = op.stream_decoder(head)
        for chunk in chunks:
            records.extend(decoder.feed(chunk))
        records.extend(decoder.close())
    except CODEC_ERRORS as exc:
        return Outcome(None, exc)
    return Outcome(records, None)


def split(body: bytes, cuts: Sequence[int]) -> list[bytes]:
    """``body`` cut at the given offsets (taken modulo its length, sorted)."""
    if not body:
        return [b""] if not cuts else [b"" for _ in cuts]
    points = sorted({c % (len(body) + 1) for c in cuts})
    out, start = [], 0
    for p in [*points, len(body)]:
        out.append(body[start:p])
        start = p
    return out


def chunk_cuts() -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=12)


def assert_result_type(op: Op[Any], result: Any) -> None:
    problem = result_type_problem(op, result)
    assert problem is None, f"{op.op_id}: {result!r} is not a {op.result_type!r}: {problem}"


def assert_records_type(op: Op[Any], records: Sequence[Any]) -> None:
    for record in records:
        problem = result_type_problem(op, record, record=True)
        assert problem is None, f"{op.op_id}: streamed {record!r} is not of {op.result_type!r}: {problem}"


# -- junk ------------------------------------------------------------------------------------

_BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<result>&lol3;</result>"
)
_XXE = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><result><error>&x;</error></result>'

TOKENS: tuple[str, ...] = (
    "ERROR = ",
    "ERROR = 1",
    "ERROR=9 (x)",
    "ERROR = 3 (no money), ID - 7",
    "error = 2 (authorise error)",
    ", ID - ",
    "0,-",
    "0,-1",
    "5,-9",
    ",-",
    "-",
    "<result>",
    "</result>",
    "<error>",
    "</error>",
    "<error_code>",
    "</error_code>",
    "<id>",
    "</id>",
    "<sms>",
    "</sms>",
    '{"error_code":',
    '"error":',
    '{"error_code": 9, "error": "x"}',
    '{"error_code": "x"}',
    '{"error_code": [1]}',
    '{"error_code": 1e999}',
    "{",
    "}",
    "[",
    "]",
    ",",
    ";",
    "|",
    ":",
    " = ",
    " - ",
    '"',
    "OK",
    "OK - ",
    " SMS",
    "9" * 400,
    "9" * 5000,
    "1e999",
    "-1e-999",
    "1E+999999999",
    "NaN",
    "sNaN",
    "Infinity",
    "-0",
    "0x1F",
    "\u0661\u0662",
    "\u00b2",
    "\ufeff",
    "\r\n",
    "\n",
    "\r",
    "\x00",
    "\u2028",
    "&amp;",
    "&lol;",
    "&#0;",
    "&#x110000;",
    "<![CDATA[x]]>",
    "<!--c-->",
    '<?xml version="1.0"?>',
    "<?xml version='1.0' encoding='koi8-r'?>",
    _BILLION_LAUGHS,
    _XXE,
    '<x xmlns:a="y"><a:b/></x>',
    "00.00.0000 00:00:00",
    "31.02.2024 25:61:61",
    "01.01.0001 00:00:00",
    "true",
    "null",
    "--b\r\nContent-Type: application/pdf\r\n\r\n",
    "%PDF-1.4",
    'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n',
)

CHARSETS: tuple[str, ...] = (
    "utf-8",
    "UTF-8",
    '"utf-8"',
    "'cp1251'",
    "windows-1251",
    "koi8-r",
    "latin-1",
    "iso-8859-5",
    "utf-16",
    "utf-16-be",
    "utf-32",
    "utf-7",
    "utf-8-sig",
    "ascii",
    "idna",
    "punycode",
    "unicode_escape",
    "raw_unicode_escape",
    "undefined",
    "rot13",
    "base64",
    "hex",
    "zlib",
    "bz2",
    "uu",
    "quopri",
    "bogus",
    "utf-8\x00",
    "",
)

MIME_TYPES: tuple[str, ...] = (
    "text/plain",
    "application/json",
    "text/xml",
    "application/xml",
    "text/html",
    "text/csv",
    "application/pdf",
    "application/octet-stream",
    "multipart/mixed",
    "multipart/form-data",
    "multipart/related",
    "",
)


def _content_types() -> st.SearchStrategy[str]:
    boundary = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
    param = st.one_of(
        st.sampled_from(CHARSETS).map(lambda c: f"charset={c}"),
        boundary.map(lambda b: f"boundary={b}"),
        boundary.map(lambda b: f'boundary="{b}"'),
        st.text(max_size=30),
    )
    return st.one_of(
        st.builds(
            lambda m, ps: "; ".join([m, *ps]), st.sampled_from(MIME_TYPES), st.lists(param, max_size=3)
        ),
        st.text(max_size=60),
    )


def headers_strategy() -> st.SearchStrategy[dict[str, str]]:
    name = st.sampled_from(["Content-Type", "content-type", "CONTENT-TYPE"])
    disposition = st.sampled_from(['attachment; filename="a.pdf"', "inline", "attachment; filename*=x", ""])
    return st.one_of(
        st.just({}),
        st.builds(lambda n, ct: {n: ct}, name, _content_types()),
        st.builds(
            lambda ct, d: {"Content-Type": ct, "Content-Disposition": d}, _content_types(), disposition
        ),
    )


def statuses() -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from([200, 200, 200, 201, 204, 206, 301, 302, 400, 403, 404, 429, 500, 502, 503]),
        st.integers(min_value=100, max_value=599),
    )


def _shape_tokens(op: Op[Any]) -> tuple[str, ...]:
    out: list[str] = []
    fields = result_fields(op.result_type)
    out.extend(f'"{name}": ' for name in fields)
    out.extend(f"<{name}>" for name in fields)
    if is_file_op(op):
        return tuple(out)  # no record shape: a file
    shape = op.result_shape()
    for layout in (shape.text, shape.csv):
        for part in _flatten(layout):
            if isinstance(part, Pairs):
                out.extend(f"{key}{part.kv}" for key, _ in part.keys)
                out.append(part.sep)
            elif isinstance(part, Fields):
                out.append(part.sep)
            elif isinstance(part, Token):
                out.append(part.token)
    for tag in (shape.xml_root, shape.xml_item):
        if tag:
            out.extend([f"<{tag}>", f"</{tag}>"])
    return tuple(out)


def _nested(kind: str, depth: int) -> str:
    if kind == "array":
        return "[" * depth + "1" + "]" * depth
    if kind == "object":
        return '{"a":' * depth + "1" + "}" * depth
    if kind == "open":
        return "[" * depth
    return "<a>" * depth + "x" + "</a>" * depth


@st.composite
def _mutated(draw: st.DrawFn, seeds: Sequence[bytes], tokens: Sequence[str]) -> bytes:
    body = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        n = len(body)
        at = draw(st.integers(min_value=0, max_value=n))
        action = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "dup", "digits"]))
        if action == "truncate":
            body = body[:at]
        elif action == "flip" and n:
            i = min(at, n - 1)
            body = body[:i] + bytes([body[i] ^ draw(st.integers(1, 255))]) + body[i + 1 :]
        elif action == "insert":
            piece = draw(st.sampled_from(tokens)).encode("utf-8")
            body = body[:at] + piece + body[at:]
        elif action == "delete":
            body = body[:at] + body[at + draw(st.integers(1, 16)) :]
        elif action == "dup":
            body = body[:at] + body + body[at:]
        elif action == "digits":
            body = re.sub(
                rb"\d+", draw(st.sampled_from([b"9" * 30, b"-1", b"0", b"1e999", b"1E+999999999", b""])), body
            )
    return body


def junk_bodies(op: Op[Any], seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes and text, token soup built from envelope and layout pieces, deep
    nesting, and mutations (truncation, byte flips, insertions...) of real bodies."""
    tokens = TOKENS + _shape_tokens(op)
    encodable = st.sampled_from(["utf-8", "cp1251", "utf-16", "latin-1", "koi8-r"])
    soup = st.lists(st.one_of(st.sampled_from(tokens), st.text(max_size=8)), max_size=30).map("".join)
    strategies = [
        st.binary(max_size=600),
        st.builds(lambda t, c: t.encode(c, "replace"), st.text(max_size=300), encodable),
        st.builds(lambda t, c: t.encode(c, "replace"), soup, encodable),
        st.builds(
            lambda k, d: _nested(k, d).encode(),
            st.sampled_from(["array", "object", "open", "xml"]),
            st.sampled_from([10, 255, 256, 257, 1000, 5000, 20000]),
        ),
    ]
    fields = result_fields(op.result_type)
    if fields:
        strategies.append(_odd_values(fields))
    if seeds:
        strategies.append(_mutated(seeds, tokens))
        strategies.append(st.sampled_from(seeds))
    return st.one_of(strategies)


# Values no field expects: huge and non-finite numbers, impossible dates, odd digits.
ODD_VALUES: tuple[str, ...] = (
    "1E+999999999",
    "-1E+999999999",
    "1e-999999999",
    "9" * 25,
    "9" * 5000,
    "-0",
    "0x10",
    "NaN",
    "sNaN",
    "Infinity",
    "1_000",
    "\u0661\u0662",
    "\u00b2",
    "31.02.2024 25:61:61",
    "00.00.0000 00:00:00",
    "99999999999999999999.5",
    "true",
    "",
)


def _odd_values(fields: Sequence[str]) -> st.SearchStrategy[bytes]:
    """Records with odd values in the op's own fields, in JSON, XML and text."""
    pairs = st.lists(st.tuples(st.sampled_from(fields), st.sampled_from(ODD_VALUES)), min_size=1, max_size=4)

    def render(form: str, items: list[tuple[str, str]]) -> bytes:
        if form == "json-number":
            inner = ", ".join(f'"{k}": {v or 0}' for k, v in items)
            return ("{" + inner + "}").encode()
        if form == "json-string":
            inner = ", ".join(f'"{k}": "{v}"' for k, v in items)
            return ("[{" + inner + "}]").encode()
        if form == "xml":
            return ("<result>" + "".join(f"<{k}>{v}</{k}>" for k, v in items) + "</result>").encode()
        if form == "pairs":
            return ", ".join(f"{k} = {v}" for k, v in items).encode()
        return ",".join(v for _, v in items).encode()

    forms = st.sampled_from(["json-number", "json-string", "xml", "pairs", "csv"])
    return st.builds(render, forms, pairs)


@cache
def op_seed_bodies(op_id: str) -> tuple[bytes, ...]:
    return tuple(seed.body for seed in seed_bodies(op_id))


# -- results the wire can carry -----------------------------------------------------------

# Characters that every layout carries as plain text: no separator (',', ';', '|', '='),
# no '-' (" - " is a separator), nothing that opens XML/JSON at the start of a body.
_SAFE = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    ".:_+@!?()/#%*&'\">}]"
)
_WORD = st.text(alphabet=_SAFE, min_size=1, max_size=10)
_SEPARATORS = (",", ";", "|")


def _text(extra: str = "") -> st.SearchStrategy[str]:
    """Non-empty words joined by single spaces (or by ``extra`` separators)."""
    if not extra:
        return st.builds(lambda first, rest: " ".join([first, *rest]), _WORD, st.lists(_WORD, max_size=3))
    joins = [" "] + [c for c in extra] + [f"{c} " for c in extra]
    # Free text with separators never ends in `,<digits>`: status all=1 lines end
    # `<message>, <comment>,<type>`, and nothing could tell the two apart.
    last = _WORD.filter(lambda w: not w.isdigit())
    return st.builds(
        lambda words, final: "".join(j + w for j, w in words) + final,
        st.lists(st.tuples(st.sampled_from(joins), _WORD), max_size=3).map(
            lambda ws: [("", ws[0][1]), *ws[1:]] if ws else []
        ),
        st.tuples(st.sampled_from(joins), last).map(lambda jw: jw[0] + jw[1]),
    ).map(lambda text: text.lstrip(" ,;|"))


def _flatten(layout: Any) -> list[Any]:
    """The Fields/Pairs/Pattern/Token parts of a layout, looking inside Either and inside an
    op's own layout classes (any attribute that is itself a layout)."""
    if layout is None:
        return []
    if isinstance(layout, Either):
        return [p for sub in layout.layouts for p in _flatten(sub)]
    if isinstance(layout, (Fields, Pairs, Pattern, Token)):
        return [layout]
    out: list[Any] = []
    for value in getattr(layout, "__dict__", {}).values():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if hasattr(item, "parse") and hasattr(item, "render") and item is not layout:
                out.extend(_flatten(item))
    return out


# Protocol rules no type says: an HLR status line is marked by ``sender_id`` ``HLR``
# (spec/status.md), so a result with HLR members has that sender.
_HLR_MEMBERS = ("imsi", "msc", "mcc", "mnc", "cn", "net", "rcn", "rnet")


def _wire_rules(record: Any) -> Any:
    if type(record).__name__ == "StatusResult":
        if any(getattr(record, f, None) for f in _HLR_MEMBERS):
            record = msgspec.structs.replace(record, sender_id="HLR")
        if record.comment is not None and record.type is None:
            # `<message>, <comment>,<type>`: the type is always written after a comment.
            record = msgspec.structs.replace(record, type=0)
    return record


def _answer_rules(op: Op[Any], record: Any) -> Any:
    """Rules of the answer to this very op: a multi-id status answer writes each message's
    id on its line (spec/status.md); without it an all=0 fmt=1 HLR line, told apart only by
    its length, could not be read back."""
    ids = getattr(op, "id", None)
    if not isinstance(ids, (list, tuple)) or len(ids) < 2:
        return record
    if type(record).__name__ == "StatusResult" and record.id is None:
        record = msgspec.structs.replace(record, id=ids[0])
    return record


def _encode_names(kind: Any) -> dict[str, str]:
    """Wire name -> attribute name of a struct's fields."""
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return {f.encode_name: f.name for f in msgspec.structs.fields(kind)}
    return {}


def _fit_free_fields(record: Any, layouts: Sequence[Fields]) -> Any:
    """Free text may hold its layout's separator only when every field after it is
    present: `a,b` then an absent last field reads as free text `a` and last field `b`."""
    for layout in layouts:
        if layout.free is None:
            continue
        names = _encode_names(type(record))
        free = names.get(layout.names[layout.free])
        later = [names.get(n) for n in layout.names[layout.free + 1 :]]
        if free is None:
            continue
        value = getattr(record, free, None)
        if (
            isinstance(value, str)
            and layout.sep in value
            and any(a is None or getattr(record, a) is None for a in later)
        ):
            record = msgspec.structs.replace(record, **{free: value.replace(layout.sep, " ")})
    return record


def _group_regex(pattern: str, name: str) -> str | None:
    """The source of named group ``name`` in ``pattern`` (balanced parentheses)."""
    start = pattern.find(f"(?P<{name}>")
    if start < 0:
        return None
    i = start + len(f"(?P<{name}>")
    depth, begin = 1, i
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return pattern[begin:i]
        i += 1
    return None


@dataclass(frozen=True)
class _TextRules:
    """Per wire field: the regex a Pattern layout imposes, the separators it may contain."""

    regex: dict[str, str]
    extra: dict[str, str]


def _text_rules(shape: Shape) -> _TextRules:
    parts = [*_flatten(shape.text), *_flatten(shape.csv)]
    regex: dict[str, str] = {}
    for part in parts:
        if isinstance(part, Pattern):
            for name in part.regex.groupindex:
                group = _group_regex(part.regex.pattern, name)
                if group is not None:
                    regex[name] = group
    fields_layouts = [p for p in parts if isinstance(p, Fields)]
    extra: dict[str, str] = {}
    for layout in fields_layouts:
        if layout.free is None:
            continue
        name = layout.names[layout.free]
        allowed = ""
        for ch in _SEPARATORS:
            # The free field of one layout may hold separators no other layout splits it on.
            if all(
                name not in other.names
                or (other.free is not None and other.names[other.free] == name)
                or ch not in other.sep
                for other in fields_layouts
            ):
                allowed += ch
        extra[name] = allowed
    return _TextRules(regex, extra)


def _money() -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal("-1000000"), max_value=Decimal("10000000"), places=2, allow_nan=False
    )


def _message_id_text() -> st.SearchStrategy[str]:
    return st.from_regex(r"[A-Za-z0-9._]{1,40}", fullmatch=True).filter(lambda s: not s.isdigit())


def _plain(s: str) -> bool:
    # Printable and trimmed: XML turns CR into LF, and every wire trims its fields.
    return s != "" and s == s.strip() and s.isprintable()


def _not_digits(s: str) -> bool:
    # Digit strings in an ``int | str`` field are read as ints on every wire.
    return not s.strip().lstrip("-").isdigit()


def _strategy(t: mi.Type, name: str, rules: _TextRules, *, nested: bool) -> st.SearchStrategy[Any]:
    if isinstance(t, mi.UnionType):
        members = [m for m in t.types if not isinstance(m, mi.NoneType)]
        has_int = any(isinstance(m, mi.IntType) for m in members)
        options = []
        for m in members:
            s = _strategy(m, name, rules, nested=nested)
            if isinstance(m, mi.StrType) and has_int:
                s = s.filter(_not_digits)
            options.append(s)
        if len(members) < len(t.types):
            options.append(st.none())
        return st.one_of(options)
    if isinstance(t, mi.NoneType):
        return st.none()
    if isinstance(t, mi.BoolType):
        return st.booleans()
    if isinstance(t, mi.IntType):
        low = 0 if t.ge is None and t.gt is None else (t.ge if t.ge is not None else t.gt + 1)  # type: ignore[operator]
        high = 2**31 - 1 if t.le is None and t.lt is None else (t.le if t.le is not None else t.lt - 1)  # type: ignore[operator]
        return st.integers(min_value=low, max_value=high)
    if isinstance(t, mi.FloatType):
        return st.integers(min_value=0, max_value=10**6).map(float)
    if isinstance(t, mi.DecimalType):
        return _money()
    if isinstance(t, mi.StrType):
        if not nested and name in rules.regex:
            return st.from_regex(rules.regex[name], fullmatch=True, alphabet=_SAFE + " -").filter(_plain)
        return _text(rules.extra.get(name, "") if not nested else "")
    if isinstance(t, (mi.BytesType, mi.ByteArrayType)):
        # The bytes a result carries are a document: a whole PDF file, as the decoder checks.
        return st.binary(max_size=64).map(lambda b: PDF_MAGIC + b + b"\n%%EOF\n")
    if isinstance(t, mi.LiteralType):
        return st.sampled_from(t.values)
    if isinstance(t, mi.EnumType):
        known = st.sampled_from(list(t.cls))
        if issubclass(t.cls, OpenIntEnum):
            return st.one_of(known, st.integers(min_value=0, max_value=999).map(t.cls))
        return known
    if isinstance(t, mi.DateTimeType):
        return st.datetimes(
            min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31, 23, 59, 59)
        ).map(lambda d: d.replace(microsecond=0))
    if isinstance(t, mi.DateType):
        return st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
    if isinstance(t, (mi.ListType, mi.VarTupleType)) and isinstance(t.item_type, mi.DictType):
        # Rows of a table (a CSV file): every row has the same columns.
        return _rows(t.item_type)
    if isinstance(t, (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType)):
        # A list is never empty: XML cannot tell an empty list from an absent one.
        return st.lists(_strategy(t.item_type, name, rules, nested=True), min_size=1, max_size=3)
    if isinstance(t, mi.TupleType):
        return st.tuples(*(_strategy(i, name, rules, nested=True) for i in t.item_types)).map(list)
    if isinstance(t, mi.StructType):
        return _struct_strategy(t, rules, nested=True)
    if isinstance(t, mi.DictType):
        return st.dictionaries(_text(), _text(), min_size=1, max_size=4)
    if isinstance(t, mi.AnyType):
        return st.just({})
    return st.just(None)


def _rows(t: mi.DictType) -> st.SearchStrategy[list[dict[str, str]]]:
    def rows(columns: list[str]) -> st.SearchStrategy[list[dict[str, str]]]:
        row = st.tuples(*(_text() for _ in columns)).map(
            lambda values: dict(zip(columns, values, strict=True))
        )
        return st.lists(row, min_size=1, max_size=5)

    del t  # columns and cells are text whatever the declared types: that is what a file holds
    return st.lists(_text(), min_size=1, max_size=5, unique=True).flatmap(rows)


def _struct_strategy(t: mi.StructType, rules: _TextRules, *, nested: bool) -> st.SearchStrategy[Any]:
    fields = {f.name: _strategy(f.type, f.encode_name, rules, nested=nested) for f in t.fields}
    return st.fixed_dictionaries(fields).map(lambda kw: _wire_rules(t.cls(**kw)))


# A file op's result travels as a file and its headers: a file name is a header parameter.
_FILE_RULES = _TextRules(regex={"filename": r"[A-Za-z0-9_][A-Za-z0-9_. -]{0,30}[A-Za-z0-9_]"}, extra={})


def result_strategy(op: Op[Any]) -> st.SearchStrategy[Any]:
    """Results of ``op.result_type`` whose every field survives every fmt's wire form (for a
    file op: its file and headers)."""
    if is_file_op(op):
        rules, fields_layouts = _FILE_RULES, []
    else:
        shape = op.result_shape()
        rules = _text_rules(shape)
        fields_layouts = [p for p in [*_flatten(shape.text), *_flatten(shape.csv)] if isinstance(p, Fields)]
    t = mi.type_info(op.result_type)

    def fit(record: Any) -> Any:
        return _fit_free_fields(_answer_rules(op, record), fields_layouts)

    if isinstance(t, mi.StructType):
        return _struct_strategy(t, rules, nested=False).map(fit)
    if isinstance(t, (mi.ListType, mi.VarTupleType)) and isinstance(t.item_type, mi.StructType):
        return st.lists(_struct_strategy(t.item_type, rules, nested=False).map(fit), min_size=1, max_size=4)
    return _strategy(t, "", rules, nested=False)


# -- fmt=3 bodies of plausible wire values ------------------------------------------------

# How the API writes "no value" in JSON: an empty string, or null.
_NONE_VALUES = st.sampled_from(["", None])
_NO_DATES = st.sampled_from(["", None, "0", 0, "00.00.0000 00:00:00"])


def _wire_int(low: int, high: int) -> st.SearchStrategy[Any]:
    numbers = st.integers(min_value=low, max_value=high)
    # A JSON number, or its ASCII digits as a string.
    return st.one_of(numbers, numbers.map(str))


def _wire_json_value(t: mi.Type) -> st.SearchStrategy[Any]:
    """A JSON value the API plausibly writes for a field of type ``t``: numbers as JSON
    numbers or ASCII digit strings, decimals as strings, dates ``DD.MM.YYYY hh:mm:ss``,
    ``""`` (or null, or a zero date) for none."""
    if isinstance(t, mi.UnionType):
        members = [m for m in t.types if not isinstance(m, mi.NoneType)]
        options = [_wire_json_value(m) for m in members]
        if len(members) < len(t.types):
            dated = any(isinstance(m, (mi.DateTimeType, mi.DateType)) for m in members)
            options.append(_NO_DATES if dated else _NONE_VALUES)
        return st.one_of(options)
    if isinstance(t, mi.IntType):
        low = -(2**31) if t.ge is None and t.gt is None else (t.ge if t.ge is not None else t.gt + 1)  # type: ignore[operator]
        high = 2**53 if t.le is None and t.lt is None else (t.le if t.le is not None else t.lt - 1)  # type: ignore[operator]
        return _wire_int(low, high)
    if isinstance(t, mi.DecimalType):
        return st.one_of(_money().map(lambda d: format(d, "f")), st.integers(0, 10**9).map(str))
    if isinstance(t, mi.StrType):
        digits = st.integers(min_value=0, max_value=10**12).map(str)
        return st.one_of(_text(",;|"), st.text(max_size=12), digits)
    if isinstance(t, mi.BoolType):
        return st.sampled_from([True, False, 1, 0, "1", "0"])
    if isinstance(t, mi.LiteralType):
        values = list(t.values)
        return st.sampled_from(values + [str(v) for v in values if isinstance(v, int)])
    if isinstance(t, mi.EnumType):
        codes = [int(m.value) for m in t.cls]
        if issubclass(t.cls, OpenIntEnum):
            return st.one_of(st.sampled_from(codes), _wire_int(-999, 999))
        return st.sampled_from(codes + [str(c) for c in codes])
    if isinstance(t, mi.DateTimeType):
        return st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
            lambda d: d.strftime("%d.%m.%Y %H:%M:%S")
        )
    if isinstance(t, mi.DateType):
        return st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)).map(
            lambda d: d.strftime("%d.%m.%Y")
        )
    if isinstance(t, (mi.ListType, mi.VarTupleType)):
        return st.lists(_wire_json_value(t.item_type), max_size=3)
    if isinstance(t, mi.StructType):
        return wire_json_record(t.cls)
    raise TypeError(f"no wire values for {t!r}")


def wire_json_record(cls: type[msgspec.Struct]) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object the API plausibly writes for result struct ``cls``: its required keys,
    any of its optional ones, and now and then a key this SDK does not know."""
    t = mi.type_info(cls)
    assert isinstance(t, mi.StructType)
    required = {f.encode_name: _wire_json_value(f.type) for f in t.fields if f.required}
    optional = {f.encode_name: _wire_json_value(f.type) for f in t.fields if not f.required}
    unknown = st.dictionaries(st.sampled_from(["zz_new", "extra_key"]), _text(), max_size=1)
    return st.builds(
        lambda known, more: {**more, **known}, st.fixed_dictionaries(required, optional=optional), unknown
    )


def wire_json_bodies(result_type: Any) -> st.SearchStrategy[str]:
    """fmt=3 bodies of plausible wire values for ``result_type`` (a struct or a list of
    them): a list answer may be one bare object, a single one an array of one."""
    many = typing.get_origin(result_type) is list
    record = wire_json_record(typing.get_args(result_type)[0] if many else result_type)
    value = st.one_of(st.lists(record, max_size=4) if many else record.map(lambda r: [r]), record)
    return value.map(lambda v: msgspec.json.encode(v).decode())


def error_descriptions() -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), _text(",;"))


def message_ids() -> st.SearchStrategy[int | str | None]:
    return st.one_of(st.none(), st.integers(min_value=1, max_value=2**31 - 1), _message_id_text())


# -- what each fmt carries -------------------------------------------------------------------


def _render_or_none(op: Op[Any], result: Any, fmt: int) -> HttpResponse | None:
    try:
        return op.render(result, fmt)
    except Exception:
        return None


def carried_fields(op: Op[Any], fmt: int, result: Any, rendered: HttpResponse) -> list[set[str]] | None:
    """Per record, the attribute names ``fmt`` writes for ``result`` (``rendered``); None
    means all (fmt=2/3, and files in every fmt).

    A fmt=0/1 layout writes only some fields (balance's fmt=0 line has no credit), and how
    it does is the layout's own business (Fields, Pairs, Pattern, or an op's own class), so
    a field counts as carried when leaving it out changes the rendered response. Required
    fields always count.
    """
    records = records_of(result)
    if fmt in (2, 3) or is_file_op(op) or not all(isinstance(r, msgspec.Struct) for r in records):
        return None  # all of it (a file, or the rows of one, is whole in every fmt)
    out: list[set[str]] = []
    for index, record in enumerate(records):
        carried: set[str] = set()
        for f in msgspec.structs.fields(record):
            value = getattr(record, f.name)
            if f.required:
                carried.add(f.name)
                continue
            if value is None:
                continue
            variant = msgspec.structs.replace(record, **{f.name: None})
            others = [*records[:index], variant, *records[index + 1 :]]
            if _render_or_none(op, others if isinstance(result, list) else variant, fmt) != rendered:
                carried.add(f.name)
        out.append(carried)
    return out


def compare_carried(op: Op[Any], fmt: int, expected: Any, decoded: Any, rendered: HttpResponse) -> None:
    """Assert ``decoded`` equals ``expected`` on the fields ``fmt`` carries (``rendered`` is
    the response written for ``expected``); a field it does not carry must decode as absent."""
    carried = carried_fields(op, fmt, expected, rendered)
    if carried is None:
        assert decoded == expected, f"fmt={fmt}: decoded {decoded!r} != rendered {expected!r}"
        return
    exp_records, got_records = records_of(expected), records_of(decoded)
    assert len(exp_records) == len(got_records), (
        f"fmt={fmt}: {len(got_records)} records, not {len(exp_records)}"
    )
    for exp, got, names in zip(exp_records, got_records, carried, strict=True):
        for f in msgspec.structs.fields(exp):
            e, g = getattr(exp, f.name), getattr(got, f.name)
            if f.name in names:
                assert e == g, f"fmt={fmt} field {f.encode_name}: decoded {g!r}, rendered {e!r}"
            else:
                # Not written, so nothing to read back; an empty fmt=1 field reads as "".
                assert g is None or g == "" or g == f.default, (
                    f"fmt={fmt} field {f.encode_name} is not written, yet decoded as {g!r}"
                )


def labels(items: Iterable[Sample]) -> list[str]:
    return [s.label for s in items]


def fixture_ids(items: Iterable[FixtureCase]) -> list[str]:
    return [c.name for c in items]
