"""The ``smsc`` command (cli/smsc_cli): ops listed, calls against the emulator and loopback
servers, lists as JSON lines, files to ``-o``, unknown parameters refused, ``--timeout``,
Ctrl-C, and a base install without aiohttp."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conformance_support import balance_case, balance_fixture, write_fixture
from downloads_support import LoopbackServer, Reply
from smsc_cli import main
from smsc_cli.app import type_name
from smsc_cli.params import UsageError, build_op
from smsc_conformance.emulator import Emulator
from smsc_conformance.fixtures import CannedResponse, Expectation, Fixture, RequestSpec
from transport_support import Reply as ScriptedReply, Server

import smsc_proto
from smsc_proto.enums import MessageStatus
from smsc_proto.formats.csvfile import render_csv
from smsc_proto.ops.balance import BalanceResult
from smsc_proto.ops.status import Status, StatusBatch, StatusResult

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMSC_APIKEY", raising=False)
    monkeypatch.setenv("SMSC_LOGIN", "tester")
    monkeypatch.setenv("SMSC_PSW", "cli-secret")


# `smsc ops`: op id, class -> result type, path, command flag (when the op has one).
_OPS_LINE = re.compile(
    r"(?P<id>\S+) +(?P<cls>\w+) -> (?P<type>.+?) {2,}(?P<path>/\S+)(?:  (?P<command>\w+=1))?"
)


def test_cli_ops() -> None:
    out = io.StringIO()
    assert main(["ops"], out) == 0
    lines = out.getvalue().splitlines()
    rows = []
    for line in lines:
        match = _OPS_LINE.fullmatch(line)
        assert match is not None, line
        rows.append(match.groupdict())
    ids = [row["id"] for row in rows]
    assert set(ids) == set(smsc_proto.OPS)
    assert {"send", "send.cost", "status", "balance", "ping"} <= set(ids)
    assert ids == sorted(ids)
    typed = {(row["id"], row["cls"]): row["type"] for row in rows}
    assert typed[("balance", "Balance")] == "BalanceResult"
    assert typed[("jobs.get_all", "JobsGetAll")] == "list[JobSummary]"
    assert typed[("status", "Status")] == "StatusResult"
    assert typed[("status", "StatusBatch")] == "list[StatusResult]"  # what several ids build
    assert typed[("op_templates.get", "OperatorTemplatesGet")] == "list[OperatorTemplateInfo]"
    assert typed[("documents.get_account", "DocumentsGetAccount")] == "DocumentFile"
    assert typed[("downloads.get_file", "DownloadsGetFile")] == "list[dict[str, str]]"
    assert typed[("ping", "Ping")] == "OkResult"
    for op_id, cls in smsc_proto.OPS.items():  # the class each op id builds comes first
        assert rows[ids.index(op_id)]["cls"] == cls.__name__
    assert len(rows) == len(smsc_proto.OPS) + 1  # StatusBatch is the only second class
    send_cost = rows[ids.index("send.cost")]
    assert (send_cost["path"], send_cost["command"]) == ("/sys/send.php", "cost=1")
    balance = rows[ids.index("balance")]
    assert (balance["path"], balance["command"]) == ("/sys/balance.php", None)
    assert re.search(r"^balance +Balance -> BalanceResult +/sys/balance\.php$", out.getvalue(), re.M)


def test_type_names() -> None:
    assert type_name(BalanceResult) == "BalanceResult"
    assert type_name(list[StatusResult]) == "list[StatusResult]"
    assert type_name(dict[str, int | None]) == "dict[str, int | None]"


def test_cli_call_against_the_emulator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = balance_case("cur", {"cur": "1", "fmt": "0"}, "98.10 RUR", fmt=0)
    error = balance_case("err", {"cur": "0"}, "ERROR = 2 (authorise error)", expect={"error": {"code": 2}})
    monkeypatch.delenv("SMSC_APIKEY", raising=False)
    monkeypatch.setenv("SMSC_LOGIN", "tester")
    monkeypatch.setenv("SMSC_PSW", "cli-secret")
    with Emulator([fixture, error]) as emu:
        out = io.StringIO()
        assert main(["call", "balance", "cur=1", "--fmt", "0", "--host", emu.base_url], out) == 0
        assert out.getvalue() == '{\n  "balance": "98.10",\n  "currency": "RUR"\n}\n'
        (seen,) = emu.requests
        assert dict(seen.form)["login"] == "tester"
        assert main(["call", "balance", "cur=0", "--host", emu.base_url], io.StringIO()) == 1
    assert "balance: API error 2 (authorise error) [AuthenticationError]" in capsys.readouterr().err


def _rendered(name: str, op: smsc_proto.Op[Any], answer: smsc_proto.HttpResponse) -> Fixture:
    """A matching-mode fixture answering exactly ``op``'s params with ``answer``."""
    return Fixture(
        name=name,
        op_id=op.op_id,
        input={},
        fmt=op.fmt,
        request=RequestSpec("POST", op.path, dict(op.params())),
        response=CannedResponse.of(answer),
        expect=Expectation("result", {}),
    )


