import pytest

from smsc_proto import (
    Attempt,
    Balance,
    CallPolicy,
    Credentials,
    Fail,
    Failure,
    PolicyConfig,
    Proceed,
    RateLimitedError,
    Send,
    TransportError,
    Wait,
)

HOSTS = ("http://127.0.0.1:8001", "http://127.0.0.1:8002/")


def policy(**options: object) -> CallPolicy:
    return CallPolicy(Credentials(login="acme", psw="pw"), PolicyConfig(hosts=HOSTS, **options))  # type: ignore[arg-type]


def send() -> Send:
    return Send(phones=["79991234567"], mes="hi")


def test_first_attempt_goes_to_the_main_host() -> None:
    attempt = policy().start(Balance(), 0.0).first()
    assert isinstance(attempt, Attempt)
    assert attempt.url == "http://127.0.0.1:8001/sys/balance.php"
    assert attempt.number == 1
    assert (attempt.connect_timeout, attempt.read_timeout) == (10.0, 60.0)


def test_connect_failure_fails_over_to_backup_even_for_send() -> None:
    call = policy(backoff=0.25).start(send(), 0.0)
    call.first()
    step = call.on_failure(Failure.NOT_SENT, "connection refused")
    assert isinstance(step, Wait)
    assert step.seconds == 0.25
    assert step.then.url == "http://127.0.0.1:8002/sys/send.php"  # trailing slash dropped


def test_send_is_not_retried_after_it_may_have_left() -> None:
    call = policy().start(send(), 0.0)
    call.first()
    step = call.on_failure(Failure.MAYBE_SENT, "read timeout")
    assert isinstance(step, Fail)
    assert isinstance(step.error, TransportError)
    assert step.error.sent is None
    assert "not retried" in str(step.error)


def test_send_5xx_is_final() -> None:
    call = policy().start(send(), 0.0)
    call.first()
    assert isinstance(call.on_status(503), Proceed)


def test_idempotent_op_retries_read_timeouts_and_5xx_with_backoff_then_gives_up() -> None:
    call = policy(max_attempts=3, backoff=1.0, max_backoff=1.5).start(Balance(), 0.0)
    call.first()
    first = call.on_status(502)
    assert isinstance(first, Wait) and first.seconds == 1.0 and first.then.number == 2
    second = call.on_failure(Failure.MAYBE_SENT, "read timeout")
    assert isinstance(second, Wait) and second.seconds == 1.5  # capped
    assert second.then.url.startswith(HOSTS[0])  # round robin back to main
    last = call.on_failure(Failure.MAYBE_SENT, "read timeout")
    assert isinstance(last, Fail)
    assert "3 attempt(s) failed: HTTP 502; read timeout; read timeout" in str(last.error)


def test_after_last_attempt_a_5xx_is_decoded() -> None:
    call = policy(max_attempts=1).start(Balance(), 0.0)
    call.first()
    assert isinstance(call.on_status(500), Proceed)


@pytest.mark.parametrize("status", [200, 400, 403, 404])
def test_final_statuses_proceed(status: int) -> None:
    call = policy().start(Balance(), 0.0)
    call.first()
    assert isinstance(call.on_status(status), Proceed)


def test_local_rate_limit_refuses_before_any_io() -> None:
    p = policy()
    p.start(send(), 100.0)
    with pytest.raises(RateLimitedError) as info:
        p.start(send(), 130.0)
    assert info.value.code == 9
    assert info.value.retry_after == pytest.approx(30.0)
    p.start(Send(phones=["79991234567"], mes="other text"), 130.0)  # not identical
    p.start(send(), 160.0)  # the window has passed


def test_rate_limits_can_be_turned_off() -> None:
    p = policy(rate_limits=False)
    for _ in range(5):
        p.start(send(), 0.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"hosts": ()}, "at least one"),
        ({"hosts": "https://smsc.ru"}, "not one string"),
        ({"hosts": ("smsc.ru",)}, "expected a base URL"),
        ({"hosts": ("https://user:pw@smsc.ru",)}, "must not carry credentials"),
        ({"hosts": ("https://smsc.ru/?psw=x",)}, "must not carry credentials"),
        ({"max_attempts": 0}, "max_attempts=0"),
        ({"max_in_flight": 15}, "max_in_flight=15"),
        ({"read_timeout": 0}, "timeouts must be positive"),
        ({"backoff": -1}, "must not be negative"),
    ],
)
def test_bad_config_is_refused_clearly(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PolicyConfig(**options)  # type: ignore[arg-type]


def test_a_request_that_never_left_gives_its_rate_limit_slot_back() -> None:
    p = policy(max_attempts=2)
    call = p.start(send(), 0.0)
    call.first()
    assert isinstance(call.on_failure(Failure.NOT_SENT, "connection refused"), Wait)
    failed = call.on_failure(Failure.NOT_SENT, "connection refused")
    assert isinstance(failed, Fail) and failed.error.sent is False  # type: ignore[attr-defined]
    p.start(send(), 5.0)  # the same message again: the API never saw the first one


def test_a_request_that_may_have_left_keeps_its_slot() -> None:
    p = policy()
    call = p.start(send(), 0.0)
    call.first()
    assert isinstance(call.on_failure(Failure.MAYBE_SENT, "read timeout"), Fail)
    with pytest.raises(RateLimitedError):
        p.start(send(), 5.0)


def test_ops_limited_to_one_identical_request_are_not_repeated_once_sent() -> None:
    from smsc_proto import JobsGet, Status

    for op in (JobsGet(id=5), Status(phone=["79991234567", "79997654321"], id=[1, 2])):
        call = policy().start(op, 0.0)
        call.first()
        assert isinstance(call.on_status(503), Proceed)  # a repeat would only earn error 9
        call = policy().start(op, 0.0)
        call.first()
        assert isinstance(call.on_failure(Failure.MAYBE_SENT, "read timeout"), Fail)
        call = policy().start(op, 0.0)
        call.first()
        assert isinstance(call.on_failure(Failure.NOT_SENT, "refused"), Wait)  # never arrived
