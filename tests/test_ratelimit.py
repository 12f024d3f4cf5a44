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


def test_identical_requests_share_a_key_and_others_do_not() -> None:
    identical = RateLimit(1)
    a = RateLimiter.key("send", identical, [("phones", "1"), ("mes", "hi")])
    assert a == RateLimiter.key("send", identical, [("mes", "hi"), ("phones", "1")])
    assert a != RateLimiter.key("send", identical, [("phones", "1"), ("mes", "ho")])
    assert "hi" not in a  # a digest: the limiter keeps no message text
    assert RateLimiter.key("balance", RateLimit(10, identical=False), [("cur", "1")]) == "balance"


def test_memory_stays_bounded() -> None:
    limiter = RateLimiter()
    limit = RateLimit(1)
    for i in range(3000):
        limiter.acquire(f"k{i}", limit, float(i * 10))
    assert len(limiter._seen) <= 1100
