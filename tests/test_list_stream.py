"""List answers streamed in flat memory (``list_stream.py``): long histories in every fmt
through the decoder and both clients, hostile bodies refused within one record, and time
linear in the body however it is cut. (That streamed records equal ``decode``'s, for every
fixture and every rendered result, cut anywhere, is a property in test_properties.py.)"""

from __future__ import annotations

import asyncio
import json
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from downloads_support import LoopbackServer, Reply
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client

from smsc_proto import (
    Credentials,
    DecodeError,
    GetMessages,
    HttpResponse,
    JobsGetAll,
    OperationFailedError,
    SentMessage,
)
from smsc_proto.list_stream import MAX_RECORD_CHARS, ListStreamDecoder
from smsc_proto.op import CONTENT_TYPES, Op

FIXTURES = Path(__file__).resolve().parents[1] / "conformance" / "fixtures"
CREDENTIALS = Credentials(login="loopback", psw="not-a-secret")
OPTIONS: dict[str, Any] = {"rate_limits": False, "max_attempts": 1, "read_timeout": 20.0}


def _one_message() -> SentMessage:
    case = json.loads((FIXTURES / "get" / "messages-fmt3-ok.json").read_text())
    body = case["response"]["body"].encode()
    return GetMessages(fmt=3).decode(HttpResponse(200, {"Content-Type": CONTENT_TYPES[3]}, body))[0]


MESSAGE = _one_message()


def history(count: int, start: int = 1) -> list[SentMessage]:
    return [
        msgspec.structs.replace(MESSAGE, id=i, int_id=10_000_000 + i) for i in range(start, start + count)
    ]


def body_of(fmt: int, count: int) -> bytes:
    return GetMessages(fmt=fmt).render(history(count), fmt).body  # type: ignore[arg-type]


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


def stream(op: Op[Any], chunks: Iterator[bytes] | list[bytes]) -> list[Any]:
    decoder = op.stream_decoder(HttpResponse(200, {"Content-Type": CONTENT_TYPES[op.fmt]}))
    records: list[Any] = []
    for chunk in chunks:
        records += decoder.feed(chunk)
    return records + decoder.close()


# -- long answers ------------------------------------------------------------------------------


def _streamed_peak(op: Any, body: bytes) -> tuple[int, Any, Any, int]:
    """Records seen, the first and last, and the peak of traced memory while streaming."""
    tracemalloc.start()
    try:
        seen = 0
        first = last = None
        decoder = op.stream_decoder(HttpResponse(200, {"Content-Type": CONTENT_TYPES[op.fmt]}))
        for chunk in pieces(body, 65536):
            for record in decoder.feed(chunk):
                first = first or record
                last = record
                seen += 1
        for record in decoder.close():
            last = record
            seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return seen, first, last, peak


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_a_long_history_streams_in_flat_memory(fmt: int) -> None:
    op = GetMessages(fmt=fmt)  # type: ignore[arg-type]
    peaks = []
    for count in (2_000, 8_000):
        body = body_of(fmt, count)
        expected = op.decode(HttpResponse(200, {"Content-Type": CONTENT_TYPES[fmt]}, body))
        seen, first, last, peak = _streamed_peak(op, body)
        assert (seen, first, last) == (count, expected[0], expected[-1])
        peaks.append(peak)
    # A batch of records and a chunk at a time: four times the answer, the same memory
    # (a few MB: the records of one batch), never the answer itself (decoding 8,000
    # records whole takes tens of MB; XML's tree is libxml2's, out of tracemalloc's
    # sight: its batches are bounded the same way).
    assert peaks[1] < 1.25 * peaks[0] + 200_000, peaks
    assert peaks[1] < 4_000_000, peaks


