"""jobs.php ops: parameters, validation, every answer shape, errors, round trips."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    DecodeError,
    HttpResponse,
    InvalidParameter,
    Job,
    JobCreated,
    JobRepeat,
    JobsAdd,
    JobsCancel,
    JobsDel,
    JobsGet,
    JobsGetAll,
    JobSummary,
    OkResult,
    OperationFailedError,
    ParameterError,
    RateLimit,
    RateLimitedError,
    SmscError,
)
from smsc_proto.op import CONTENT_TYPES, Op

FIXTURES = Path(__file__).resolve().parent.parent / "conformance" / "fixtures" / "jobs"
ADD = {"name": "Spring sale", "phones": ["79991234567"], "mes": "Sale"}


def decode(op: Op[Any], body: str, status: int = 200) -> Any:
    return op.decode(
        HttpResponse(status, {"Content-Type": "text/plain; charset=utf-8"}, body.encode("utf-8"))
    )


# -- requests ------------------------------------------------------------------------------


def test_add_params() -> None:
    op = JobsAdd(
        name="Weekly",
        phones=("79991234567", "79997654321"),
        mes="Hi",
        sender="SMSC",
        rpt=JobRepeat.WEEKLY,
        rptn=4,
        period=Decimal("1.5"),
        list_=None,
        cost=1,
        fmt=0,
    )
    params = dict(op.params())
    assert params["add"] == "1"
    assert params["phones"] == "79991234567,79997654321"
    assert (params["rpt"], params["rptn"], params["period"], params["cost"]) == ("5", "4", "1.5", "1")
    assert params["fmt"] == "0"
    assert op.path == "/sys/jobs.php"


def test_add_list_is_sent_as_list() -> None:
    op = JobsAdd.from_params({"name": "n", "list": "79991234567:Hi\n79997654321:Yo"})
    assert dict(op.params())["list"] == "79991234567:Hi\n79997654321:Yo"


def test_add_with_a_template_needs_no_text() -> None:
    assert dict(JobsAdd(name="n", phones=("79991234567",), tpl=3).params())["tpl"] == "3"


def test_unknown_repeat_value_is_kept() -> None:
    op = JobsAdd(name="n", phones=("79991234567",), mes="m", rpt=JobRepeat(9))
    assert op.rpt == 9
    assert dict(op.params())["rpt"] == "9"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"phones": ["79991234567"], "mes": "m", "name": ""}, "name"),
        ({"name": "n", "mes": "m"}, "phones"),
        ({"name": "n", "phones": []}, "phones"),
        ({"name": "n", "phones": ["79991234567"]}, "mes"),
        ({"name": "n", "phones": ["79991234567"], "mes": "m", "list": "x:y"}, "list"),
        ({"name": "n", "phones": ["79991234567"], "mes": "m" * 1001}, "mes"),
        ({"name": "n", "phones": ["79991234567"], "mes": "m", "cost": 2}, "cost"),
        ({"name": "n", "phones": ["79991234567"], "mes": "m", "tpl": 0}, "tpl"),
        ({"name": "n", "phones": ["79991234567"], "mes": "m", "rptn": -1}, "rptn"),
    ],
)
def test_add_validation(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        JobsAdd.from_params(params)
    assert info.value.field == field
    assert info.value.op == "jobs.add"


@pytest.mark.parametrize(("cls", "command"), [(JobsDel, "del"), (JobsCancel, "cancel"), (JobsGet, "get")])
def test_id_commands(cls: type[Op[Any]], command: str) -> None:
    assert cls.command == command
    op = cls.from_params({"id": "17"}, 1)
    assert op.params()[:2] == [(command, "1"), ("id", "17")]
    # The op's own command flag given in the params is implied, not sent twice.
    assert cls.from_params({"id": "17", command: 1}, 1) == op
    with pytest.raises(InvalidParameter):
        cls.from_params({"id": 0})
    with pytest.raises(InvalidParameter):
        cls.from_params({})


def test_get_all_dates_in_the_api_spelling_or_as_dates() -> None:
    assert JobsGetAll.from_params({"start": "01.03.2024", "end": "31.03.2024"}).params()[1:3] == [
        ("start", "01.03.2024"),
        ("end", "31.03.2024"),
    ]
    assert JobsGetAll(start=dt.date(2024, 3, 1)).params()[1] == ("start", "01.03.2024")
    with pytest.raises(InvalidParameter, match="start"):
        JobsGetAll.from_params({"start": "March"})
    with pytest.raises(InvalidParameter, match="end"):
        JobsGetAll(start=dt.date(2024, 3, 2), end=dt.date(2024, 3, 1))


def test_class_data() -> None:
    for op_id in ("jobs.add", "jobs.del", "jobs.cancel", "jobs.get", "jobs.get_all"):
        cls = OPS[op_id]
        assert cls.path == "/sys/jobs.php"
        assert cls.rate_limit == RateLimit(1)
        assert cls.errors[3][0] is OperationFailedError
        assert cls.errors[5][0] is ParameterError
    assert JobsAdd.idempotent is False
    assert JobsGet.idempotent is True


def test_result_types() -> None:
    assert JobsAdd.result_type is JobCreated
    assert JobsDel.result_type is OkResult
    assert JobsCancel.result_type is OkResult
    assert JobsGet.result_type is Job
    assert JobsGetAll.result_type == list[JobSummary]
    assert JobsGet(id=1).result_type is Job


@pytest.mark.parametrize(
    ("op", "command"),
    [
        (JobsAdd(name="n", phones=("79991234567",), mes="m"), "add"),
        (JobsDel(id=1), "del"),
        (JobsCancel(id=1), "cancel"),
        (JobsGet(id=1), "get"),
        (JobsGetAll(), "get_all"),
    ],
)
def test_each_command_is_sent_as_its_flag_first(op: Op[Any], command: str) -> None:
    assert op.command == command
    params = op.params()
    assert params[0] == (command, "1")
    assert [name for name, _ in params].count(command) == 1


# -- answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "body", "cost"),
    [
        (0, "OK, ID - 12", None),
        (0, "OK, ID - 12, COST - 4.80", "4.80"),
        (1, "12", None),
        (1, "12,4.80", "4.80"),
        (2, "<result><id>12</id><cost>4.80</cost></result>", "4.80"),
        (3, '{"id": 12, "cost": "4.80"}', "4.80"),
    ],
)
def test_add_answers(fmt: int, body: str, cost: str | None) -> None:
    result = decode(JobsAdd.from_params(ADD, fmt), body)
    assert result == JobCreated(id=12, cost=None if cost is None else Decimal(cost))


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("cls", [JobsDel, JobsCancel])
def test_ok_answers(fmt: int, cls: type[Op[Any]]) -> None:
    op = cls.from_params({"id": 5}, fmt)
    response = op.render(OkResult("OK"))
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    assert op.decode(response) == OkResult("OK")
    assert decode(op, response.body.decode()) == OkResult("OK")
    assert decode(op, "OK") == OkResult("OK")


GET_LINE = (
    "7|Name|Subj|2|10|01.03.2024 10:00:00|02.03.2024 11:00:00|0|00.00.0000 00:00:00|"
    "79991234567|Text|0|24|1.5|60|1|SMSC"
)


def test_get_fmt0_types_every_field() -> None:
    job = decode(JobsGet(id=7, fmt=0), GET_LINE)
    assert job == Job(
        id=7,
        name="Name",
        subject="Subj",
        repeat_send=2,
        repeat_cnt=10,
        created=dt.datetime(2024, 3, 1, 10, 0),
        changed=dt.datetime(2024, 3, 2, 11, 0),
        need_date=None,
        last_sent=None,
        phones="79991234567",
        message="Text",
        format=0,
        validity=24,
        period="1.5",
        frequency=60,
        status=1,
        sender_id="SMSC",
    )
    assert job.recipients == "79991234567"


def test_get_mail_names_the_position_emails() -> None:
    job = decode(JobsGet(id=7, fmt=1, mail=1), GET_LINE.replace("|", ";").replace("79991234567", "a@b.c"))
    assert (job.phones, job.emails, job.recipients) == (None, "a@b.c", "a@b.c")


def test_get_xml_and_json_take_whichever_key_came() -> None:
    op = JobsGet(id=7, fmt=2)
    assert decode(op, "<job><id>7</id><emails>a@b.c</emails></job>").emails == "a@b.c"
    assert decode(op, "<job><id>7</id><phones>7999</phones></job>").phones == "7999"
    op3 = JobsGet(id=7)
    job = decode(op3, '[{"id": 7, "emails": "a@b.c", "cost": "1.20", "sms_sent": 3, "sms_ok": 2}]')
    assert (job.emails, job.cost, job.sms_sent, job.sms_ok) == ("a@b.c", Decimal("1.20"), 3, 2)


def test_get_message_keeps_separators_and_line_breaks() -> None:
    line = GET_LINE.replace("|Text|", "|a | b\nc|d|")
    assert decode(JobsGet(id=7, fmt=0), line).message == "a | b\nc|d"


def test_get_all_records_and_multiline_messages() -> None:
    body = (
        "1|A|01.03.2024 10:00:00|||7999|one\ntwo | three|1|1.20|0|SMSC|0\n"
        "2|B|01.03.2024 10:00:00|||7888|plain|2|2.40|1||0\n"
    )
    jobs = decode(JobsGetAll(fmt=0), body)
    assert [j.id for j in jobs] == [1, 2]
    assert jobs[0].message == "one\ntwo | three"
    assert jobs[1] == JobSummary(
        id=2,
        name="B",
        changed=dt.datetime(2024, 3, 1, 10, 0),
        phones="7888",
        message="plain",
        phones_cnt=2,
        cost=Decimal("2.40"),
        status=1,
        sender_id="",
        format=0,
    )


@pytest.mark.parametrize(("fmt", "body"), [(0, ""), (1, "\n"), (2, "<sms_jobs/>"), (3, "[]")])
def test_get_all_empty(fmt: int, body: str) -> None:
    assert decode(JobsGetAll.from_params({}, fmt), body) == []


@pytest.mark.parametrize(
    ("code", "error"),
    [(1, ParameterError), (3, OperationFailedError), (5, ParameterError), (9, RateLimitedError)],
)
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_errors_by_code(code: int, error: type[SmscError], fmt: int) -> None:
    op = JobsGet.from_params({"id": 7}, fmt)
    response = op.render_error(code, "x")
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    with pytest.raises(error) as info:
        op.decode(response)
    assert type(info.value) is error
    assert info.value.code == code
    with pytest.raises(error):
        decode(op, response.body.decode())


@pytest.mark.parametrize(
    ("op", "body"),
    [
        (JobsGet(id=7, fmt=0), "7|Name|"),
        (JobsGet(id=7, fmt=3), "[]"),
        (JobsGet(id=7, fmt=3), "[{}, {}]"),
        (JobsGetAll(fmt=1), "1;x"),
        (JobsAdd(name="n", phones=("1",), mes="m", fmt=0), "OK"),
        (JobsDel(id=1, fmt=0), "DONE"),
    ],
)
def test_malformed_answers(op: Op[Any], body: str) -> None:
    with pytest.raises(DecodeError):
        decode(op, body)


# -- properties ----------------------------------------------------------------------------

_text = st.text(alphabet=st.sampled_from(list("ab Яя|;,\n-1")), max_size=15).map(str.strip)
_summary = st.builds(
    JobSummary,
    id=st.integers(min_value=1, max_value=2**31),
    name=st.text(alphabet="abc xyz", max_size=10).map(str.strip),
    changed=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    phones=st.just("79991234567,79997654321"),
    message=_text.filter(lambda t: t.count("\n") == 0 or (t.count("|") < 5 and t.count(";") < 5)),
    phones_cnt=st.integers(min_value=0, max_value=10**6),
    cost=st.decimals(min_value=0, max_value=10**6, places=2),
    status=st.integers(min_value=0, max_value=9),
    sender_id=st.sampled_from(["SMSC", ""]),
    format=st.integers(min_value=0, max_value=9),
)


@settings(max_examples=60, deadline=None)
@given(jobs=st.lists(_summary, max_size=4), fmt=st.sampled_from([0, 1, 2, 3]))
def test_get_all_round_trip(jobs: list[JobSummary], fmt: int) -> None:
    op = JobsGetAll.from_params({}, fmt)
    response = op.render(jobs)
    assert op.decode(response) == jobs
    assert decode(op, response.body.decode()) == jobs


_ops = st.sampled_from(
    [
        JobsAdd.from_params(ADD, 0),
        JobsAdd.from_params(dict(ADD, cost=1), 1),
        JobsDel(id=1, fmt=1),
        JobsCancel(id=1, fmt=3),
        JobsGet(id=1, fmt=0),
        JobsGet(id=1, fmt=1, mail=1),
        JobsGet(id=1, fmt=2),
        JobsGetAll(fmt=0),
        JobsGetAll(fmt=3),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    op=_ops, body=st.one_of(st.text(max_size=200), st.sampled_from(["|" * 16, ";" * 11, "[{}]", "<job/>"]))
)
def test_any_body_gives_a_result_or_a_typed_error(op: Op[Any], body: str) -> None:
    with contextlib.suppress(SmscError, DecodeError):
        decode(op, body)


def test_fixtures_decode() -> None:
    from smsc_conformance.runner import run

    report = run([FIXTURES], ["codec"])
    assert report.failed == 0, [c.reason for c in report.checks if not c.passed]
    assert report.passed >= 80
