"""Every Python example of the README runs, as written, against the sandbox: the clients
they create are pointed at the ``smsc_sandbox`` fixture instead of smsc.ru, and what a line
marked ``# -> ...`` prints is checked against the output the README shows there."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
import smsc_aiohttp
import smsc_redis
import smsc_urllib3
from smsc_conformance.emulator import Emulator
from smsc_conformance.sandbox import Sandbox

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
# Blocks that are not client code run against a service (a codec-only example reads a
# canned answer; the deadline example waits on a host that does not answer).
STANDALONE = {i for i, block in enumerate(BLOCKS) if "Client(" not in block}
# The sandbox's clock for the examples: what they print is the same on every run.
NOW = dt.datetime(2026, 11, 22, 10, 10, 10).timestamp()


def _shown(block: str) -> list[str]:
    """The outputs a block shows, in order: the text after ``# -> `` on a line."""
    return [line.split("# -> ", 1)[1].rstrip() for line in block.splitlines() if "# -> " in line]


def _pointed_at(cls: type[Any], url: str) -> type[Any]:
    class Pointed(cls):  # type: ignore[misc]
        def __init__(self, credentials: Any, hosts: Any = None, **options: Any) -> None:
            if hosts is None or all("smsc.ru" in h for h in hosts):
                hosts = [url]
            super().__init__(credentials, hosts=hosts, **options)

    return Pointed


def _redis_at(url: str) -> type[Any]:
    class Pointed(smsc_redis.RedisLimiter):
        def __init__(self, given: str, **options: Any) -> None:
            super().__init__(url if given == "redis://localhost:6379/0" else given, **options)

    return Pointed


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_the_readme_example_runs(
    index: int,
    smsc_sandbox: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    block = BLOCKS[index]
    if "RedisLimiter(" in block:  # the tests' own redis-server stands for localhost's
        server = request.getfixturevalue("redis_server")
        monkeypatch.setattr(smsc_redis, "RedisLimiter", _redis_at(server.url))
    monkeypatch.setattr(smsc_urllib3, "Client", _pointed_at(smsc_urllib3.Client, smsc_sandbox.base_url))
    monkeypatch.setattr(
        smsc_aiohttp, "AsyncClient", _pointed_at(smsc_aiohttp.AsyncClient, smsc_sandbox.base_url)
    )
    monkeypatch.setenv("SMSC_APIKEY", "readme-key")
    monkeypatch.delenv("SMSC_LOGIN", raising=False)
    monkeypatch.delenv("SMSC_PSW", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "order.jpg").write_bytes(b"\xff\xd8\xff\xe0 a picture")
    (tmp_path / "certificate.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    smsc_sandbox.sandbox = Sandbox(clock=lambda: NOW, deliver_after=0.0)
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, f"README.md python block {index}", "exec"), namespace)
        # A test written as a user would (the sandbox fixture's own example): run it.
        for name, function in list(namespace.items()):
            if name.startswith("test_") and callable(function):
                function(smsc_sandbox)
    assert index in STANDALONE or smsc_sandbox.requests, "the example reached no service"
    # What a block shows, it prints, in that order (other prints may come between).
    lines = iter(printed.getvalue().splitlines())
    for expected in _shown(block):
        assert expected in lines, f"README block {index} shows {expected!r}; printed {printed.getvalue()!r}"


def test_the_tour_shows_what_it_prints() -> None:
    assert len(_shown(BLOCKS[0])) == 6  # the check above is not vacuous
