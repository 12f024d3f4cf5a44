"""Helpers for the conformance runner and emulator tests: synthetic fixture folders and a
plain HTTP client for poking the emulator."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import urllib3
from smsc_conformance import runner
from smsc_conformance.fixtures import Fixture, parse_fixture


def balance_fixture(**changes: Any) -> dict[str, Any]:
    """A passing balance fmt=3 case; ``changes`` replace top-level fields."""
    data: dict[str, Any] = {
        "op": "balance",
        "input": {},
        "fmt": 3,
        "request": {"method": "POST", "path": "/sys/balance.php", "params": {"fmt": "3"}},
        "response": {
            "status": 200,
            "headers": {"Content-Type": "application/json; charset=windows-1251"},
            "body": '{\n"balance": "1871.60"\n}',
        },
        "expect": {"result": {"balance": "1871.6"}},
        "note": "test",
    }
    data.update(copy.deepcopy(changes))
    return data


def status_many_fixture(**changes: Any) -> dict[str, Any]:
    """Two message ids in one status request: the result is a list."""
    body = (
        '[{"status": 1, "last_date": "01.05.2024 12:00:05", "last_timestamp": 1714564805, "id": 101},'
        ' {"status": -1, "last_date": "01.05.2024 12:00:06", "last_timestamp": 1714564806, "id": 102}]'
    )
    data: dict[str, Any] = {
        "op": "status",
        "input": {"phone": ["79991234567", "79991234568"], "id": [101, 102]},
        "fmt": 3,
        "request": {
            "method": "POST",
            "path": "/sys/status.php",
            "params": {"phone": "79991234567,79991234568", "id": "101,102", "fmt": "3"},
        },
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body},
        "expect": {
            "result": {
                "items": [
                    {"status": 1, "last_date": "2024-05-01T12:00:05", "id": 101},
                    {"status": -1, "id": 102},
                ]
            }
        },
    }
    data.update(copy.deepcopy(changes))
    return data


def status_one_fixture(**changes: Any) -> dict[str, Any]:
    """One message id (a list of one, as recorded fixtures give it): the result is one record."""
    data: dict[str, Any] = {
        "op": "status",
        "input": {"phone": ["79991234567"], "id": [101]},
        "fmt": 3,
        "request": {
            "method": "POST",
            "path": "/sys/status.php",
            "params": {"phone": "79991234567", "id": "101", "fmt": "3"},
        },
        "response": {
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": '{"status": 1, "last_date": "01.05.2024 12:00:05", "last_timestamp": 1714564805}',
        },
        "expect": {"result": {"status": 1, "last_date": "2024-05-01T12:00:05", "last_timestamp": 1714564805}},
    }
    data.update(copy.deepcopy(changes))
    return data


def write_fixture(root: Path, name: str, data: dict[str, Any] | str) -> Path:
    """Write ``data`` (an object, or raw text for broken files) to ``root/name``."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def run_runner(*args: str) -> tuple[int, list[str]]:
    """``python -m smsc_conformance ARGS`` in-process: exit status and output lines."""
    out = io.StringIO()
    code = runner.main(list(args), out)
    return code, out.getvalue().splitlines()


def http() -> urllib3.PoolManager:
    """A plain client that neither retries nor follows redirects."""
    return urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5.0, read=10.0))


def post_form(url: str, fields: dict[str, str], **kwargs: Any) -> urllib3.BaseHTTPResponse:
    return http().request("POST", url, fields=fields, encode_multipart=False, **kwargs)


def balance_case(name: str, params: dict[str, str], body: str, **changes: Any) -> Fixture:
    """A balance fixture (fmt=0 unless ``changes`` says) answering ``params`` with ``body``."""
    changes.setdefault("fmt", 0)
    data = balance_fixture(
        request={"method": "POST", "path": "/sys/balance.php", "params": params},
        response={"status": 200, "headers": {"Content-Type": "text/plain"}, "body": body},
        **changes,
    )
    return parse_fixture(data, name)
