"""A bulk send of 20,000 recipients, SIGKILLed at random points at least ten times and
resumed each time, against the sandbox: every recipient ends sent exactly once or reported
unknown, none twice. The sandbox counts what it received; the journal what was reported.

Run with ``-s`` to see the figures (kills, requests, statuses checked, sent, unknown)."""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from smsc_bulk import Journal
from smsc_conformance.emulator import Emulator
from smsc_conformance.sandbox import Sandbox

RECIPIENTS = 20_000
KILLS = 10
TEXTS = 500  # distinct texts, interleaved: the planner holds many groups open at once


def _write_list(path: Path) -> list[str]:
    phones = [f"7900{n:07d}" for n in range(RECIPIENTS)]
    with open(path, "w", encoding="utf-8") as file:
        file.write("phone;text\n")
        for n, phone in enumerate(phones):
            file.write(f"{phone};Your code {n % TEXTS}\n")
    return phones


def _sends(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if r.path == "/sys/send.php")


def _start(listing: Path, journal: Path, url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SMSC_LOGIN": "bulk", "SMSC_PSW": "bulk-password"}
    env.pop("SMSC_APIKEY", None)
    command = [
        sys.executable,
        "-m",
        "smsc_cli",
        "send-bulk",
        str(listing),
        "--journal",
        str(journal),
        "--host",
        url,
        "--max-recipients",
        "8",
        "--concurrency",
        "4",
        "--settle",
        "0.5",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_bulk_run_killed_ten_times_sends_everyone_once(tmp_path: Path) -> None:
    listing, journal = tmp_path / "list.csv", tmp_path / "list.journal"
    phones = _write_list(listing)
    sandbox = Sandbox(balance=Decimal(10**9))
    rng = random.Random(20261204)
    kills = 0
    with Emulator(sandbox=sandbox) as emulator:
        # Killed once it has sent a request (the journal is its run's alone), at a random
        # moment after.
        while kills < KILLS:
            before = _sends(emulator)
            process = _start(listing, journal, emulator.base_url)
            deadline = time.monotonic() + 60
            while _sends(emulator) <= before and process.poll() is None:
                assert time.monotonic() < deadline, "the run made no progress"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.3))
            if process.poll() is not None:
                break  # it finished first: the rest of the test resumes nothing
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        # Resumed to the end (a run whose last checks left batches "not sent" is run again).
        for _ in range(3):
            process = _start(listing, journal, emulator.base_url)
            _, err = process.communicate(timeout=600)
            if process.returncode == 0:
                break
            assert process.returncode == 3, err.decode()
        statuses = sum(1 for r in emulator.requests if r.path == "/sys/status.php")
        sends = _sends(emulator)

    assert kills >= KILLS, f"only {kills} kills: the run finished too early"
    received = collections.Counter(m.phone for m in sandbox.messages)
    twice = [phone for phone, count in received.items() if count > 1]
    with Journal(journal) as log:
        report = log.report()
        unknown = {phone for _, phone in log.unknown()}
    print(
        f"\nkills={kills} send requests={sends} status checks={statuses} sent={report.sent} "
        f"unknown={report.unknown} failed={report.failed} duplicates={len(twice)} cost={report.cost}"
    )
    assert twice == []
    assert set(received) <= set(phones)
    for phone in phones:
        assert received[phone] == 1 or phone in unknown, f"{phone}: neither sent nor reported unknown"
    assert report.sent + report.unknown == RECIPIENTS
    assert report.failed == 0 and report.not_sent == 0
    assert report.sent == sum(1 for phone in phones if received[phone] == 1 and phone not in unknown)
    # The journal's cost is what the sandbox charged, less the requests whose answer was lost
    # (found sent by their status: the status does not say their cost).
    charged = sum((m.cost for m in sandbox.messages), Decimal(0))
    assert report.cost == charged if report.cost_unknown == 0 else report.cost < charged
    # The kills did land between a request and its answer: their outcomes were checked.
    assert statuses >= 1
