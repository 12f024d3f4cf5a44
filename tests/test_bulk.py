"""Bulk sending: the planner's grouping, what an outcome means, the journal, and whole runs
(sync and async) against the sandbox: resumed after a death at each point, with account
errors, invalid numbers, a changed input, and a status check that fails."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import io
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from smsc_aiohttp import AsyncClient
from smsc_bulk import (
    BulkMessage,
    BulkReport,
    Journal,
    JournalInUse,
    JournalMismatch,
    read_csv,
    send_bulk,
    send_bulk_async,
)
from smsc_cli import main
from smsc_conformance.emulator import Emulator
from smsc_conformance.sandbox import PRICE, Sandbox
from smsc_redis import RedisLimiter
from smsc_urllib3 import Client
from transport_support import refusing_host

from smsc_proto import (
    Credentials,
    DecodeError,
    InsufficientFundsError,
    InvalidParameter,
    MessageRejectedError,
    RateLimitedError,
    SendResult,
    StatusResult,
    TransportError,
)
from smsc_proto.bulk import Batch, BulkPlanner, State, check_outcome, send_outcome
from smsc_proto.enums import MessageStatus

CREDS = Credentials(login="bulk", psw="bulk-password")


def _messages(count: int, texts: int = 3) -> list[BulkMessage]:
    return [BulkMessage(f"7900{n:07d}", f"Code {n % texts}") for n in range(count)]


@pytest.fixture
def sandbox() -> Iterator[tuple[Sandbox, str]]:
    box = Sandbox(balance=Decimal(10**6))
    with Emulator(sandbox=box) as emulator:
        yield box, emulator.base_url


def _received(box: Sandbox) -> collections.Counter[str]:
    return collections.Counter(m.phone for m in box.messages)


# -- the planner ---------------------------------------------------------------------------


def test_recipients_of_one_text_and_options_share_a_request() -> None:
    planner = BulkPlanner(max_recipients=3)
    ready = []
    messages = [
        BulkMessage("79990000001", "Hi", {"sender": "Shop", "flash": 1}),
        BulkMessage("79990000002", "Hi", {"flash": "1", "sender": "Shop"}),  # same options
        BulkMessage("79990000003", "Hi"),  # no options: another request
        BulkMessage("79990000004", "Hi", {"flash": True, "sender": "Shop", "translit": ""}),
        BulkMessage("79990000005", "Hi", {"sender": "Shop", "flash": 1}),
    ]
    for row, message in enumerate(messages):
        ready += planner.add(row, message)
    assert [(b.rows, b.options) for b in ready] == [((0, 1, 3), (("flash", "1"), ("sender", "Shop")))]
    rest = list(planner.flush())
    assert sorted(b.rows for b in rest) == [(2,), (4,)]
    request = dict(ready[0].send().params())
    assert request["phones"] == "79990000001,79990000002,79990000004"
    assert request["sender"] == "Shop" and request["cost"] == "2"


def test_the_oldest_group_is_sent_when_too_many_are_open() -> None:
    planner = BulkPlanner(max_recipients=1000, max_open=2)
    ready = [b for n in range(5) for b in planner.add(n, BulkMessage(f"7999000000{n}", f"text {n}"))]
    assert [b.rows for b in ready] == [(0,), (1,), (2,)]  # never more than 2 held
    assert [b.rows for b in planner.flush()] == [(3,), (4,)]


def test_a_bad_message_is_refused_naming_its_field() -> None:
    planner = BulkPlanner()
    planner.add(0, BulkMessage("79990000001", "Hi"))
    with pytest.raises(InvalidParameter) as bad_phone:
        planner.add(1, BulkMessage("7999-000", "Hi"))  # checked against its group's request
    assert bad_phone.value.field == "phones"
    with pytest.raises(InvalidParameter) as bad_option:
        planner.add(2, BulkMessage("79990000002", "Hi", {"translit": "9"}))
    assert bad_option.value.field == "translit"
    with pytest.raises(InvalidParameter) as own:
        planner.add(3, BulkMessage("79990000002", "Hi", {"id": "7"}))
    assert own.value.field == "id"
    assert [b.rows for b in planner.flush()] == [(0,)]  # the refused ones are not kept


def test_planner_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="max_recipients=0"):
        BulkPlanner(max_recipients=0)
    with pytest.raises(ValueError, match="max_recipients=1001"):
        BulkPlanner(max_recipients=1001)


# -- outcomes ------------------------------------------------------------------------------


def test_what_an_answer_or_an_error_means_for_a_batch() -> None:
    sent = send_outcome(SendResult(cnt=2, id="r1-1", cost=Decimal("2.80")))
    assert (sent.state, sent.sms_id, sent.cost) == (State.SENT, "r1-1", Decimal("2.80"))
    refused = send_outcome(MessageRejectedError(7, "invalid number", "send"))
    assert (refused.state, refused.code, refused.halts) == (State.FAILED, 7, False)
    broke = send_outcome(InsufficientFundsError(3, "no money", "send"))
    assert (broke.state, broke.halts) == (State.NOT_SENT, True)  # the account's error: not final
    # 9: too many at once (not sent) or the same message again (sent before): status tells.
    busy = send_outcome(RateLimitedError(9, "too many concurrent requests", "send"))
    assert (busy.state, busy.halts) == (State.UNKNOWN, False)
    unreachable = send_outcome(TransportError("send", "refused", sent=False))
    assert (unreachable.state, unreachable.halts) == (State.NOT_SENT, True)  # nothing else would leave
    assert send_outcome(TransportError("send", "read timeout", sent=None)).state is State.UNKNOWN
    assert send_outcome(DecodeError("send", "not JSON", b"<html>")).state is State.UNKNOWN


def test_what_a_status_check_says_of_an_unknown_batch() -> None:
    delivered = StatusResult(status=MessageStatus.DELIVERED)
    missing = StatusResult(status=MessageStatus.NOT_FOUND)
    found, absent = check_outcome([delivered, delivered]), check_outcome([missing, missing])
    assert found is not None and found.state is State.SENT
    assert absent is not None and absent.state is State.NOT_SENT
    assert check_outcome([delivered, missing]) is None  # they disagree: still unknown
    assert check_outcome([missing, TransportError("status", "refused", sent=False)]) is None


def test_a_batch_is_checked_at_its_first_and_last_recipient() -> None:
    batch = Batch((0, 1, 2), ("79990000001", "79990000002", "79990000003"), "Hi", (), 7, "r-7")
    assert [(s.phone, s.id) for s in batch.statuses()] == [("79990000001", "r-7"), ("79990000003", "r-7")]
    alone = Batch((0,), ("79990000001",), "Hi", (), 8, "r-8")
    assert [s.phone for s in alone.statuses()] == ["79990000001"]


# -- whole runs ----------------------------------------------------------------------------


def test_a_run_sends_everyone_once_in_grouped_requests(sandbox: tuple[Sandbox, str], tmp_path: Path) -> None:
    box, url = sandbox
    seen: list[int] = []
    with Client(CREDS, hosts=[url]) as client:
        report = send_bulk(client, _messages(250), tmp_path / "j", max_recipients=40, progress=seen.append)
    assert _received(box) == {f"7900{n:07d}": 1 for n in range(250)}
    assert (report.sent, report.failed, report.unknown, report.not_sent) == (250, 0, 0, 0)
    assert report.requests == len({m.id for m in box.messages}) == 9  # 3 texts: 84, 83, 83 -> 3 each
    assert report.cost == PRICE * 250 == sum(m.cost for m in box.messages)
    assert sum(seen) == 250 and report.complete


async def test_the_async_run_does_the_same(sandbox: tuple[Sandbox, str], tmp_path: Path) -> None:
    box, url = sandbox
    async with AsyncClient(CREDS, hosts=[url]) as client:
        report = await send_bulk_async(
            client, _messages(250), tmp_path / "j", max_recipients=40, concurrency=6
        )
    assert _received(box) == {f"7900{n:07d}": 1 for n in range(250)}
    assert (report.sent, report.requests, report.cost) == (250, 9, PRICE * 250)


def test_a_second_run_of_a_finished_journal_sends_nothing(
    sandbox: tuple[Sandbox, str], tmp_path: Path
) -> None:
    box, url = sandbox
    with Client(CREDS, hosts=[url]) as client:
        first = send_bulk(client, _messages(100), tmp_path / "j", max_recipients=7)
        again = send_bulk(client, _messages(100), tmp_path / "j", max_recipients=7)
    assert len(box.messages) == 100
    assert again == first


def _die_after_recording(
    journal: Path, messages: list[BulkMessage], url: str, *, send: set[int]
) -> list[Batch]:
    """A run that recorded its batches as `sending` and died: those numbered in `send`
    reached the service (the answer was lost), the others never left."""
    planner = BulkPlanner(max_recipients=10)
    batches = [b for row, m in enumerate(messages) for b in planner.add(row, m)]
    with Journal(journal) as log:
        recorded = log.record([*batches, *planner.flush()])
    with Client(CREDS, hosts=[url]) as client:
        for batch in recorded:
            if batch.number in send:
                client.call(batch.send())
    return recorded


@pytest.mark.parametrize("runner", ["sync", "async"])
def test_requests_whose_answer_was_lost_are_checked_not_resent(
    sandbox: tuple[Sandbox, str], tmp_path: Path, runner: str
) -> None:
    box, url = sandbox
    messages = _messages(60)
    recorded = _die_after_recording(tmp_path / "j", messages, url, send={1, 3, 4})
    assert len(recorded) == 6 and len(box.messages) == 30
    if runner == "sync":
        with Client(CREDS, hosts=[url]) as client:
            report = send_bulk(client, messages, tmp_path / "j", max_recipients=10, settle=0)
    else:

        async def run() -> BulkReport:
            async with AsyncClient(CREDS, hosts=[url]) as client:
                return await send_bulk_async(client, messages, tmp_path / "j", max_recipients=10, settle=0)

        report = asyncio.run(run())
    assert _received(box) == {m.phone: 1 for m in messages}  # the 30 checked were not sent again
    assert report.sent == 60
    # The three found by status: their cost is not known; the three sent again: it is.
    assert report.cost_unknown == 3


def test_settle_waits_before_believing_a_message_is_missing(
    sandbox: tuple[Sandbox, str], tmp_path: Path
) -> None:
    box, url = sandbox
    messages = _messages(10)
    _die_after_recording(tmp_path / "j", messages, url, send=set())
    waits: list[float] = []
    with Client(CREDS, hosts=[url]) as client:
        send_bulk(client, messages, tmp_path / "j", max_recipients=10, settle=30, sleep=waits.append)
    assert len(waits) == 1 and 29 < waits[0] <= 30
    assert _received(box) == {m.phone: 1 for m in messages}


def test_an_unanswerable_check_leaves_the_recipients_unknown(
    sandbox: tuple[Sandbox, str], tmp_path: Path
) -> None:
    box, url = sandbox
    messages = _messages(20, texts=2)
    _die_after_recording(tmp_path / "j", messages, url, send={1})
    with refusing_host() as dead, Client(CREDS, hosts=[dead], max_attempts=1) as client:
        report = send_bulk(client, messages, tmp_path / "j", max_recipients=10, settle=0)
    # Neither batch could be checked; nothing new could be sent either (nothing to send).
    assert (report.unknown, report.sent) == (20, 0)
    with Journal(tmp_path / "j") as log:
        assert [phone for _, phone in log.unknown()] == [m.phone for m in messages]
    assert len(box.messages) == 10  # never resent blindly


def test_requests_that_never_left_are_sent_by_the_next_run(
    sandbox: tuple[Sandbox, str], tmp_path: Path
) -> None:
    box, url = sandbox
    messages = _messages(30)
    with refusing_host() as dead, Client(CREDS, hosts=[dead], max_attempts=1) as client:
        first = send_bulk(client, messages, tmp_path / "j", max_recipients=10)
    assert (first.not_sent, first.sent, first.complete) == (30, 0, False)
    with Client(CREDS, hosts=[url]) as client:
        second = send_bulk(client, messages, tmp_path / "j", max_recipients=10)
    assert (second.sent, second.not_sent) == (30, 0)
    assert _received(box) == {m.phone: 1 for m in messages}


def test_an_account_error_halts_the_run_and_a_later_run_goes_on(tmp_path: Path) -> None:
    box = Sandbox(balance=PRICE * 25)  # enough for two requests of ten
    messages = _messages(60, texts=1)
    with Emulator(sandbox=box) as emulator, Client(CREDS, hosts=[emulator.base_url]) as client:
        first = send_bulk(client, messages, tmp_path / "j", max_recipients=10, concurrency=1)
        assert first.halted is not None and "error 3" in first.halted
        assert (first.sent, first.failed) == (20, 0)  # the refused are not failed for good
        box.balance += PRICE * 100
        second = send_bulk(client, messages, tmp_path / "j", max_recipients=10, concurrency=1)
    assert (second.sent, second.halted) == (60, None)
    assert _received(box) == {m.phone: 1 for m in messages}


def test_invalid_numbers_fail_alone_with_their_reason(sandbox: tuple[Sandbox, str], tmp_path: Path) -> None:
    box, url = sandbox
    messages = [*_messages(5, texts=1), BulkMessage("not a phone", "Code 0"), BulkMessage("+7999", "Code 0")]
    with Client(CREDS, hosts=[url]) as client:
        report = send_bulk(client, messages, tmp_path / "j")
    assert (report.sent, report.failed) == (5, 2)
    # `+7999` passes the codec's check; the service refuses its request (error 7).
    reasons = {(f.code, f.reason.split(":")[0]): f.recipients for f in report.failures}
    assert reasons == {(None, "phones"): 1, (7, "invalid number"): 1}
    assert len(box.messages) == 5


def test_a_changed_input_is_refused(sandbox: tuple[Sandbox, str], tmp_path: Path) -> None:
    _, url = sandbox
    with Client(CREDS, hosts=[url]) as client:
        send_bulk(client, _messages(10), tmp_path / "j")
        changed = [BulkMessage("79998887766", "Code 0"), *_messages(10)]
        with pytest.raises(JournalMismatch, match="row 0"):
            send_bulk(client, changed, tmp_path / "j")


def test_the_journal_reads_recorded_rows_in_chunks(tmp_path: Path) -> None:
    planner = BulkPlanner(max_recipients=1000)
    with Journal(tmp_path / "j", durable=False) as log:
        for row, message in enumerate(_messages(9000, texts=1)):
            log.record(planner.add(row, message))
        log.record(planner.flush())
        rows = list(log.recorded_rows())
    assert [row for row, _, _ in rows] == list(range(9000))
    assert rows[5] == (5, "79000000005", BulkMessage("79000000005", "Code 0").digest())


def test_arguments_are_checked(tmp_path: Path) -> None:
    with Client(CREDS, hosts=["http://127.0.0.1:9"]) as client:
        with pytest.raises(ValueError, match="concurrency=15"):
            send_bulk(client, [], tmp_path / "j", concurrency=15)
        with pytest.raises(ValueError, match="settle=-1"):
            send_bulk(client, [], tmp_path / "j", settle=-1)


def test_read_csv_takes_either_delimiter_and_options(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text('\ufeffphone,text,sender,translit\n79990000001,Hi,Shop,\n79990000002,"a, b",Shop,1\n')
    assert list(read_csv(path)) == [
        BulkMessage("79990000001", "Hi", {"sender": "Shop"}),
        BulkMessage("79990000002", "a, b", {"sender": "Shop", "translit": "1"}),
    ]
    path.write_text("phone\n79990000001\n")
    assert list(read_csv(path, text="Same")) == [BulkMessage("79990000001", "Same")]
    with pytest.raises(ValueError, match="no 'text' column"):
        list(read_csv(path))
    path.write_text("number;text\n1;2\n")
    with pytest.raises(ValueError, match="no 'phone' column"):
        list(read_csv(path))
    path.write_text("phone;text\n1;2;3\n")
    with pytest.raises(ValueError, match="line 2: 3 fields"):
        list(read_csv(path))


# -- `smsc send-bulk` ----------------------------------------------------------------------


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMSC_APIKEY", raising=False)
    monkeypatch.setenv("SMSC_LOGIN", "bulk")
    monkeypatch.setenv("SMSC_PSW", "bulk-password")


def test_cli_sends_a_csv_file_and_resumes_from_its_journal(
    sandbox: tuple[Sandbox, str], tmp_path: Path, login: None, capsys: pytest.CaptureFixture[str]
) -> None:
    box, url = sandbox
    listing = tmp_path / "list.csv"
    listing.write_text("phone;sender\n" + "".join(f"7900{n:07d};Shop\n" for n in range(30)))
    command = ["send-bulk", str(listing), "--text", "Sale", "--host", url, "--max-recipients", "12"]
    out = io.StringIO()
    assert main(command, out) == 0
    report = json.loads(out.getvalue())
    assert (report["sent"], report["requests"], report["cost"]) == (30, 3, str(PRICE * 30))
    assert {m.sender for m in box.messages} == {"Shop"} and len(box.messages) == 30
    assert "sent 30, failed 0" in capsys.readouterr().err
    assert (tmp_path / "list.csv.journal").exists()  # the default journal, beside the file
    assert main(command, io.StringIO()) == 0
    assert len(box.messages) == 30  # the second run found everything sent


def test_cli_exit_status_and_unknown_list(
    sandbox: tuple[Sandbox, str], tmp_path: Path, login: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = sandbox
    listing = tmp_path / "list.csv"
    listing.write_text("phone,text\n79990000001,Hi\nnot-a-phone,Hi\n")
    assert main(["send-bulk", str(listing), "--host", url], io.StringIO()) == 3  # one failed
    assert "failed 1: 1 (phones:" in capsys.readouterr().err
    messages = _messages(10, texts=1)
    listing.write_text("phone,text\n" + "".join(f"{m.phone},{m.text}\n" for m in messages))
    _die_after_recording(tmp_path / "j", messages, url, send={1})
    unknown = tmp_path / "unknown.csv"
    with refusing_host() as dead:
        args = ["send-bulk", str(listing), "--journal", str(tmp_path / "j"), "--host", dead]
        assert main([*args, "--settle", "0", "--unknown", str(unknown)], io.StringIO()) == 3
    assert unknown.read_text().splitlines() == ["row,phone", *(f"{n},7900{n:07d}" for n in range(10))]


def test_cli_usage_errors(tmp_path: Path, login: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send-bulk", str(tmp_path / "missing.csv")], io.StringIO()) == 2
    assert "missing.csv" in capsys.readouterr().err
    listing = tmp_path / "list.csv"
    listing.write_text("number\n1\n")
    assert main(["send-bulk", str(listing), "--text", "x"], io.StringIO()) == 2
    assert "no 'phone' column" in capsys.readouterr().err


async def test_a_cancelled_async_run_resumes_without_sending_twice(
    sandbox: tuple[Sandbox, str], tmp_path: Path
) -> None:
    box, url = sandbox
    messages = _messages(2000, texts=7)
    in_flight = 0
    async with AsyncClient(CREDS, hosts=[url]) as client:
        for delay in (0.05, 0.1, 0.2):  # cancelled with requests in flight, three times
            run = asyncio.create_task(
                send_bulk_async(client, messages, tmp_path / "j", max_recipients=5, settle=0)
            )
            await asyncio.sleep(delay)
            run.cancel()
            with pytest.raises(asyncio.CancelledError):
                await run
            with Journal(tmp_path / "j") as log:
                in_flight += len(log.to_check())  # left `sending`: checked by the next run
        report = await send_bulk_async(client, messages, tmp_path / "j", max_recipients=5, settle=0)
    assert in_flight > 0
    assert _received(box) == {m.phone: 1 for m in messages}
    assert (report.sent, report.unknown, report.not_sent) == (2000, 0, 0)


def test_read_csv_names_the_line_of_a_malformed_row(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("phone;text\n1;" + "a" * 200_000 + "\n")
    with pytest.raises(ValueError, match="line 2: field larger than field limit"):
        list(read_csv(path))
    path.write_text("phone;text\n1;2\n\n3;4;5\n")
    with pytest.raises(ValueError, match="line 4: 3 fields"):
        list(read_csv(path))


def _plan_seconds(messages: list[BulkMessage], max_open: int) -> tuple[float, int]:
    planner = BulkPlanner(max_recipients=1000, max_open=max_open)
    started = time.perf_counter()
    batches = sum(len(planner.add(row, message)) for row, message in enumerate(messages))
    left = len(list(planner.flush()))
    return time.perf_counter() - started, batches + left


@pytest.mark.parametrize("texts", [1, 10**9], ids=["one text", "every text its own"])
def test_planning_is_linear_with_few_groups_open(texts: int) -> None:
    small = [BulkMessage(f"7900{n:07d}", f"Code {n % texts}") for n in range(5_000)]
    large = [BulkMessage(f"7900{n:07d}", f"Code {n % texts}") for n in range(50_000)]
    (small_seconds, _), (large_seconds, batches) = _plan_seconds(small, 100), _plan_seconds(large, 100)
    assert batches == (50 if texts == 1 else 50_000)
    # Ten times the messages: about ten times the time (quadratic would be ~100).
    assert large_seconds < 30 * max(small_seconds, 0.01)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('phone;text,sender"\n\r\x00 79a\ufeff'), max_size=200))
def test_read_csv_gives_messages_or_a_value_error(
    tmp_path_factory: pytest.TempPathFactory, content: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "list.csv"
    path.write_text(content, encoding="utf-8")
    try:
        messages = list(read_csv(path))
    except ValueError:
        return
    for message in messages:  # each one planned, or refused by the codec's own check
        with contextlib.suppress(InvalidParameter):
            BulkPlanner().add(0, message)


def test_one_run_at_a_time_holds_a_journal(tmp_path: Path) -> None:
    with Journal(tmp_path / "j"), pytest.raises(JournalInUse, match="another run"):
        Journal(tmp_path / "j")
    with Journal(tmp_path / "j"):  # free again once closed
        pass


def test_a_changed_text_is_refused_too(sandbox: tuple[Sandbox, str], tmp_path: Path) -> None:
    _, url = sandbox
    with Client(CREDS, hosts=[url]) as client:
        send_bulk(client, _messages(10), tmp_path / "j")
        changed = [BulkMessage(m.phone, m.text + "!", m.options) for m in _messages(10)]
        with pytest.raises(JournalMismatch, match="row 0"):
            send_bulk(client, changed, tmp_path / "j")
        with_option = [BulkMessage(m.phone, m.text, {"sender": "Shop"}) for m in _messages(10)]
        with pytest.raises(JournalMismatch, match="row 0"):
            send_bulk(client, with_option, tmp_path / "j")


def test_a_dead_runs_requests_wait_settle_from_the_resume(
    sandbox: tuple[Sandbox, str], tmp_path: Path
) -> None:
    # Recorded long ago (`started` is old), the request may have left just before the death:
    # the wait is counted from the resume, not from the record.
    _, url = sandbox
    messages = _messages(10, texts=1)
    _die_after_recording(tmp_path / "j", messages, url, send=set())
    time.sleep(0.3)
    waits: list[float] = []
    with Client(CREDS, hosts=[url]) as client:
        send_bulk(client, messages, tmp_path / "j", settle=0.5, sleep=waits.append)
    assert len(waits) == 1 and 0.4 < waits[0] <= 0.5


def test_a_stop_on_an_error_keeps_the_answers_in_hand(sandbox: tuple[Sandbox, str], tmp_path: Path) -> None:
    box, url = sandbox
    told: list[int] = []

    def progress(count: int) -> None:  # the caller's callback fails on the third answer
        told.append(count)
        if len(told) == 3:
            raise RuntimeError("progress bar broke")

    messages = _messages(200, texts=1)
    with Client(CREDS, hosts=[url]) as client:
        with pytest.raises(RuntimeError, match="progress bar broke"):
            send_bulk(client, messages, tmp_path / "j", max_recipients=10, progress=progress)
        with Journal(tmp_path / "j") as log:
            assert log.to_check() == []  # every request that left has its answer recorded
            stopped = log.report()
        assert stopped.sent == len(box.messages) > 0
        report = send_bulk(client, messages, tmp_path / "j", max_recipients=10)
    assert report.sent == 200 and _received(box) == {m.phone: 1 for m in messages}


def test_a_halt_drops_the_split_requests_not_yet_sent(tmp_path: Path) -> None:
    box = Sandbox(balance=PRICE * 2)  # one recipient more, and the money is gone
    messages = [*_messages(4, texts=1), BulkMessage("+7999", "Code 0")]  # error 7 splits them
    with Emulator(sandbox=box) as emulator, Client(CREDS, hosts=[emulator.base_url]) as client:
        first = send_bulk(client, messages, tmp_path / "j", concurrency=1)
        assert first.halted is not None and (first.sent, first.unknown) == (2, 0)
        with Journal(tmp_path / "j") as log:
            assert log.to_check() == []  # the split ones never left: none is left `sending`
        box.balance += PRICE * 10
        second = send_bulk(client, messages, tmp_path / "j", concurrency=1)
    assert (second.sent, second.failed, second.unknown) == (4, 1, 0)
    assert _received(box) == {m.phone: 1 for m in messages[:4]}


def test_a_run_whose_shared_limits_are_down_halts_and_loses_nobody(
    sandbox: tuple[Sandbox, str], tmp_path: Path
) -> None:
    box, url = sandbox
    messages = _messages(30, texts=1)
    with refusing_host() as dead:
        limiter = RedisLimiter("redis" + dead[4:] + "/0", socket_timeout=0.2)  # fail closed
        with Client(CREDS, hosts=[url], limiter=limiter) as client:
            first = send_bulk(client, messages, tmp_path / "j", max_recipients=10, concurrency=1)
        limiter.close()
    assert first.halted is not None and "unreachable" in first.halted
    assert (first.sent, first.not_sent, len(box.messages)) == (0, 10, 0)  # nothing left
    with Client(CREDS, hosts=[url]) as client:
        second = send_bulk(client, messages, tmp_path / "j", max_recipients=10)
    assert second.sent == 30 and _received(box) == {m.phone: 1 for m in messages}
