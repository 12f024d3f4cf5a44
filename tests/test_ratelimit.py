import gc
import time

import msgspec
import pytest

from smsc_proto import RateLimit, RateLimiter


def test_counts_within_a_sliding_window() -> None:
    limiter = RateLimiter()
    limit = RateLimit(3, per=60.0)
    assert [limiter.acquire("k", limit, t) for t in (0.0, 1.0, 2.0)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("k", limit, 10.0) == pytest.approx(50.0)
    assert limiter.acquire("k", limit, 60.0) == 0.0  # the first one has left the window
    assert limiter.acquire("k", limit, 60.5) == pytest.approx(0.5)


def test_refusals_are_not_counted() -> None:
    limiter = RateLimiter()
    limit = RateLimit(1, per=10.0)
    limiter.acquire("k", limit, 0.0)
    for t in (1.0, 2.0, 3.0):
        assert limiter.acquire("k", limit, t) > 0
    assert limiter.acquire("k", limit, 10.0) == 0.0


def test_release_forgets_one_request() -> None:
    limiter = RateLimiter()
    limit = RateLimit(2)
    limiter.acquire("k", limit, 0.0)
    limiter.acquire("k", limit, 1.0)
    assert limiter.acquire("k", limit, 2.0) > 0
    limiter.release("k", 1.0)
    assert limiter.acquire("k", limit, 2.0) == 0.0
    assert limiter.acquire("k", limit, 3.0) == pytest.approx(57.0)  # t=0 still counts
    limiter.release("k", 42.0)  # never counted: nothing happens
    limiter.release("other", 0.0)
    assert limiter.acquire("k", limit, 3.0) == pytest.approx(57.0)


def test_identical_requests_share_a_key_and_others_do_not() -> None:
    identical = RateLimit(1)
    a = RateLimiter.key("send", identical, [("phones", "1"), ("mes", "hi")])
    assert a == RateLimiter.key("send", identical, [("mes", "hi"), ("phones", "1")])
    assert a != RateLimiter.key("send", identical, [("phones", "1"), ("mes", "ho")])
    assert a != RateLimiter.key("send.cost", identical, [("phones", "1"), ("mes", "hi")])
    assert "hi" not in a  # a digest: the limiter keeps no message text
    assert a.startswith("send:")
    assert RateLimiter.key("balance", RateLimit(10, identical=False), [("cur", "1")]) == "balance"


def test_key_drops_the_credentials_itself() -> None:
    limit = RateLimit(1)
    form = [("phones", "1"), ("mes", "hi")]
    bare = RateLimiter.key("send", limit, form)
    for credentials in (
        [("login", "acme"), ("psw", "s3cret")],
        [("login", "other"), ("psw", "another")],
        [("apikey", "KEY-s3cret")],
    ):
        key = RateLimiter.key("send", limit, [*credentials, *form])
        assert key == bare  # the same request, whoever sends it, counts as identical
        assert "s3cret" not in key and "acme" not in key


def test_group_shares_one_window_between_ops() -> None:
    grouped = RateLimit(1, group="documents")
    act = RateLimiter.key("documents.get_act", grouped, [("num", "1")])
    account = RateLimiter.key("documents.get_account", grouped, [("num", "1")])
    assert act == account and act.startswith("documents:")
    whole = RateLimit(1, identical=False, group="documents")
    assert RateLimiter.key("documents.get_act", whole, [("num", "1")]) == "documents"


def test_rate_limit_is_a_frozen_struct() -> None:
    limit = RateLimit(5)
    assert isinstance(limit, msgspec.Struct)
    assert (limit.count, limit.per, limit.identical, limit.group) == (5, 60.0, True, None)
    assert limit == RateLimit(5, per=60.0, identical=True, group=None)
    assert limit != RateLimit(5, identical=False)
    assert hash(limit) == hash(RateLimit(5))
    assert repr(limit) == "RateLimit(count=5, per=60.0, identical=True, group=None)"
    with pytest.raises(AttributeError):
        limit.count = 6  # type: ignore[misc]
    assert msgspec.structs.replace(limit, count=1) == RateLimit(1)


def test_memory_stays_bounded() -> None:
    limiter = RateLimiter()
    limit = RateLimit(1)
    for i in range(3000):
        limiter.acquire(f"k{i}", limit, float(i * 10))
    assert len(limiter._seen) <= 1100


def _distinct_acquires(count: int) -> float:
    """The best of three timings (the garbage collector off: its passes over 50,000
    windows are not the limiter's growth)."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            limiter = RateLimiter()
            started = time.perf_counter()
            for n in range(count):  # every key distinct (a bulk send's ids), all within a minute
                assert limiter.acquire(f"send:{n}", RateLimit(1), n * 0.001) == 0.0
            best = min(best, time.perf_counter() - started)
    finally:
        gc.enable()
    return best


def test_distinct_keys_cost_constant_time_each() -> None:
    small = _distinct_acquires(5_000)
    large = _distinct_acquires(50_000)
    # Ten times the keys: about ten times the time (a scan of every key per request: ~100).
    assert large < 30 * max(small, 0.005)


def test_expired_keys_are_forgotten() -> None:
    limiter = RateLimiter()
    for n in range(100_000):  # one distinct request a second for a day and more
        limiter.acquire(f"send:{n}", RateLimit(1), float(n))
    # Only the last minute's keys are live; expired ones are dropped once the keys double.
    assert len(limiter._seen) <= 2 * 1024