def test_records_arrive_before_the_body_ends() -> None:
    body = body_of(3, 5000)
    decoder = GetMessages().stream_decoder(HttpResponse(200, {"Content-Type": CONTENT_TYPES[3]}))
    early = decoder.feed(body[: len(body) // 2])
    assert len(early) > 1000 and early[0].id == 1
    rest = decoder.feed(body[len(body) // 2 :]) + decoder.close()
    assert [m.id for m in early + rest] == list(range(1, 5001))


@pytest.mark.parametrize("client", ["urllib3", "aiohttp"])
def test_both_clients_stream_a_long_history(client: str) -> None:
    count = 40_000
    body = body_of(3, count)

    def respond(path: str, form: dict[str, str]) -> Reply:
        assert path == "/sys/get.php" and form["get_messages"] == "1"
        return Reply(headers={"Content-Type": CONTENT_TYPES[3]}, body=pieces(body, 8192), mode="chunked")

    with LoopbackServer(respond) as server:
        if client == "urllib3":
            with Client(CREDENTIALS, hosts=[server.url], **OPTIONS) as sync:
                ids = [m.id for m in sync.stream(GetMessages(cnt=1000))]
        else:

            async def run() -> list[int | str | None]:
                async with AsyncClient(CREDENTIALS, hosts=[server.url], **OPTIONS) as session:
                    return [m.id async for m in session.stream(GetMessages(cnt=1000))]

            ids = asyncio.run(run())
    assert ids == list(range(1, count + 1))


def test_short_answers_keep_their_meaning() -> None:
    # Error 3 is "none" to a list command; other errors are the op's errors; an object
    # where the list belongs is read as decode reads it.
    op = GetMessages()
    assert stream(op, [b'{"error": "no messages", "error_code": 3}']) == []
    with pytest.raises(OperationFailedError):
        stream(JobsGetAll(), [b'{"error": "not found", "error_code": 3}'])
    long_envelope = (
        b'<?xml version="1.0"?><result><error>'
        + b"x" * 100_000
        + b"</error><error_code>3</error_code></result>"
    )
    assert stream(GetMessages(fmt=2), pieces(long_envelope, 1000)) == []


# -- hostile bodies ----------------------------------------------------------------------------


def _refused_within(op: Any, chunks: Iterator[bytes], limit: int) -> DecodeError:
    """Feeds ``chunks`` until the decoder refuses; it must do so within ``limit`` bytes."""
    decoder = op.stream_decoder(HttpResponse(200, {"Content-Type": CONTENT_TYPES[op.fmt]}))
    fed = 0
    with pytest.raises(DecodeError) as caught:
        for chunk in chunks:
            fed += len(chunk)
            assert fed <= limit, "still reading past the bound of one record"
            decoder.feed(chunk)
        decoder.close()
    return caught.value


def _endless(start: bytes, unit: bytes) -> Iterator[bytes]:
    yield start
    block = unit * (65536 // len(unit) or 1)
    while True:
        yield block


@pytest.mark.parametrize(
    ("fmt", "start", "unit"),
    [
        (3, b'[{"id": 1, "message": "', b"a"),  # one endless string
        (3, b"[", b" "),  # whitespace where an element belongs
        (3, b'[{"id": [', b"[1],"),  # one endless element of nested arrays
        (0, b"ID = 1, message = ", b"x"),  # one endless line
        (2, b"<result><sms><id>1</id><message>", b"y"),  # one endless text
    ],
)
def test_a_record_without_end_is_refused_within_its_bound(fmt: int, start: bytes, unit: bytes) -> None:
    error = _refused_within(GetMessages(fmt=fmt), _endless(start, unit), MAX_RECORD_CHARS + 200_000)  # type: ignore[arg-type]
    assert "longer than" in str(error)


def test_an_item_of_a_flood_of_elements_is_refused() -> None:
    start = b"<result><sms><id>1</id>" + b"<x>1</x>" * 10 + b"</sms><sms>"
    error = _refused_within(GetMessages(fmt=2), _endless(start, b"<a/>"), 200_000)
    assert "elements" in str(error)


@pytest.mark.parametrize(
    "body",
    [
        b'[{"id": 1}, {"id": 2}',  # no closing bracket
        b'[{"id": 1}] trailing',
        b'[{"id": 1},, {"id": 2}]',
        b'[{"id": 1}}]',
    ],
)
def test_broken_arrays_are_decode_errors(body: bytes) -> None:
    decoder = ListStreamDecoder(GetMessages(), HttpResponse(200, {}), head_chars=0, batch_chars=1)
    with pytest.raises(DecodeError):
        for chunk in pieces(body, 3):
            decoder.feed(chunk)
        decoder.close()


# -- linear time -------------------------------------------------------------------------------


def _seconds_byte_by_byte(fmt: int, body: bytes) -> float:
    op = GetMessages(fmt=fmt)  # type: ignore[arg-type]
    decoder = ListStreamDecoder(op, HttpResponse(200, {"Content-Type": CONTENT_TYPES[fmt]}), head_chars=0)
    started = time.perf_counter()
    for at in range(len(body)):
        decoder.feed(body[at : at + 1])
    decoder.close()
    return time.perf_counter() - started


@pytest.mark.parametrize("fmt", [0, 2, 3])
def test_time_is_linear_however_the_body_is_cut(fmt: int) -> None:
    # One long record (a 60 KB / 240 KB message) fed a byte at a time: a decoder that
    # re-read what it holds at each byte would take 16 times as long for 4 times the text.
    def body(size: int) -> bytes:
        long = msgspec.structs.replace(MESSAGE, message="ж" * size)
        return GetMessages(fmt=fmt).render([long, *history(3)], fmt).body  # type: ignore[arg-type]

    small = min(_seconds_byte_by_byte(fmt, body(30_000)) for _ in range(2))
    large = min(_seconds_byte_by_byte(fmt, body(120_000)) for _ in range(2))
    assert large < 8 * small, (small, large)


def _seconds_in_chunks(fmt: int, body: bytes, chunk: int) -> float:
    op = GetMessages(fmt=fmt)  # type: ignore[arg-type]
    decoder = ListStreamDecoder(op, HttpResponse(200, {"Content-Type": CONTENT_TYPES[fmt]}), batch_chars=1)
    started = time.perf_counter()
    for at in range(0, len(body), chunk):
        decoder.feed(body[at : at + chunk])
    decoder.close()
    return time.perf_counter() - started


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        # Blank lines after the records: not held, not read again at each batch.
        (0, lambda n: body_of(0, 3) + b"\n" * n),
        # Text between XML items: not kept in the tree.
        (
            2,
            lambda n: (
                b"<result>"
                + (b"<sms><id>1</id><status>1</status></sms>" + b" " * 60_000) * (n // 60_000)
                + b"</result>"
            ),
        ),
    ],
)
def test_filler_between_records_costs_linear_time(fmt: int, body: Any) -> None:
    small = min(_seconds_in_chunks(fmt, body(1_000_000), 4096) for _ in range(2))
    large = min(_seconds_in_chunks(fmt, body(4_000_000), 4096) for _ in range(2))
    assert large < 8 * small, (small, large)
