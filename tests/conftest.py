"""Each test starts as a new process would: no login's limits carried over from another test
(clients of one login share their rate windows and slots in a process)."""

from collections.abc import Iterator

import pytest
from downloads_support import LoopbackServer, Reply

# The real redis-server of the smsc_redis tests, started by the first test that asks for it.
from redis_support import redis_limiter, redis_prefix, redis_server  # noqa: F401

from smsc_proto import limits


@pytest.fixture(autouse=True)
def _fresh_login_limits() -> Iterator[None]:
    limits.reset()
    yield
    limits.reset()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A loopback server (downloads_support.py) answering 404 until a test sets ``respond``."""
    with LoopbackServer(lambda path, form: Reply(404)) as srv:
        yield srv
