"""downloads.php ops and the after_id pager (pure; the clients are in
test_downloads_transports.py)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    AfterIdPager,
    CsvRow,
    DecodeError,
    DownloadsGetFile,
    DownloadsGetList,
    FileOp,
    HttpResponse,
    InvalidParameter,
    NotFoundError,
    RateLimit,
    SmscError,
    Task,
    TaskPager,
    TaskStatus,
)
from smsc_proto.op import Fmt, Op

FIXTURES = Path(__file__).resolve().parent.parent / "conformance" / "fixtures" / "downloads"


def decode(
    op: Op[Any], body: str | bytes, content_type: str = "text/plain; charset=utf-8", status: int = 200
) -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return op.decode(HttpResponse(status, {"Content-Type": content_type}, raw))


# -- requests ------------------------------------------------------------------------------


def test_get_list_params() -> None:
    assert DownloadsGetList(cnt=10, after_id=41, fmt=0).params()[:4] == [
        ("get_list", "1"),
        ("cnt", "10"),
        ("after_id", "41"),
        ("fmt", "0"),
    ]
    assert DownloadsGetList().params()[:2] == [("get_list", "1"), ("fmt", "3")]


@pytest.mark.parametrize("params", [{"cnt": 0}, {"cnt": -5}, {"after_id": -1}, {"cnt": "many"}])
def test_get_list_validation(params: dict[str, Any]) -> None:
    with pytest.raises(InvalidParameter):
        DownloadsGetList.from_params(params)


def test_get_file_by_id_or_name() -> None:
    assert DownloadsGetFile(id=41).params()[:2] == [("get_file", "1"), ("id", "41")]
    assert DownloadsGetFile(name="export_41.csv").params()[:2] == [
        ("get_file", "1"),
        ("name", "export_41.csv"),
    ]


@pytest.mark.parametrize("params", [{}, {"id": 41, "name": "x.csv"}])
def test_get_file_needs_exactly_one_of_id_and_name(params: dict[str, Any]) -> None:
    with pytest.raises(InvalidParameter) as info:
        DownloadsGetFile.from_params(params)
    assert info.value.field == "id or name"
    assert "id" in str(info.value)
    assert "name" in str(info.value)


@pytest.mark.parametrize("params", [{"id": 0}, {"name": " "}])
def test_get_file_bad_values(params: dict[str, Any]) -> None:
    with pytest.raises(InvalidParameter):
        DownloadsGetFile.from_params(params)


def test_class_data() -> None:
    for op_id in ("downloads.get_list", "downloads.get_file"):
        cls = OPS[op_id]
        assert cls.path == "/sys/downloads.php"
        assert cls.rate_limit == RateLimit(3)
        assert cls.errors[5][0] is NotFoundError
        assert cls.idempotent


# -- get_list answers ----------------------------------------------------------------------

T41 = Task(
    id=41,
    name="Export, March",
    status=TaskStatus.COMPLETED,
    created=dt.datetime(2024, 4, 1, 10, 0),
    time=dt.datetime(2024, 4, 1, 10, 2, 13),
    file="export,41.csv",
)


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (
            0,
            "id = 41, name = Export, March, status = 2, created = 01.04.2024 10:00:00, "
            "time = 01.04.2024 10:02:13, file = export,41.csv",
        ),
        (1, "41,Export, March,2,01.04.2024 10:00:00,01.04.2024 10:02:13,export,41.csv"),
        (
            2,
            "<list><task><id>41</id><name>Export, March</name><status>2</status>"
            "<created>01.04.2024 10:00:00</created><time>01.04.2024 10:02:13</time>"
            "<file>export,41.csv</file></task></list>",
        ),
        (
            3,
            '[{ "id": 41, "name": "Export, March", "status": "2", "created": "01.04.2024 10:00:00",'
            ' "time": "01.04.2024 10:02:13", "file": "export,41.csv"}]',
        ),
    ],
)
def test_get_list_every_fmt(fmt: int, body: str) -> None:
    assert decode(DownloadsGetList.from_params({}, fmt), body) == [T41]


def test_get_list_fmt1_with_dates_in_another_form_falls_back() -> None:
    # Dates the anchoring pattern does not know: the name takes the extra commas.
    body = "7,Export, all,4,2024-04-01 10:00:00,2024-04-01 10:05:00,f.csv"
    (task,) = decode(DownloadsGetList(fmt=1), body)
    assert (task.name, task.status, task.file) == ("Export, all", TaskStatus.FAILED, "f.csv")
    assert task.created == dt.datetime(2024, 4, 1, 10, 0)


def test_task_status_is_open() -> None:
    assert TaskStatus(9).name == "UNKNOWN_9"
    (task,) = decode(DownloadsGetList(), '[{"id": 1, "status": "9"}]')
    assert task.status == 9


@pytest.mark.parametrize(("fmt", "body"), [(0, ""), (1, " \n"), (2, "<list/>"), (3, "[]")])
def test_get_list_empty(fmt: int, body: str) -> None:
    assert decode(DownloadsGetList.from_params({}, fmt), body) == []


@settings(max_examples=40, deadline=None)
@given(
    tasks=st.lists(
        st.builds(
            Task,
            id=st.integers(min_value=1, max_value=2**31),
            name=st.text(alphabet="ab ,Яz", max_size=12).map(str.strip),
            status=st.sampled_from(list(TaskStatus)),
            created=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1)).map(
                lambda d: d.replace(microsecond=0)
            ),
            time=st.none(),
            file=st.text(alphabet="ab_,.", max_size=12).map(str.strip),
        ),
        max_size=4,
    ),
    fmt=st.sampled_from([0, 1, 2, 3]),
)
def test_get_list_round_trip(tasks: list[Task], fmt: int) -> None:
    op = DownloadsGetList.from_params({}, fmt)
    assert op.decode(op.render(tasks)) == tasks


@settings(max_examples=150, deadline=None)
@given(body=st.text(max_size=200), fmt=st.sampled_from([0, 1, 2, 3]))
def test_get_list_any_body_gives_a_result_or_a_typed_error(body: str, fmt: int) -> None:
    with contextlib.suppress(SmscError, DecodeError):
        decode(DownloadsGetList.from_params({}, fmt), body)


# -- get_file (whole response) -------------------------------------------------------------


def test_get_file_decode_and_render() -> None:
    op = DownloadsGetFile(id=41, fmt=0)
    rows = [{"id": "1", "message": 'a;b "c"\nd'}, {"id": "2", "message": ""}]
    assert op.decode(op.render(rows)) == rows
    assert op.decode_text(op.render(rows).body.decode()) == rows


def test_get_file_error() -> None:
    with pytest.raises(NotFoundError):
        decode(DownloadsGetFile(name="x.csv"), "ERROR = 5 (task not found)")


def test_get_file_is_a_file_op_without_a_record_shape() -> None:
    op = DownloadsGetFile(id=41)
    assert isinstance(op, FileOp)
    with pytest.raises(TypeError, match=r"downloads\.get_file"):
        op.result_shape()


def test_get_file_render_is_the_csv_file_whatever_the_fmt() -> None:
    rows: list[CsvRow] = [{"id": "1", "phone": "79991234567", "message": "Привет; мир"}]
    op = DownloadsGetFile(id=41)
    response = op.render(rows)
    assert response.status == 200
    assert response.header("Content-Type") == "text/csv; charset=utf-8"
    assert response.body.decode("utf-8") == 'id;phone;message\r\n1;79991234567;"Привет; мир"\r\n'
    assert all(op.render(rows, fmt) == response for fmt in (0, 1, 2, 3))
    assert op.decode(response) == rows


@pytest.mark.parametrize("rows", [[], [{}]], ids=["no rows", "no columns"])
def test_get_file_render_needs_a_column(rows: list[CsvRow]) -> None:
    with pytest.raises(ValueError, match="column"):
        DownloadsGetFile(id=41).render(rows)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_get_file_rendered_error_decodes_to_the_error(fmt: Fmt) -> None:
    op = DownloadsGetFile(id=41, fmt=fmt)
    response = op.render_error(5, "task not found")
    with pytest.raises(NotFoundError) as info:
        op.decode(response)
    assert (info.value.code, info.value.op) == (5, "downloads.get_file")
    with pytest.raises(NotFoundError):
        list(_streamed(op, response, 3))


def _streamed(op: DownloadsGetFile, response: HttpResponse, step: int) -> list[CsvRow]:
    decoder = op.stream_decoder(HttpResponse(response.status, response.headers))
    rows: list[CsvRow] = []
    for start in range(0, len(response.body), step):
        rows += decoder.feed(response.body[start : start + step])
    return rows + decoder.close()


_names = st.lists(
    st.text(alphabet="abcxyz_ яю", min_size=1, max_size=8).map(str.strip).filter(bool),
    min_size=1,
    max_size=5,
    unique=True,
)
_cells = st.text(alphabet=st.sampled_from(list('ab ;,\t"\r\nюя€1%<{')), max_size=12)


@settings(max_examples=80, deadline=None)
@given(names=_names, data=st.data(), step=st.integers(min_value=1, max_value=64))
def test_get_file_rows_round_trip(names: list[str], data: st.DataObject, step: int) -> None:
    rows = data.draw(st.lists(st.fixed_dictionaries({n: _cells for n in names}), min_size=1, max_size=6))
    rows = [r for r in rows if any(r.values())]  # an all-empty row is a blank line: skipped by design
    op = DownloadsGetFile(name="export.csv")
    if not rows:
        with pytest.raises(ValueError):
            op.render(rows)
        return
    response = op.render(rows)
    assert op.decode(response) == rows
    assert op.decode_text(response.body.decode("utf-8")) == rows
    assert _streamed(op, response, step) == rows


# -- the pager -----------------------------------------------------------------------------


def _tasks(*ids: int) -> list[Task]:
    return [Task(id=i) for i in ids]


def test_pager_walks_until_an_empty_page() -> None:
    pager = TaskPager(cnt=2, fmt=0)
    op = pager.first_op()
    assert (op.cnt, op.after_id, op.fmt) == (2, None, 0)
    nxt = pager.next_op(_tasks(1, 2))
    assert nxt is not None
    assert nxt.after_id == 2
    # A short page is not taken as the last one: the API states no cap on cnt.
    nxt = pager.next_op(_tasks(3))
    assert nxt is not None
    assert nxt.after_id == 3
    assert pager.next_op([]) is None
    assert pager.done
    assert pager.pages == 3


def test_pager_stops_when_the_server_ignores_after_id() -> None:
    pager = TaskPager(cnt=10)
    page = _tasks(5, 3, 4)
    assert pager.next_op(page) is not None
    assert pager.fresh(page) == []
    assert pager.next_op(page) is None


def test_pager_starts_after_a_given_id_and_filters_old_items() -> None:
    pager = TaskPager(cnt=10, after_id=4)
    assert pager.first_op().after_id == 4
    assert [t.id for t in pager.fresh(_tasks(3, 5, 6))] == [5, 6]


def test_pager_checks_its_parameters_at_once() -> None:
    with pytest.raises(InvalidParameter):
        TaskPager(cnt=0)


def test_pager_iterate_and_aiterate_with_a_plain_function() -> None:
    store = _tasks(*range(1, 8))
    calls: list[DownloadsGetList] = []

    def call(op: DownloadsGetList) -> list[Task]:
        calls.append(op)
        after = op.after_id or 0
        return [t for t in store if t.id > after][: op.cnt or None]

    assert list(TaskPager(cnt=3).iterate(call)) == store
    assert [c.after_id for c in calls] == [None, 3, 6, 7]

    async def acall(op: DownloadsGetList) -> list[Task]:
        return call(op)

    async def collect() -> list[Task]:
        return [t async for t in TaskPager(cnt=3).aiterate(acall)]

    assert asyncio.run(collect()) == store


def test_generic_pager() -> None:
    pager: AfterIdPager[tuple[str, int | None], Task] = AfterIdPager(lambda after: ("get", after))
    assert pager.first_op() == ("get", None)
    assert pager.next_op(_tasks(9, 2)) == ("get", 9)


def test_fixtures_decode() -> None:
    from smsc_conformance.runner import run

    report = run([FIXTURES], ["codec"])
    assert report.failed == 0, [c.reason for c in report.checks if not c.passed]
    assert report.passed >= 40