def test_cli_call_status_with_one_id_and_several(monkeypatch: pytest.MonkeyPatch) -> None:
    one = Status(phone="79991234567", id=101)
    batch = StatusBatch(phone=["79991234567", "79991234568"], id=[101, 102])
    fixtures = [
        _rendered(
            "one", one, one.render(StatusResult(status=MessageStatus.DELIVERED, last_timestamp=1714564805))
        ),
        _rendered(
            "batch",
            batch,
            batch.render(
                [
                    StatusResult(status=MessageStatus.DELIVERED, id=101),
                    StatusResult(status=MessageStatus.WAITING, id=102),
                ]
            ),
        ),
    ]
    monkeypatch.delenv("SMSC_APIKEY", raising=False)
    monkeypatch.setenv("SMSC_LOGIN", "tester")
    monkeypatch.setenv("SMSC_PSW", "cli-secret")
    with Emulator(fixtures) as emu:
        out = io.StringIO()
        assert main(["call", "status", "phone=79991234567", "id=101", "--host", emu.base_url], out) == 0
        assert json.loads(out.getvalue()) == {"status": 1, "last_timestamp": 1714564805}
        out = io.StringIO()
        words = ["phone=79991234567", "phone=79991234568", "id=101", "id=102"]
        assert main(["call", "status", *words, "--host", emu.base_url], out) == 0
        # A list: one JSON line per record, as it arrives.
        lines = out.getvalue().splitlines()
        assert [json.loads(line) for line in lines] == [{"status": 1, "id": 101}, {"status": -1, "id": 102}]
        first, second = emu.requests
    assert (dict(first.form)["id"], dict(first.form)["phone"]) == ("101", "79991234567")
    assert (dict(second.form)["id"], dict(second.form)["phone"]) == ("101,102", "79991234567,79991234568")


def test_cli_call_usage_errors(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("SMSC_APIKEY", "SMSC_LOGIN", "SMSC_PSW"):
        monkeypatch.delenv(name, raising=False)
    assert main(["call", "balance"]) == 2
    missing = "no SMSC credentials in the environment: set SMSC_APIKEY, or SMSC_LOGIN and SMSC_PSW"
    assert missing in capsys.readouterr().err
    monkeypatch.setenv("SMSC_APIKEY", "k")
    assert main(["call", "nope"]) == 2
    assert "unknown op 'nope'" in capsys.readouterr().err
    assert main(["call", "balance", "psw=x"]) == 2
    assert "credentials come from the environment" in capsys.readouterr().err
    assert main(["call", "balance", "cur"]) == 2
    assert "expected key=value, got 'cur'" in capsys.readouterr().err
    assert main(["call", "balance", "cur=5"]) == 2
    assert "invalid cur" in capsys.readouterr().err
    assert main(["call", "balance", "--host", "ftp://x"]) == 2


def test_cli_build_op_lists() -> None:
    op = build_op("status", ["phone=79991234567", "id=1", "phone=79991234568", "id=2"])
    assert isinstance(op, StatusBatch)
    assert dict(op.params())["id"] == "1,2"
    assert dict(op.params())["phone"] == "79991234567,79991234568"
    joined = build_op("status", ["phone=79991234567", "id=1,2"])
    assert isinstance(joined, StatusBatch)
    assert dict(joined.params())["id"] == "1,2"
    one = build_op("status", ["phone=79991234567", "id=1", "all=1"], fmt=0)
    assert type(one) is Status
    assert one.params() == Status(phone="79991234567", id=1, all=1, fmt=0).params()
    with pytest.raises(UsageError, match="one phone per id"):
        build_op("status", ["phone=79991234567", "phone=79991234568", "id=1", "id=2", "id=3"])


def test_cli_conformance_and_demo(tmp_path: Path) -> None:
    write_fixture(tmp_path, "ok.json", balance_fixture())
    out = io.StringIO()
    assert main(["conformance", "--fixtures", str(tmp_path)], out) == 0
    assert out.getvalue() == "1 passed, 0 failed\n"
    out = io.StringIO()
    assert main(["demo"], out) == 0
    assert "emulator stopped" in out.getvalue()


# -- parameters ---------------------------------------------------------------------------------


def test_a_misspelt_parameter_is_refused_with_the_closest_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "send", "phonse=79991234567", "mes=Hi"]) == 2
    err = capsys.readouterr().err
    assert "send takes no parameter 'phonse' (did you mean 'phones'?)" in err
    assert "--extra phonse=..." in err
    assert main(["call", "balanse"]) == 2
    assert "unknown op 'balanse' (did you mean 'balance'?)" in capsys.readouterr().err


def test_extras_are_sent_as_given() -> None:
    op = build_op("send", ["phones=79991234567", "mes=Hi"], extra=["bin=0", "newparam=7"])
    assert op.extra == {"newparam": "7"} and dict(op.params())["bin"] == "0"
    with pytest.raises(UsageError, match="credentials come from the environment"):
        build_op("send", ["phones=79991234567", "mes=Hi"], extra=["psw=x"])


# -- lists, files, timeouts ---------------------------------------------------------------------


