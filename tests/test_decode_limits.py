"""JSON and XML decoding allocate no more than the op's shape can hold.

JSON: msgspec reads only the records and names a result has (other keys are skipped unread,
a record without its required names stops the decode, a value is read only where a value
belongs), so the Python allocations of a hostile body, traced, stay within a small multiple
of the body; a generic parse would build a tree about 25 times its size.

XML: lxml's tree is allocated by libxml2, out of tracemalloc's sight, so the element room
is what is checked: hostile bodies are refused before any parse, and long bodies of real
records (with fields the API may add later) still decode.
"""

from __future__ import annotations

import contextlib
import json
import tracemalloc
import typing
from typing import Any

import msgspec
import pytest
from property_support import CODEC_ERRORS, is_file_op, samples, synth_result

from smsc_proto import DecodeError, HttpResponse, Op

BODY_SIZE = 1 << 21
# The body's text, a copy of it and some change; a generic JSON tree is far beyond.
MAX_TRACED = 2 * BODY_SIZE + (1 << 20)
JSON = {"Content-Type": "application/json"}
XML = {"Content-Type": "text/xml"}


def _fill(unit: str, size: int = BODY_SIZE) -> str:
    return unit * (size // len(unit))


def _record_type(op: Op[Any]) -> type[msgspec.Struct]:
    result_type = op.result_type
    return typing.get_args(result_type)[0] if typing.get_origin(result_type) is list else result_type  # type: ignore[no-any-return]


def _wires(op: Op[Any]) -> tuple[list[str], list[str]]:
    """The record's wire names, and its required ones."""
    fields = msgspec.structs.fields(_record_type(op))
    return [f.encode_name for f in fields], [f.encode_name for f in fields if f.required]


def _ops(fmt: int) -> list[Op[Any]]:
    """One op per op id and result type asked in ``fmt`` (the file ops answer in files)."""
    found: dict[tuple[str, Any], Op[Any]] = {}
    for sample in samples():
        if sample.fmt == fmt and not is_file_op(sample.op):
            found.setdefault((sample.op_id, repr(sample.op.result_type)), sample.op)
    return list(found.values())


JSON_OPS = _ops(3)
XML_OPS = _ops(2)


def _json_bodies(op: Op[Any]) -> dict[str, str]:
    flood = "[" + _fill("{},") + "{}]"
    bodies = {
        "empty objects": flood,
        "empty arrays": "[" + _fill("[],") + "[]]",
        "decimals": "[" + _fill("0.5,") + "0.5]",
        "short strings": "[" + _fill('"ab",') + '"ab"]',
        "under an unknown key": '{"x": ' + flood + "}",
        "under an escaped key": '{"\\u0078": ' + flood + "}",
        "as an error's description": '{"error_code": 1, "error": ' + flood + "}",
    }
    names, required = _wires(op)
    present = ", ".join(f'"{name}": "1"' for name in required)
    for name in names:
        record = "{" + present + (", " if present else "") + f'"{name}": {flood}' + "}"
        bodies[f"in {name}"] = record
        bodies[f"in {name}, in an array"] = f"[{record}]"
    return bodies


def _traced_peak(op: Op[Any], body: bytes) -> int:
    tracemalloc.start()
    try:
        with contextlib.suppress(*CODEC_ERRORS):
            op.decode(HttpResponse(200, JSON, body))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("op", JSON_OPS, ids=repr)
def test_hostile_json_allocates_within_a_small_multiple_of_the_body(op: Op[Any]) -> None:
    greedy = {}
    for name, text in _json_bodies(op).items():
        peak = _traced_peak(op, text.encode())
        if peak > MAX_TRACED:
            greedy[name] = f"{peak >> 20} MiB"
    assert not greedy, f"more than {MAX_TRACED >> 20} MiB traced for a {BODY_SIZE >> 20} MiB body: {greedy}"


def _xml_floods(op: Op[Any]) -> dict[str, str]:
    shape = op.result_shape()
    root = shape.xml_root or "result"
    item = shape.xml_item or "item"
    floods = {
        "unknown elements": f"<{root}>" + _fill("<a/>") + f"</{root}>",
        "unknown elements, no root": _fill("<a/>"),
        "empty records": f"<{root}>" + _fill(f"<{item}/>") + f"</{root}>",
    }
    for name in _wires(op)[0]:
        leaf = f"<{name}>1</{name}>"
        floods[f"{name} outside any record"] = f"<{root}>" + _fill(leaf) + f"</{root}>"
        floods[f"{name} in one record"] = f"<{root}><{item}>" + _fill(leaf) + f"</{item}></{root}>"
    return floods


@pytest.mark.parametrize("op", XML_OPS, ids=repr)
def test_hostile_xml_is_refused_before_it_is_parsed(op: Op[Any]) -> None:
    parsed = []
    for name, text in _xml_floods(op).items():
        with pytest.raises(DecodeError) as caught:
            op.decode(HttpResponse(200, XML, text.encode()))
        if "room for" not in str(caught.value):
            parsed.append(f"{name}: {caught.value}")
    assert not parsed, "parsed instead of refused:\n" + "\n".join(parsed)


def _long(result: Any, copies: int) -> Any | None:
    """``result`` with ``copies`` times its records (a list) or the records its lists hold;
    None when it holds no list of records (its room is fixed: a list of values written one
    element per value, wait_call's ``all_phones``, has the slack of the room only)."""
    if isinstance(result, list):
        return result * copies
    lists = {
        name: value * copies
        for name, value in msgspec.structs.asdict(result).items()
        if isinstance(value, list) and value and isinstance(value[0], msgspec.Struct)
    }
    return msgspec.structs.replace(result, **lists) if lists else None


LONG_OPS = [op for op in XML_OPS if _long(synth_result(op.result_type), 2) is not None]


@pytest.mark.parametrize("op", LONG_OPS, ids=repr)
def test_long_xml_of_real_records_decodes(op: Op[Any]) -> None:
    result = _long(synth_result(op.result_type), 3000)
    body = op.render(result, 2).body.decode()
    assert len(body) > 1 << 16  # past the size the room is checked from
    assert op.decode(HttpResponse(200, XML, body.encode())) == result
    # A field the API adds later, in every record, is room the answer keeps.
    _, required = _wires(op)
    later = body.replace(f"</{required[0]}>", f"</{required[0]}><added_later>x</added_later>")
    assert later != body
    assert op.decode(HttpResponse(200, XML, later.encode())) == result


def test_an_error_description_is_cut_to_a_line() -> None:
    op = JSON_OPS[0]
    body = json.dumps({"error_code": 1, "error": "x" * 100_000})
    with pytest.raises(CODEC_ERRORS) as caught:
        op.decode(HttpResponse(200, JSON, body.encode()))
    description = getattr(caught.value, "description", "")
    assert description.startswith("xxx")
    assert len(description) < 1000


@pytest.mark.parametrize("op", [op for op in XML_OPS if op.result_shape().many], ids=repr)
def test_a_page_is_no_empty_list(op: Op[Any]) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    with pytest.raises(CODEC_ERRORS):
        op.decode(HttpResponse(200, XML, page))
