"""downloads.get_file streamed, and the task pager driven, through both clients against a
loopback server; any body for a jobs/downloads op gives a typed result or a typed error."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from downloads_support import (
    CALLERS,
    CREDENTIALS,
    OPTIONS,
    STREAMERS,
    LoopbackServer,
    Reply,
    call_async,
    call_sync,
    stream_async,
    stream_sync,
)
from hypothesis import HealthCheck, given, settings, strategies as st
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client

from smsc_proto import (
    OPS,
    DecodeError,
    DownloadsGetFile,
    DownloadsGetList,
    NotFoundError,
    Op,
    RateLimitedError,
    SmscProtoError,
    Task,
    TaskPager,
    TaskStatus,
    TransportError,
)
from smsc_proto.formats.csvfile import render_csv

CSV = {"Content-Type": "text/csv; charset=utf-8"}

ROWS = [
    {"id": str(i), "phone": f"7999{i:07d}", "message": f'line {i}; with "quotes"\r\nand a break'}
    for i in range(1, 2001)
]
FILE = render_csv(ROWS).encode("utf-8")


def _in_pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("stream", STREAMERS)
@pytest.mark.parametrize("mode", ["length", "chunked"])
def test_get_file_streams_every_row(server: LoopbackServer, stream: Any, mode: Any) -> None:
    server.respond = lambda path, form: Reply(200, CSV, _in_pieces(FILE, 7777), mode)
    rows = stream(server.url, DownloadsGetFile(id=41))
    assert rows == ROWS
    path, form = server.requests[-1]
    assert path == "/sys/downloads.php"
    assert (form["get_file"], form["id"]) == ("1", "41")


@pytest.mark.parametrize("stream", STREAMERS)
def test_get_file_by_name_windows_1251(server: LoopbackServer, stream: Any) -> None:
    rows = [{"phone": "79991234567", "message": "Привет; мир"}]
    body = render_csv(rows).encode("cp1251")
    server.respond = lambda path, form: Reply(200, {"Content-Type": "text/csv"}, body, "chunked")
    assert stream(server.url, DownloadsGetFile(name="export 41.csv")) == rows
    assert server.requests[-1][1]["name"] == "export 41.csv"


@pytest.mark.parametrize("stream", STREAMERS)
@pytest.mark.parametrize(
    "body",
    [
        "ERROR = 5 (task not found)",
        "0,-5",
        "<result>\n<error>task not found</error>\n<error_code>5</error_code>\n</result>",
        '{\n"error": "task not found",\n"error_code": 5\n}',
    ],
    ids=["fmt0", "fmt1", "fmt2", "fmt3"],
)
def test_get_file_error_envelope(server: LoopbackServer, stream: Any, body: str) -> None:
    server.respond = lambda path, form: Reply(200, {"Content-Type": "text/plain"}, body.encode(), "chunked")
    with pytest.raises(NotFoundError) as info:
        stream(server.url, DownloadsGetFile(id=41))
    assert info.value.code == 5
    assert info.value.op == "downloads.get_file"


@pytest.mark.parametrize("stream", STREAMERS)
def test_get_file_truncated_csv_is_a_decode_error(server: LoopbackServer, stream: Any) -> None:
    cut = FILE[: FILE.index(b"and a break", len(FILE) // 2)]  # inside a quoted field
    server.respond = lambda path, form: Reply(200, CSV, _in_pieces(cut, 4096), "chunked")
    with pytest.raises(DecodeError, match="cut short"):
        stream(server.url, DownloadsGetFile(id=41))


@pytest.mark.parametrize("stream", STREAMERS)
def test_get_file_connection_dropped_mid_body(server: LoopbackServer, stream: Any) -> None:
    server.respond = lambda path, form: Reply(200, CSV, FILE[:50_000], "cut")
    with pytest.raises(TransportError):
        stream(server.url, DownloadsGetFile(id=41))


@pytest.mark.parametrize("stream", STREAMERS)
def test_get_file_pdf_is_a_decode_error(server: LoopbackServer, stream: Any) -> None:
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 100
    server.respond = lambda path, form: Reply(200, {"Content-Type": "application/pdf"}, pdf)
    with pytest.raises(DecodeError, match="PDF"):
        stream(server.url, DownloadsGetFile(id=41))


@pytest.mark.parametrize("call", CALLERS)
def test_get_file_call_returns_all_rows(server: LoopbackServer, call: Any) -> None:
    server.respond = lambda path, form: Reply(200, CSV, FILE, "chunked")
    assert call(server.url, DownloadsGetFile(id=41)) == ROWS


@pytest.mark.parametrize("stream", STREAMERS)
def test_get_file_rendered_by_the_op_streams_back(server: LoopbackServer, stream: Any) -> None:
    # What DownloadsGetFile.render writes (an emulator's answer) streams back row for row.
    response = DownloadsGetFile(id=41).render(ROWS[:300])
    server.respond = lambda path, form: Reply(
        response.status, dict(response.headers), _in_pieces(response.body, 1000), "chunked"
    )
    assert stream(server.url, DownloadsGetFile(id=41)) == ROWS[:300]


# -- the pager, driven by each client ------------------------------------------------------

TASKS = [
    Task(id=i, name=f"Export {i}", status=TaskStatus(i % 5), file=f"export_{i}.csv") for i in range(1, 12)
]


def _list_pages(path: str, form: dict[str, str]) -> Reply:
    """get_list honouring cnt and after_id, as the service pages (fmt=3)."""
    op = OPS["downloads.get_list"].from_params({"cnt": form["cnt"], "after_id": form.get("after_id")}, 3)
    after = int(form.get("after_id") or 0)
    page = [t for t in TASKS if t.id > after][: int(form["cnt"])]
    response = op.render(page)
    return Reply(response.status, dict(response.headers), response.body)


def test_task_pager_with_the_sync_client(server: LoopbackServer) -> None:
    server.respond = _list_pages
    with Client(CREDENTIALS, hosts=[server.url], **OPTIONS) as client:
        tasks = list(TaskPager(cnt=4).iterate(client.call))
    assert [t.id for t in tasks] == [t.id for t in TASKS]
    assert tasks[1].status is TaskStatus.COMPLETED
    sent = [form.get("after_id") for _, form in server.requests]
    assert sent == [None, "4", "8", "11"]  # the last page comes back empty


async def test_task_pager_with_the_async_client(server: LoopbackServer) -> None:
    server.respond = _list_pages
    async with AsyncClient(CREDENTIALS, hosts=[server.url], **OPTIONS) as client:
        pager = TaskPager(cnt=5)
        tasks = [task async for task in pager.aiterate(client.call)]
        assert pager.pages == 4  # 5 + 5 + 1, then an empty page
    assert tasks == TASKS


def test_task_pager_driven_by_hand(server: LoopbackServer) -> None:
    server.respond = _list_pages
    seen: list[int] = []
    with Client(CREDENTIALS, hosts=[server.url], **OPTIONS) as client:
        pager = TaskPager(cnt=100)
        op: DownloadsGetList | None = pager.first_op()
        while op is not None:
            page = client.call(op)
            seen += [t.id for t in pager.fresh(page)]
            op = pager.next_op(page)
    assert seen == [t.id for t in TASKS]


# -- any body: a typed result or a typed error ---------------------------------------------

_OPS = [
    OPS["downloads.get_file"].from_params({"id": 41}, 0),
    OPS["downloads.get_file"].from_params({"name": "x.csv"}, 3),
    OPS["downloads.get_list"].from_params({"cnt": 5}, 1),
    OPS["downloads.get_list"].from_params({}, 3),
    OPS["jobs.get"].from_params({"id": 1}, 0),
    OPS["jobs.get_all"].from_params({}, 1),
    OPS["jobs.add"].from_params({"name": "n", "phones": "79991234567", "mes": "m"}, 2),
    OPS["jobs.del"].from_params({"id": 1}, 3),
]

_bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.sampled_from(
        [
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
            b"ERROR = 5 (task not found)",
            b"0,-9",
            b"<result><error>x</error><error_code>4</error_code></result>",
            b'{"error": "x", "error_code": 2}',
            b'id;phone\r\n1;"7999\r\n',
            b"id;phone\r\n1;7999\r\n",
            b"<html><body>502</body></html>",
            b"OK",
            b"[]",
        ]
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=_bodies,
    status=st.sampled_from([200, 200, 200, 404, 500]),
    mode=st.sampled_from(["length", "chunked", "cut"]),
    content_type=st.sampled_from(["text/csv", "text/plain; charset=utf-8", "application/json", "text/html"]),
    op=st.sampled_from(_OPS),
    use_async=st.booleans(),
    streaming=st.booleans(),
)
def test_any_body_gives_a_typed_outcome(
    server: LoopbackServer,
    body: bytes,
    status: int,
    mode: Any,
    content_type: str,
    op: Op[Any],
    use_async: bool,
    streaming: bool,
) -> None:
    server.respond = lambda path, form: Reply(status, {"Content-Type": content_type}, body, mode)
    run = {
        (False, False): call_sync,
        (False, True): stream_sync,
        (True, False): call_async,
        (True, True): stream_async,
    }[(use_async, streaming)]
    with contextlib.suppress(SmscProtoError):
        result = run(server.url, op)
        assert result is not None


def test_local_rate_limit_applies_to_downloads() -> None:
    # Requests that never left (connection refused) are not counted: the API saw none.
    with Client(CREDENTIALS, hosts=["http://127.0.0.1:9"], max_attempts=1) as refused:
        for _ in range(5):
            with pytest.raises(TransportError):
                refused.call(DownloadsGetFile(id=41))
    # Answered ones are: the fourth identical request within a minute is refused locally.
    with LoopbackServer(lambda path, form: Reply(200, {"Content-Type": "text/csv"}, b"id;x\n1;2\n")) as srv:
        with Client(CREDENTIALS, hosts=[srv.url]) as client:
            for _ in range(3):
                client.call(DownloadsGetFile(id=41))
            with pytest.raises(RateLimitedError) as info:
                client.call(DownloadsGetFile(id=41))
        assert len(srv.requests) == 3
    assert info.value.retry_after is not None