def _export(rows: int) -> bytes:
    return render_csv(
        [{"id": str(i), "phone": f"7999{i:07d}", "message": "a; b"} for i in range(rows)]
    ).encode()


@pytest.mark.usefixtures("login")
def test_a_file_goes_to_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    def respond(path: str, form: dict[str, str]) -> Reply:
        if path == "/sys/downloads.php":
            return Reply(200, {"Content-Type": "text/csv; charset=utf-8"}, _export(2500), "chunked")
        return Reply(200, {"Content-Type": "application/pdf"}, pdf)

    with LoopbackServer(respond) as server:
        target = tmp_path / "export.csv"
        assert main(["call", "downloads.get_file", "id=42", "-o", str(target), "--host", server.url]) == 0
        assert "wrote 2500 rows" in capsys.readouterr().err
        lines = target.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "id;phone;message" and len(lines) == 2501 and lines[1] == '0;79990000000;"a; b"'
        invoice = tmp_path / "invoice.pdf"
        assert (
            main(
                [
                    "call",
                    "documents.get_account",
                    "user=client1",
                    "id=7",
                    "-o",
                    str(invoice),
                    "--host",
                    server.url,
                ]
            )
            == 0
        )
        assert invoice.read_bytes() == pdf
        # A file answer is never printed (base64 in JSON); records never go to -o.
        assert main(["call", "documents.get_account", "user=client1", "id=7", "--host", server.url]) == 2
        assert "answers a file: give -o FILE" in capsys.readouterr().err
        assert main(["call", "balance", "-o", str(tmp_path / "x"), "--host", server.url]) == 2


@pytest.mark.usefixtures("login")
def test_a_stalled_host_ends_within_the_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    with Server(ScriptedReply('{"balance": "1.00"}', stall=30)) as server:
        started = time.monotonic()
        assert main(["call", "balance", "--timeout", "0.5", "--host", server.url]) == 1
        took = time.monotonic() - started
    assert took < 5, took
    err = capsys.readouterr().err
    assert "total_timeout=0.5 s passed" in err and "[DeadlineExceeded]" in err


# -- as a user runs it --------------------------------------------------------------------------


def _smsc(*args: str, block: str = "", env: dict[str, str] | None = None, **popen: Any) -> Any:
    """``smsc`` in a fresh interpreter; ``block``: a module made unimportable (not installed)."""
    hide = f"import sys; sys.modules[{block!r}] = None; " if block else "import sys; "
    code = hide + "from smsc_cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def test_the_base_install_without_aiohttp() -> None:
    outputs = []
    for args in (["--help"], ["ops"]):
        done = _smsc(*args, block="aiohttp")
        out, err = done.communicate(timeout=120)
        assert done.returncode == 0, err
        outputs.append(out)
    assert "smsc call" in outputs[0] or "call" in outputs[0]
    assert "Balance -> BalanceResult" in outputs[1]
    done = _smsc("emulator", block="aiohttp")
    _, err = done.communicate(timeout=120)
    assert done.returncode == 2
    assert err.startswith("smsc: `smsc emulator` needs aiohttp: ")
    assert 'pip install "smsc-proto[aiohttp]"' in err


def test_ctrl_c_exits_130_without_a_traceback() -> None:
    with Server(ScriptedReply('{"balance": "1.00"}', stall=30)) as server:
        proc = _smsc(
            "call",
            "balance",
            "--host",
            server.url,
            env={"SMSC_APIKEY": "k", "SMSC_LOGIN": "", "SMSC_PSW": ""},
        )
        deadline = time.monotonic() + 60
        while not server.requests and time.monotonic() < deadline:  # the call is under way
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip() == "smsc: interrupted"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_a_progress_bar_only_on_a_terminal(
    terminal: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smsc_cli.output import write_file

    stderr = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    rows = iter([{"id": str(i), "phone": "79991234567"} for i in range(3)])
    path = tmp_path / "export.csv"
    assert write_file(smsc_proto.DownloadsGetFile(id=1), rows, path, progress=True) == 3
    assert path.read_text().splitlines() == ["id;phone", "0;79991234567", "1;79991234567", "2;79991234567"]
    shown = stderr.getvalue()
    assert ("export.csv: " in shown and "3" in shown) if terminal else shown == ""


def test_smsc_sandbox_serves_a_call_made_without_aiohttp() -> None:
    """`smsc sandbox` in one process; `smsc call balance` in another that cannot import
    aiohttp (a base install with urllib3), as a new user would run them."""
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from smsc_cli import main; sys.exit(main(['sandbox']))"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        found = re.search(r"SMSC sandbox on (http://127\.0\.0\.1:\d+)", banner)
        assert found is not None, banner + (server.stderr.read() if server.stderr else "")
        env = {"SMSC_APIKEY": "any-key", "SMSC_LOGIN": "", "SMSC_PSW": ""}
        client = _smsc("call", "balance", "cur=1", "--host", found.group(1), block="aiohttp", env=env)
        out, err = client.communicate(timeout=120)
        assert client.returncode == 0, err
        assert json.loads(out) == {"balance": "1000.00", "currency": "RUR"}
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)
