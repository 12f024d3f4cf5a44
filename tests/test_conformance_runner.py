"""The conformance runner on synthetic fixture folders, and its matching rules."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conformance_support import (
    balance_fixture,
    run_runner,
    status_many_fixture,
    status_one_fixture,
    write_fixture,
)
from smsc_conformance import fixtures as fixtures_module, run
from smsc_conformance.emulator import RecordedRequest
from smsc_conformance.fixtures import RequestSpec, default_fixture_dirs, load_fixtures
from smsc_conformance.matching import mismatch
from smsc_conformance.runner import _Case, _check_received, check_request, run_credentials

import smsc_proto
from smsc_proto.ops.balance import Balance
from smsc_proto.ops.status import Status, StatusBatch, StatusResult

# -- the command line on synthetic folders ------------------------------------------------------


def test_passing_case(tmp_path: Path) -> None:
    write_fixture(tmp_path, "balance/ok.json", balance_fixture())
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert lines == ["1 passed, 0 failed"]
    assert code == 0


def test_failing_expectation_names_the_member(tmp_path: Path) -> None:
    write_fixture(tmp_path, "ok.json", balance_fixture())
    write_fixture(tmp_path, "wrong.json", balance_fixture(expect={"result": {"balance": "1871.61"}}))
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert code == 1
    assert lines[-1] == "1 passed, 1 failed"
    assert lines[0].startswith("FAIL wrong.json [codec]: balance: expected")
    assert "Decimal('1871.60')" in lines[0]


def test_unreadable_fixtures_fail_with_their_own_message(tmp_path: Path) -> None:
    write_fixture(tmp_path, "a-bad-json.json", "{not json")
    write_fixture(tmp_path, "b-unknown-op.json", balance_fixture(op="no.such.op"))
    missing = balance_fixture()
    del missing["expect"]
    write_fixture(tmp_path, "c-missing-field.json", missing)
    write_fixture(tmp_path, "d-invalid-input.json", balance_fixture(input={"cur": "7"}))
    write_fixture(tmp_path, "e-not-object.json", "[1, 2]")
    write_fixture(
        tmp_path,
        "f-two-bodies.json",
        balance_fixture(response={"status": 200, "body": "", "body_base64": ""}),
    )
    write_fixture(
        tmp_path, "g-bad-base64.json", balance_fixture(response={"status": 200, "body_base64": "!!"})
    )
    write_fixture(tmp_path, "h-credentials.json", balance_fixture(input={"psw": "x"}))
    write_fixture(tmp_path, "z-ok.json", balance_fixture())
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert code == 1
    assert lines[-1] == "1 passed, 8 failed"
    text = "\n".join(lines)
    assert "FAIL a-bad-json.json [codec]: bad JSON:" in text
    assert "FAIL b-unknown-op.json [codec]: unknown op 'no.such.op'" in text
    assert "FAIL c-missing-field.json [codec]: missing field 'expect'" in text
    assert "FAIL d-invalid-input.json [codec]: invalid input: balance: invalid cur" in text
    assert "FAIL e-not-object.json [codec]: a fixture is a JSON object" in text
    assert "FAIL f-two-bodies.json [codec]: 'response' needs exactly one of" in text
    assert "FAIL g-bad-base64.json [codec]: 'response.body_base64' is not valid base64" in text
    assert "FAIL h-credentials.json [codec]: 'input' must not hold credentials" in text


def test_nothing_ran_is_a_failure(tmp_path: Path) -> None:
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert (code, lines) == (1, ["0 passed, 0 failed"])


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    code, lines = run_runner("--fixtures", str(tmp_path / "nope"))
    assert code == 1
    assert lines[0].endswith("fixtures directory not found")


def test_folders_are_walked_recursively_in_order(tmp_path: Path) -> None:
    write_fixture(tmp_path, "b/z.json", balance_fixture(expect={"result": {"balance": "0"}}))
    write_fixture(tmp_path, "a/deep/y.json", balance_fixture(expect={"result": {"balance": "0"}}))
    write_fixture(tmp_path, "a/x.txt", "not a fixture")
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert [line.split(" ")[1] for line in lines[:-1]] == ["a/deep/y.json", "b/z.json"]
    assert code == 1


def test_exact_params(tmp_path: Path) -> None:
    exact_ok = {
        "method": "POST",
        "path": "/sys/balance.php",
        "params": {"fmt": "3", "charset": "utf-8"},
        "exact": True,
    }
    exact_short = {"method": "POST", "path": "/sys/balance.php", "params": {"fmt": "3"}, "exact": True}
    write_fixture(tmp_path, "exact-ok.json", balance_fixture(request=exact_ok))
    write_fixture(tmp_path, "exact-short.json", balance_fixture(request=exact_short))
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert lines == [
        "FAIL exact-short.json [codec]: request: unexpected params charset (exact)",
        "1 passed, 1 failed",
    ]
    assert code == 1


@pytest.mark.parametrize(
    ("request_spec", "reason"),
    [
        ({"method": "GET"}, "request method: expected GET, got POST"),
        ({"path": "/sys/send.php"}, "request path: expected '/sys/send.php', got '/sys/balance.php'"),
        ({"params": {"fmt": "0"}}, "request param 'fmt': expected '0', got '3'"),
        ({"params": {"cur": "1"}}, "request param 'cur': missing (expected '1')"),
    ],
)
def test_request_mismatch(tmp_path: Path, request_spec: dict[str, object], reason: str) -> None:
    write_fixture(tmp_path, "case.json", balance_fixture(request=request_spec))
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert lines == [f"FAIL case.json [codec]: {reason}", "0 passed, 1 failed"]
    assert code == 1


@pytest.mark.parametrize(
    ("expected", "passes"),
    [("1871.6", True), ("1871.600", True), (1871.6, True), ("1871.61", False), (1871, False), ("abc", False)],
)
def test_decimal_matching(tmp_path: Path, expected: object, passes: bool) -> None:
    write_fixture(tmp_path, "case.json", balance_fixture(expect={"result": {"balance": expected}}))
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert lines[-1] == ("1 passed, 0 failed" if passes else "0 passed, 1 failed")
    assert (code == 0) is passes


def test_body_in_the_declared_charset_and_base64(tmp_path: Path) -> None:
    # windows-1251 bytes: the runner encodes `body` in the Content-Type's charset.
    text = balance_fixture(
        response={
            "status": 200,
            "headers": {"Content-Type": "text/plain; charset=windows-1251"},
            "body": "ERROR = 2 (ошибка)",
        },
        expect={"error": {"code": 2, "description": "ошибка"}},
    )
    raw = balance_fixture(
        response={
            "status": 200,
            "headers": {},
            "body_base64": base64.b64encode("ERROR = 2 (ошибка)".encode("cp1251")).decode(),
        },
        expect={"error": {"code": 2, "description": "ошибка"}},
    )
    unencodable = balance_fixture(
        response={
            "status": 200,
            "headers": {"Content-Type": "text/plain; charset=windows-1251"},
            "body": "☃",
        },
    )
    write_fixture(tmp_path, "text.json", text)
    write_fixture(tmp_path, "raw.json", raw)
    write_fixture(tmp_path, "unencodable.json", unencodable)
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert lines == [
        "FAIL unencodable.json [codec]: 'response.body' cannot be encoded in cp1251",
        "2 passed, 1 failed",
    ]
    assert code == 1


def test_list_results_compare_with_items(tmp_path: Path) -> None:
    write_fixture(tmp_path, "a-ok.json", status_many_fixture())
    short = status_many_fixture(expect={"result": {"items": [{"status": 1}]}})
    write_fixture(tmp_path, "b-short.json", short)
    write_fixture(tmp_path, "c-no-items.json", status_many_fixture(expect={"result": {"status": 1}}))
    wrong_date = status_many_fixture(expect={"result": {"items": [{"last_date": "2024-05-01T12:00:06"}, {}]}})
    write_fixture(tmp_path, "d-date.json", wrong_date)
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert lines == [
        "FAIL b-short.json [codec]: items: expected a list of 1, got 2",
        "FAIL c-no-items.json [codec]: the result is a list of 2; expect.result needs 'items'",
        "FAIL d-date.json [codec]: items[0].last_date: "
        'expected "2024-05-01T12:00:06", got "2024-05-01T12:00:05"',
        "1 passed, 3 failed",
    ]
    assert code == 1


def test_status_fixtures_build_a_status_or_a_status_batch_by_their_ids() -> None:
    def build(data: dict[str, object]) -> smsc_proto.Op[Any]:
        return fixtures_module.parse_fixture(data, "case.json").build_op()

    many = build(status_many_fixture())
    assert isinstance(many, StatusBatch)
    assert (list(many.phone), list(many.id)) == (["79991234567", "79991234568"], [101, 102])
    assert many.result_type == list[StatusResult]
    text = build(status_many_fixture(input={"phone": "79991234567", "id": "101,102"}))
    assert isinstance(text, StatusBatch)
    assert dict(text.params())["id"] == "101,102"
    assert len(text.id) == 2
    one = build(status_one_fixture())  # a list of one id
    assert type(one) is Status
    assert (one.phone, one.id) == ("79991234567", 101)
    assert one.result_type is StatusResult
    scalar = build(status_one_fixture(input={"phone": "79991234567", "id": 101, "all": 1}))
    assert type(scalar) is Status
    assert (scalar.id, scalar.all) == (101, 1)


def test_status_and_status_batch_through_every_transport(tmp_path: Path) -> None:
    write_fixture(tmp_path, "a-many.json", status_many_fixture())
    write_fixture(tmp_path, "b-one.json", status_one_fixture())
    # One id answers one record, not a list of one.
    as_items = status_one_fixture(expect={"result": {"items": [{"status": 1}]}})
    write_fixture(tmp_path, "c-one-as-items.json", as_items)
    code, lines = run_runner("--fixtures", str(tmp_path), "--transport", "all")
    assert sorted(lines[:-1]) == [
        f'FAIL c-one-as-items.json [{transport}]: items: missing (expected [{{"status":1}}])'
        for transport in ("aiohttp", "codec", "urllib3")
    ]
    assert lines[-1] == "6 passed, 3 failed"
    assert code == 1


def test_error_and_decode_error_expectations(tmp_path: Path) -> None:
    error = {"status": 200, "headers": {}, "body": "ERROR = 2 (authorise error)"}
    garbage = {"status": 200, "headers": {}, "body": "<html>oops"}
    cases = {
        "a-code.json": balance_fixture(response=error, expect={"error": {"code": 2}}),
        "b-description.json": balance_fixture(
            response=error, expect={"error": {"code": 2, "description": "authorise error"}}
        ),
        "c-wrong-description.json": balance_fixture(
            response=error, expect={"error": {"code": 2, "description": "x"}}
        ),
        "d-wrong-code.json": balance_fixture(response=error, expect={"error": {"code": 9}}),
        "e-result-not-error.json": balance_fixture(expect={"error": {"code": 2}}),
        "f-decode.json": balance_fixture(response=garbage, expect={"decode_error": True}),
        "g-error-not-decode.json": balance_fixture(response=error, expect={"decode_error": True}),
        "h-decode-not-result.json": balance_fixture(response=garbage),
    }
    for name, data in cases.items():
        write_fixture(tmp_path, name, data)
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert code == 1
    assert lines[-1] == "3 passed, 5 failed"
    reasons = {line.split(" ")[1]: line.split(": ", 1)[1] for line in lines[:-1]}
    assert (
        reasons["c-wrong-description.json"] == "API error 2: expected description 'x', got 'authorise error'"
    )
    assert reasons["d-wrong-code.json"] == "expected API error 9, got API error 2 (authorise error)"
    assert reasons["e-result-not-error.json"].startswith("expected API error 2, got a result {")
    assert reasons["g-error-not-decode.json"].startswith("expected a decode error, got AuthenticationError:")
    assert reasons["h-decode-not-result.json"].startswith("expected a result, got DecodeError:")


def test_a_decoder_crash_is_a_failure_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: Balance, response: smsc_proto.HttpResponse) -> None:
        raise TypeError("boom")

    monkeypatch.setattr(Balance, "decode", crash)
    write_fixture(tmp_path, "case.json", balance_fixture())
    code, lines = run_runner("--fixtures", str(tmp_path))
    assert lines == ["FAIL case.json [codec]: unexpected TypeError: boom", "0 passed, 1 failed"]
    assert code == 1


def test_a_secret_in_an_error_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = run_credentials()
    (secret,) = credentials.secrets()

    def leak(self: Balance, response: smsc_proto.HttpResponse) -> None:
        raise smsc_proto.DecodeError("balance", f"cannot parse {secret}")

    monkeypatch.setattr(Balance, "decode", leak)
    write_fixture(tmp_path, "case.json", balance_fixture(expect={"decode_error": True}))
    report = run([tmp_path], ["codec"], credentials=credentials)
    (check,) = report.checks
    assert check.reason == "the secret appears in a raised error (DecodeError)"
    assert secret not in str(check.reason)


def test_default_fixture_dir_is_the_projects() -> None:
    (folder,) = default_fixture_dirs()
    assert folder.name == "fixtures"
    assert folder.parent.name in ("conformance", "smsc_conformance")
    assert folder == Path(fixtures_module.__file__).resolve().parent.parent / "fixtures" or (
        folder == Path(fixtures_module.__file__).resolve().parent / "fixtures"
    )


def test_load_fixtures_yields_problems_in_order(tmp_path: Path) -> None:
    write_fixture(tmp_path, "a.json", "{")
    write_fixture(tmp_path, "b.json", balance_fixture())
    items = list(load_fixtures([tmp_path]))
    assert [type(i).__name__ for i in items] == ["FixtureProblem", "Fixture"]


# -- through the transports (the emulator on 127.0.0.1) ------------------------------------------


def test_all_transports(tmp_path: Path) -> None:
    write_fixture(tmp_path, "ok.json", balance_fixture())
    write_fixture(tmp_path, "many.json", status_many_fixture())
    write_fixture(
        tmp_path,
        "error.json",
        balance_fixture(
            response={"status": 200, "headers": {}, "body": "0,-2"}, expect={"error": {"code": 2}}
        ),
    )
    write_fixture(tmp_path, "wrong.json", balance_fixture(expect={"result": {"balance": "1"}}))
    write_fixture(tmp_path, "broken.json", "{")
    code, lines = run_runner("--fixtures", str(tmp_path), "--transport", "all")
    assert lines[-1] == "9 passed, 6 failed"
    failing = sorted(line.split(": ")[0] for line in lines[:-1])
    assert failing == [
        f"FAIL {name} [{transport}]"
        for name in ("broken.json", "wrong.json")
        for transport in ("aiohttp", "codec", "urllib3")
    ]
    assert code == 1


def test_module_entry_point(tmp_path: Path) -> None:
    write_fixture(tmp_path, "ok.json", balance_fixture())
    done = subprocess.run(
        [sys.executable, "-m", "smsc_conformance", "--fixtures", str(tmp_path), "--transport", "urllib3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "1 passed, 0 failed\n")


# -- the request checks ---------------------------------------------------------------------------


def _recorded(**changes: object) -> RecordedRequest:
    values: dict[str, object] = {
        "method": "POST",
        "path": "/sys/balance.php",
        "target": "/_case/c1/sys/balance.php",
        "query": (),
        "headers": (("Content-Type", "application/x-www-form-urlencoded"),),
        "form": (("login", "conformance"), ("psw", "SECRET-1"), ("fmt", "3"), ("charset", "utf-8")),
        "body": b"",
        "case_id": "c1",
    }
    values.update(changes)
    return RecordedRequest(**values)  # type: ignore[arg-type]


def _case() -> _Case:
    fixture = fixtures_module.parse_fixture(balance_fixture(), "case.json")
    return _Case(fixture, fixture.build_op(), "c1")


CREDS = smsc_proto.Credentials(login="conformance", psw="SECRET-1")


def test_received_request_passes() -> None:
    assert _check_received(_case(), [_recorded()], CREDS) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"target": "/_case/c1/sys/balance.php?psw=SECRET-1"},
            "sent request: the secret appears outside the form body",
        ),
        (
            {"headers": (("Authorization", "SECRET-1"),)},
            "sent request: the secret appears outside the form body",
        ),
        (
            {"query": (("fmt", "3"),)},
            "sent request: parameters in the URL (fmt); the form body must carry them",
        ),
        (
            {"form": (("login", "conformance"), ("fmt", "3"))},
            "sent request: credential 'psw' not sent once in the body",
        ),
        ({"method": "GET"}, "sent request method: expected POST, got GET"),
    ],
)
def test_received_request_problems(changes: dict[str, object], reason: str) -> None:
    assert _check_received(_case(), [_recorded(**changes)], CREDS) == reason


def test_received_request_count() -> None:
    assert _check_received(_case(), [], CREDS) == "the emulator received 0 requests, expected 1"
    assert (
        _check_received(_case(), [_recorded(), _recorded()], CREDS)
        == "the emulator received 2 requests, expected 1"
    )


def test_check_request_credentials_and_duplicates() -> None:
    spec = RequestSpec(params={"fmt": "3"})
    fields = [("login", "conformance"), ("psw", "SECRET-1"), ("fmt", "3"), ("fmt", "0")]
    assert (
        check_request(spec, "POST", "/x", fields, CREDS)
        == "request param 'fmt': expected '3', got ['3', '0']"
    )
    with_key = [("login", "conformance"), ("psw", "SECRET-1"), ("apikey", "k")]
    assert (
        check_request(None, "POST", "/x", with_key, CREDS) == "request: unexpected credential field(s) apikey"
    )
    apikey = smsc_proto.Credentials(apikey="KEY")
    assert check_request(spec, "POST", "/x", [("apikey", "KEY"), ("fmt", "3")], apikey) is None


# -- matching rules ---------------------------------------------------------------------------------


def test_mismatch_subset_and_nesting() -> None:
    actual = {"a": 1, "b": [{"c": "x", "d": None}], "e": True}
    assert mismatch({"a": 1}, actual) is None
    assert mismatch({"b": [{"c": "x"}]}, actual) is None
    assert mismatch({"b": [{"c": "y"}]}, actual) == 'b[0].c: expected "y", got "x"'
    assert mismatch({"z": 1}, actual) == "z: missing (expected 1)"
    assert mismatch({"z": None, "b": [{"d": None}]}, actual) is None  # absent counts as null
    assert mismatch({"e": 1}, actual) == "e: expected 1, got true"  # no bool/int confusion
    assert mismatch({"a": True}, actual) == "a: expected true, got 1"
    assert mismatch({"a": {"x": 1}}, actual) == "a: expected an object, got 1"


def test_mismatch_numbers() -> None:
    assert mismatch({"v": "1.50"}, {"v": Decimal("1.5")}) is None
    assert mismatch({"v": 1.5}, {"v": Decimal("1.50")}) is None
    assert mismatch({"v": 1.5}, {"v": "1.50"}) is None  # a JSON number vs a decimal string
    assert mismatch({"v": "1.5"}, {"v": "1.50"}) == 'v: expected "1.5", got "1.50"'  # two strings: exact
    assert mismatch({"v": "-0.10"}, {"v": Decimal("-0.1")}) is None
    assert mismatch({"v": "1.5"}, {"v": Decimal("1.6")}) is not None
    assert mismatch({"v": "NaN"}, {"v": Decimal("NaN")}) is not None


def test_mismatch_bytes_and_dates() -> None:
    data = b"%PDF-1.4\x00\xff"
    digest = hashlib.sha256(data).hexdigest()
    assert mismatch({"pdf": f"sha256:{digest}"}, {"pdf": data}) is None
    assert mismatch({"pdf": f"sha256:{digest.upper()}"}, {"pdf": data}) is None
    assert mismatch({"pdf": "sha256:" + "0" * 64}, {"pdf": data}) is not None
    assert mismatch({"pdf": base64.b64encode(data).decode()}, {"pdf": data}) is None
    when = dt.datetime(2024, 5, 1, 12, 0, 5)
    assert mismatch({"t": "2024-05-01T12:00:05"}, {"t": when}) is None
    assert mismatch({"t": "2024-05-01 12:00:05"}, {"t": when}) is None
    assert mismatch({"t": "2024-05-01T12:00:05Z"}, {"t": when}) is not None  # aware vs naive
    assert mismatch({"t": "2024-05-01T12:00:05Z"}, {"t": when.replace(tzinfo=dt.UTC)}) is None
    assert mismatch({"d": "2024-05-01"}, {"d": dt.date(2024, 5, 1)}) is None
    assert mismatch({"d": "01.05.2024"}, {"d": dt.date(2024, 5, 1)}) is not None


async def test_run_from_async_code(tmp_path: Path) -> None:
    # asyncio.run cannot nest: the aiohttp pass then gets a loop of its own in a thread.
    write_fixture(tmp_path, "ok.json", balance_fixture())
    report = run([tmp_path], ["codec", "aiohttp"])
    assert report.summary() == "2 passed, 0 failed"
    assert report.ok


def test_run_with_an_api_key(tmp_path: Path) -> None:
    write_fixture(tmp_path, "ok.json", balance_fixture())
    report = run([tmp_path], ["codec", "urllib3"], credentials=smsc_proto.Credentials(apikey="KEY-123"))
    assert [c.reason for c in report.checks] == [None, None]
