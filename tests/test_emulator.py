"""The emulator (direct and matching modes, faults), the demo and the ``smsc`` CLI."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import urllib3
from conformance_support import balance_case, balance_fixture, http, post_form, write_fixture
from smsc_aiohttp import AsyncClient
from smsc_conformance import demo
from smsc_conformance.emulator import GARBAGE, Emulator
from smsc_conformance.fixtures import CannedResponse, parse_fixture
from smsc_urllib3 import Client

import smsc_proto
from smsc_proto.ops.balance import Balance, BalanceResult
from smsc_proto.ops.documents import DocumentFile, DocumentsAddAccount, DocumentsGetAccount, InvoiceResult
from smsc_proto.ops.downloads import DownloadsGetFile

CREDS = smsc_proto.Credentials(login="tester", psw="emulator-secret")
NO_RETRY: dict[str, object] = {"max_attempts": 1, "backoff": 0, "rate_limits": False, "read_timeout": 10.0}


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


# -- direct mode --------------------------------------------------------------------------------


def test_direct_mode_serves_bytes_status_and_headers_exactly(emulator: Emulator) -> None:
    body = "ERROR = 2 (ошибка)\r\n".encode("cp1251") + b"\x00\xff"
    headers = (
        ("Content-Type", "text/plain; charset=windows-1251"),
        ("X-Thing", "1"),
        ("Content-Length", "999"),
    )
    case = emulator.add_case(CannedResponse(418, headers, body))
    response = post_form(
        emulator.case_url(case) + "/sys/balance.php?x=1", {"login": "a", "psw": "b", "fmt": "0"}
    )
    assert response.status == 418
    assert response.data == body  # the fixture's Content-Length is not trusted
    assert response.headers["Content-Type"] == "text/plain; charset=windows-1251"
    assert response.headers["X-Thing"] == "1"
    (seen,) = emulator.requests_for(case)
    assert seen.method == "POST"
    assert seen.path == "/sys/balance.php"
    assert seen.target == f"/_case/{case}/sys/balance.php?x=1"
    assert seen.query == (("x", "1"),)
    assert seen.form == (("login", "a"), ("psw", "b"), ("fmt", "0"))
    assert seen.params() == {"x": "1", "login": "a", "psw": "b", "fmt": "0"}
    assert seen.fault is None


def test_direct_mode_with_a_transport(emulator: Emulator) -> None:
    case = emulator.add_case(CannedResponse(200, (), b'{"balance": "12.50", "currency": "RUR"}'))
    with Client(CREDS, hosts=[emulator.case_url(case)], **NO_RETRY) as client:
        result = client.call(Balance(cur=1))
    assert result == BalanceResult(balance=Decimal("12.50"), currency="RUR")
    (seen,) = emulator.requests_for(case)
    assert dict(seen.form)["psw"] == "emulator-secret"
    assert "emulator-secret" not in seen.target


def test_unknown_case_is_404(emulator: Emulator) -> None:
    response = post_form(emulator.case_url("nope") + "/sys/balance.php", {})
    assert response.status == 404
    assert b"no case 'nope'" in response.data


def test_alias_serves_a_case_under_another_name(emulator: Emulator) -> None:
    one = emulator.add_case(CannedResponse(200, (), b"one"))
    two = emulator.add_case(CannedResponse(200, (), b"two"))
    emulator.alias_case("run", one)
    assert post_form(emulator.case_url("run") + "/x", {}).data == b"one"
    emulator.alias_case("run", two)
    assert post_form(emulator.case_url("run") + "/x", {}).data == b"two"
    assert [r.case_id for r in emulator.requests] == [one, two]
    with pytest.raises(KeyError):
        emulator.alias_case("run", "missing")


def test_multipart_form_is_recorded(emulator: Emulator) -> None:
    case = emulator.add_case(CannedResponse(200, (), b"OK"))
    http().request("POST", emulator.case_url(case) + "/sys/senders.php", fields={"sender": "Имя", "fmt": "3"})
    (seen,) = emulator.requests_for(case)
    assert dict(seen.form) == {"sender": "Имя", "fmt": "3"}


def test_case_ids_are_checked(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="case id"):
        emulator.add_case(CannedResponse(200), "a/b")
    assert emulator.add_case(CannedResponse(200), "send.fmt0-ok") == "send.fmt0-ok"


# -- matching mode --------------------------------------------------------------------------------


def test_matching_prefers_specific_then_success_then_fmt() -> None:
    error = {"error": {"code": 2}}
    fixtures = [
        balance_case("generic-error", {}, "ERROR = 2 (authorise error)", expect=error),
        balance_case("generic-ok", {}, "1.00"),
        balance_case("fmt3-ok", {}, '{"balance": "3.00"}', fmt=3),
        balance_case("cur", {"cur": "1"}, "2.00 RUR"),
        balance_case(
            "cur-error",
            {"cur": "1", "fmt": "0"},
            "ERROR = 9 (duplicate request)",
            expect={"error": {"code": 9}},
        ),
    ]
    with Emulator(fixtures) as emu:
        url = emu.base_url + "/sys/balance.php"
        assert post_form(url, {"fmt": "0"}).data == b"1.00"  # success over error, fmt=0 match
        assert post_form(url, {"fmt": "3"}).data == b'{"balance": "3.00"}'  # the fmt asked for
        assert post_form(url, {}).data == b"1.00"  # the API's default fmt is 0
        assert post_form(url, {"cur": "1", "fmt": "1"}).data == b"2.00 RUR"  # more params matched
        assert post_form(url, {"cur": "1", "fmt": "0"}).data == b"ERROR = 9 (duplicate request)"
        assert post_form(emu.base_url + "/sys/balance.php?cur=1&fmt=0", {}).data.startswith(b"ERROR = 9")
        missing = post_form(emu.base_url + "/sys/send.php", {})
        assert missing.status == 404
        assert b"no fixture matches /sys/send.php" in missing.data
        assert [r.case_id for r in emu.requests] == [None] * 7


def test_matching_without_a_request_spec_uses_the_ops_params() -> None:
    data = balance_fixture(input={"cur": 1}, response={"status": 200, "headers": {}, "body": "5.00 RUR"})
    del data["request"]
    with Emulator([parse_fixture(data, "x")]) as emu:
        url = emu.base_url + "/sys/balance.php"
        assert post_form(url, {"cur": "1", "fmt": "3", "charset": "utf-8"}).data == b"5.00 RUR"
        assert post_form(url, {"fmt": "3", "charset": "utf-8"}).status == 404


def test_matching_mode_with_both_clients(tmp_path: Path) -> None:
    fixture = balance_case("ok", {"fmt": "0"}, "42.10", fmt=0)
    with Emulator([fixture]) as emu:
        with Client(CREDS, hosts=[emu.base_url], **NO_RETRY) as client:
            assert client.call(Balance(fmt=0)).balance == Decimal("42.10")

        async def call() -> BalanceResult:
            aclient = AsyncClient(CREDS, hosts=[emu.base_url], **NO_RETRY)
            try:
                result = await aclient.call(Balance(fmt=0))
                return result
            finally:
                await aclient.close()

        assert asyncio.run(call()).balance == Decimal("42.10")


# -- answers written by the codec (op.render) ----------------------------------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\xff\r\n%%EOF\n"


def _both_clients(url: str, op: smsc_proto.Op[Any]) -> tuple[object, object]:
    with Client(CREDS, hosts=[url], **NO_RETRY) as client:
        sync = client.call(op)

    async def call() -> object:
        aclient = AsyncClient(CREDS, hosts=[url], **NO_RETRY)
        try:
            return await aclient.call(op)
        finally:
            await aclient.close()

    return sync, asyncio.run(call())


def test_a_rendered_pdf_is_served_as_is_and_decoded_by_both_clients(emulator: Emulator) -> None:
    op = DocumentsGetAccount(user="client1", id=301)
    document = DocumentFile(pdf=PDF, filename="invoice-301.pdf")
    answer = op.render(document)
    assert (answer.status, answer.header("Content-Type"), answer.body) == (200, "application/pdf", PDF)
    case = emulator.add_case(answer)  # an HttpResponse, served as it is
    raw = post_form(emulator.case_url(case) + "/sys/documents.php", {"get_account": "1", "id": "301"})
    assert (raw.status, raw.data) == (200, PDF)
    assert raw.headers["Content-Type"] == "application/pdf"
    assert raw.headers["Content-Disposition"] == 'attachment; filename="invoice-301.pdf"'
    sync, async_ = _both_clients(emulator.case_url(case), op)
    assert sync == document
    assert async_ == document
    _, *sent = emulator.requests_for(case)
    assert [(r.path, dict(r.form)["get_account"], dict(r.form)["id"]) for r in sent] == [
        ("/sys/documents.php", "1", "301")
    ] * 2


@pytest.mark.parametrize(
    ("op", "result", "content_type"),
    [
        (DocumentsGetAccount(user_id=17, id=302), DocumentFile(pdf=PDF), "application/pdf"),
        (
            DocumentsAddAccount(user="client1", sum=Decimal("1500.00")),
            InvoiceResult(id=77, sum=Decimal("1500.00"), pdf=PDF, filename="invoice-77.pdf"),
            "multipart/mixed",
        ),
        (
            DownloadsGetFile(id=42),
            [{"phone": "79991234567", "text": 'a;b "c"'}, {"phone": "79991234568", "text": "ё"}],
            "text/csv",
        ),
    ],
    ids=["pdf-no-name", "multipart", "csv"],
)
def test_rendered_file_answers_round_trip_through_both_clients(
    emulator: Emulator, op: smsc_proto.Op[Any], result: object, content_type: str
) -> None:
    answer = op.render(result)
    assert (answer.header("Content-Type") or "").startswith(content_type)
    case = emulator.add_case(CannedResponse.of(answer))
    assert _both_clients(emulator.case_url(case), op) == (result, result)
    assert len(emulator.requests_for(case)) == 2


def test_a_rendered_error_of_a_file_op_is_its_api_error(emulator: Emulator) -> None:
    op = DocumentsGetAccount(user="client1", id=301, fmt=3)
    case = emulator.add_case(op.render_error(7, "document not found"))
    for outcome in _outcomes(emulator.case_url(case), op):
        assert isinstance(outcome, smsc_proto.NotFoundError)
        assert (outcome.code, outcome.description) == (7, "document not found")


def _outcomes(url: str, op: smsc_proto.Op[Any]) -> list[BaseException]:
    caught: list[BaseException] = []
    with Client(CREDS, hosts=[url], **NO_RETRY) as client:
        try:
            client.call(op)
        except smsc_proto.SmscProtoError as exc:
            caught.append(exc)

    async def call() -> None:
        aclient = AsyncClient(CREDS, hosts=[url], **NO_RETRY)
        try:
            await aclient.call(op)
        except smsc_proto.SmscProtoError as exc:
            caught.append(exc)
        finally:
            await aclient.close()

    asyncio.run(call())
    assert len(caught) == 2, caught
    return caught


# -- faults ------------------------------------------------------------------------------------------


def test_fault_paths_compose_with_cases(emulator: Emulator) -> None:
    case = emulator.add_case(CannedResponse(200, (), b"0123456789"))
    assert emulator.fault_url("stall", 2, case_id=case).endswith(f"/_fault/stall/2/_case/{case}")
    with pytest.raises(ValueError, match="unknown fault"):
        emulator.fault_url("explode")
    with pytest.raises(ValueError, match="needs an argument"):
        emulator.fault_url("status")
    with pytest.raises(ValueError, match="takes none"):
        emulator.fault_url("reset", 1)
    bad = post_form(emulator.base_url + "/_fault/explode/_case/" + case, {})
    assert bad.status == 400
    assert post_form(emulator.base_url + "/_fault/status/200/x", {}).status == 400
    assert post_form(emulator.fault_url("status", 503, case_id=case) + "/sys/x.php", {}).status == 503
    assert post_form(emulator.fault_url("stall", 0, case_id=case) + "/sys/x.php", {}).data == b"0123456789"
    assert {r.fault for r in emulator.requests_for(case)} == {"status", "stall"}


def test_raw_faults(emulator: Emulator) -> None:
    case = emulator.add_case(CannedResponse(200, (("Content-Type", "text/plain"),), b"0123456789"))
    with pytest.raises(urllib3.exceptions.ProtocolError):
        post_form(emulator.fault_url("reset", case_id=case) + "/sys/x.php", {})
    with pytest.raises(urllib3.exceptions.ProtocolError, match="IncompleteRead"):
        post_form(emulator.fault_url("truncate", case_id=case) + "/sys/x.php", {})
    garbage = post_form(emulator.fault_url("garbage", case_id=case) + "/sys/x.php", {})
    assert (garbage.status, garbage.data, garbage.headers["Content-Type"]) == (200, GARBAGE, "text/plain")
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        post_form(emulator.fault_url("stall", 30, case_id=case) + "/sys/x.php", {}, timeout=0.3)
    # The emulator still answers, and stop() below cuts the stalled exchange.
    assert post_form(emulator.case_url(case) + "/sys/x.php", {}).data == b"0123456789"


FAULT_OUTCOMES = [
    ("reset", None, smsc_proto.TransportError),
    ("stall", 30, smsc_proto.TransportError),
    ("status", 503, smsc_proto.DecodeError),
    ("truncate", None, smsc_proto.TransportError),
    ("garbage", None, smsc_proto.DecodeError),
]


def _fault_client_options(kind: str) -> dict[str, object]:
    return NO_RETRY | ({"read_timeout": 0.3} if kind == "stall" else {})


@pytest.mark.parametrize(("kind", "arg", "error"), FAULT_OUTCOMES)
def test_faults_with_the_sync_client(
    emulator: Emulator, kind: str, arg: int | None, error: type[Exception]
) -> None:
    case = emulator.add_case(CannedResponse(200, (), b'{"balance": "1.00"}'))
    url = emulator.fault_url(kind, arg, case_id=case)
    with Client(CREDS, hosts=[url], **_fault_client_options(kind)) as client, pytest.raises(error):
        client.call(Balance())
    assert [r.fault for r in emulator.requests_for(case)] == [kind]


@pytest.mark.parametrize(("kind", "arg", "error"), FAULT_OUTCOMES)
async def test_faults_with_the_async_client(
    emulator: Emulator, kind: str, arg: int | None, error: type[Exception]
) -> None:
    case = emulator.add_case(CannedResponse(200, (), b'{"balance": "1.00"}'))
    client = AsyncClient(
        CREDS, hosts=[emulator.fault_url(kind, arg, case_id=case)], **_fault_client_options(kind)
    )
    try:
        with pytest.raises(error):
            await client.call(Balance())
    finally:
        await client.close()
    assert [r.fault for r in emulator.requests_for(case)] == [kind]


def test_a_retry_moves_past_a_fault(emulator: Emulator) -> None:
    case = emulator.add_case(CannedResponse(200, (), b'{"balance": "7.00"}'))
    hosts = [emulator.fault_url("status", 502, case_id=case), emulator.case_url(case)]
    options = NO_RETRY | {"max_attempts": 2}
    with Client(CREDS, hosts=hosts, **options) as client:
        assert client.call(Balance()).balance == Decimal("7.00")
    assert [r.fault for r in emulator.requests_for(case)] == ["status", None]


def test_stop_cuts_a_stalled_request() -> None:
    emu = Emulator().start()
    case = emu.add_case(CannedResponse(200, (), b"late"))
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        post_form(emu.fault_url("stall", 3600, case_id=case) + "/x", {}, timeout=0.2)
    emu.stop()
    assert emu._thread is not None and not emu._thread.is_alive()


def test_start_twice_and_port_before_start() -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.base_url
    with emu, pytest.raises(RuntimeError, match="already started"):
        emu.start()


def test_emulator_command_line(tmp_path: Path) -> None:
    write_fixture(tmp_path, "balance/ok.json", balance_fixture())
    write_fixture(tmp_path, "broken.json", "{")
    process = subprocess.Popen(
        [sys.executable, "-m", "smsc_conformance.emulator", "--fixtures", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert " with 1 fixtures" in first
        base = first.split(" on ")[1].split(" ")[0]
        assert base.startswith("http://127.0.0.1:")
        matched = post_form(base + "/sys/balance.php", {"fmt": "3"})
        assert matched.data == b'{\n"balance": "1871.60"\n}'
        direct = post_form(base + "/_case/balance.ok/sys/balance.php", {})
        assert direct.data == matched.data
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "skipped broken.json: bad JSON" in err


# -- demo and CLI ----------------------------------------------------------------------------------------


def test_demo_in_process() -> None:
    out = io.StringIO()
    assert demo.main([], out) == 0
    text = out.getvalue()
    assert text.count("API error 7 (invalid number), message id 102 [MessageRejectedError]") == 2
    assert text.count("message 101: 1 SMS, cost 1.90, balance now 98.10") == 2
    assert text.count("4 SMS would cost 7.60") == 2
    assert text.count("delivered (status 1), sent 2024-05-01 12:00:01, last change 2024-05-01 12:00:05") == 2
    assert text.count("98.10 RUR") == 2
    assert text.count("task group 7 notified: OK") == 2
    assert "sync client, smsc_urllib3.Client:" in text
    assert "async client, smsc_aiohttp.AsyncClient:" in text
    assert text.rstrip().endswith("emulator stopped after 12 requests")


def test_demo_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smsc_conformance.demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "API error 7 (invalid number)" in done.stdout


def test_recorded_requests_keep_secrets_out_of_repr(emulator: Emulator) -> None:
    case = emulator.add_case(CannedResponse(200, (), b"OK"))
    post_form(emulator.case_url(case) + "/sys/ping.php", {"login": "a", "psw": "hidden-psw"})
    (seen,) = emulator.requests_for(case)
    assert dict(seen.form)["psw"] == "hidden-psw"
    assert "hidden-psw" not in repr(seen)


def test_unbuildable_fixtures_are_not_matched() -> None:
    data = balance_fixture(input={"cur": "7"}, response={"status": 200, "headers": {}, "body": "1.00"})
    del data["request"]
    with Emulator([parse_fixture(data, "bad")]) as emu:
        assert post_form(emu.base_url + "/sys/balance.php", {"cur": "7"}).status == 404
