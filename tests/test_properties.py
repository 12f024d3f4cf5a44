"""Property tests over every decoder: every op in ``OPS``, every fmt, every fixture.

1. Robustness: no input makes ``decode`` or the stream decoder raise anything but
   ``SmscError``/``DecodeError``, and whatever decodes has the op's result type.
2. Streaming: a fixture body fed in random chunks gives what ``decode`` gives.
3. Round trip: a result rendered in a fmt decodes back to itself (on the fields that fmt
   carries), and a rendered error envelope decodes to that API error.

Example counts are spread over the cases so the whole file stays within a few seconds per
property however many ops and fixtures exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from property_support import (
    SCALE,
    FixtureCase,
    Sample,
    assert_kind,
    assert_records_kind,
    chunk_cuts,
    compare_carried,
    decode_outcome,
    error_descriptions,
    examples_per_case,
    fixture_ids,
    fixtures,
    fuzz_harness,
    fuzz_inputs,
    headers_strategy,
    junk_bodies,
    labels,
    message_ids,
    op_seed_bodies,
    result_strategy,
    samples,
    seed_bodies,
    split,
    statuses,
    stream_outcome,
    synth_result,
)

from smsc_proto import OPS, HttpResponse, SmscError
from smsc_proto.formats.envelope import find_error
from smsc_proto.op import COMMON_ERRORS
from smsc_proto.shapes import ShapeError

SAMPLES = samples()
FIXTURES = fixtures()
UTF8 = {"Content-Type": "text/plain; charset=utf-8"}


def _settings(cases: int, total: int, low: int = 10) -> settings:
    return settings(
        max_examples=examples_per_case(cases, total, low=low),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


def _check_survives(
    sample: Sample, status: int, headers: dict[str, str], body: bytes, cuts: list[int]
) -> None:
    op = sample.op
    response = HttpResponse(status, headers, body)
    result, whole = decode_outcome(op, response)
    if whole.error is None:
        assert_kind(op, result)
    streamed = stream_outcome(op, response, split(body, cuts))
    if streamed.records is not None:
        assert_records_kind(op, streamed.records)


def test_every_op_has_samples() -> None:
    """Every registered op is exercised in every fmt (from a fixture or synthesised params)."""
    covered = {(s.op_id, s.fmt) for s in SAMPLES}
    missing = [f"{op_id} fmt={fmt}" for op_id in OPS for fmt in range(4) if (op_id, fmt) not in covered]
    assert not missing, f"no op instance could be built for: {', '.join(missing)}"


# -- 1. robustness ---------------------------------------------------------------------------

_ARBITRARY = st.one_of(
    st.binary(max_size=2000),
    st.builds(
        lambda t, c: t.encode(c, "replace"),
        st.text(max_size=500),
        st.sampled_from(["utf-8", "cp1251", "utf-16", "koi8-r"]),
    ),
)


@pytest.mark.parametrize("sample", SAMPLES, ids=labels(SAMPLES))
def test_arbitrary_bodies_raise_only_codec_errors(sample: Sample) -> None:
    @_settings(len(SAMPLES), 2000)
    @given(status=statuses(), headers=headers_strategy(), body=_ARBITRARY, cuts=chunk_cuts())
    def check(status: int, headers: dict[str, str], body: bytes, cuts: list[int]) -> None:
        _check_survives(sample, status, headers, body, cuts)

    check()


@pytest.mark.parametrize("sample", SAMPLES, ids=labels(SAMPLES))
def test_structured_junk_raises_only_codec_errors(sample: Sample) -> None:
    seeds = op_seed_bodies(sample.op_id)

    @_settings(len(SAMPLES), 2500)
    @given(
        status=statuses(), headers=headers_strategy(), body=junk_bodies(sample.op, seeds), cuts=chunk_cuts()
    )
    def check(status: int, headers: dict[str, str], body: bytes, cuts: list[int]) -> None:
        _check_survives(sample, status, headers, body, cuts)

    check()


# -- 2. stream / whole agreement -------------------------------------------------------------


def _fixture_op(case: FixtureCase) -> Any:
    try:
        return OPS[case.op_id].from_params(case.input, case.fmt)
    except ValueError:
        pytest.skip("fixture parameters are refused (a request-side case)")


@pytest.mark.parametrize("case", FIXTURES, ids=fixture_ids(FIXTURES))
def test_stream_agrees_with_decode(case: FixtureCase) -> None:
    op = _fixture_op(case)
    response = HttpResponse(case.status, case.headers, case.body)
    _, whole = decode_outcome(op, response)

    @_settings(len(FIXTURES), 2000, low=5)
    @given(cuts=chunk_cuts())
    def check(cuts: list[int]) -> None:
        streamed = stream_outcome(op, response, split(case.body, cuts))
        assert streamed.same_as(whole), f"stream gave {streamed.describe()}, decode {whole.describe()}"

    check()


# -- 3. round trip ---------------------------------------------------------------------------


def _renders(sample: Sample) -> bool:
    try:
        sample.op.render(synth_result(sample.op.result_kind()), sample.fmt)
    except (ShapeError, NotImplementedError):
        return False
    return True


RENDERED = [s for s in SAMPLES if _renders(s)]


def test_only_byte_bodied_ops_have_no_rendering() -> None:
    # Invoices and acts answer PDF and multipart bodies, which the codec reads but does not
    # write; every other op must take part in the round trip below.
    unrendered = sorted({s.op_id for s in SAMPLES if s not in RENDERED})
    assert unrendered == ["documents.add_account", "documents.get_account", "documents.get_act"]


@pytest.mark.parametrize("sample", RENDERED, ids=labels(RENDERED))
def test_rendered_result_decodes_to_itself(sample: Sample) -> None:
    op = sample.op
    strategy = result_strategy(op)

    @_settings(len(SAMPLES), 2000)
    @given(result=strategy, cuts=chunk_cuts())
    def check(result: Any, cuts: list[int]) -> None:
        body = op.render(result, sample.fmt)
        # fmt=1 cannot tell `<a>,-<n>` records from the `<id>,-<code>` error envelope.
        assume(sample.fmt not in (0, 1) or find_error(body) is None)
        response = HttpResponse(200, UTF8, body.encode("utf-8"))
        decoded = op.decode(response)
        assert_kind(op, decoded)
        compare_carried(op, sample.fmt, result, decoded, body)
        streamed = stream_outcome(op, response, split(response.body, cuts))
        assert streamed.error is None, f"stream failed where decode did not: {streamed.error!r}"
        assert streamed.records == (decoded if isinstance(decoded, list) else [decoded])

    check()


@pytest.mark.parametrize("sample", SAMPLES, ids=labels(SAMPLES))
def test_rendered_error_decodes_to_api_error(sample: Sample) -> None:
    op = sample.op

    @_settings(len(SAMPLES), 1500)
    @given(
        code=st.integers(min_value=1, max_value=999),
        description=error_descriptions(),
        message_id=message_ids(),
        status=st.sampled_from([200, 400, 500]),
    )
    def check(code: int, description: str, message_id: int | str | None, status: int) -> None:
        body = op.render_error(code, description, sample.fmt, message_id=message_id)
        with pytest.raises(SmscError) as caught:
            op.decode(HttpResponse(status, UTF8, body.encode("utf-8")))
        error = caught.value
        expected_cls = (op.errors.get(code) or COMMON_ERRORS.get(code) or (SmscError, ""))[0]
        assert type(error) is expected_cls
        assert (error.code, error.op, error.message_id) == (code, op.op_id, message_id)
        assert error.description == ("" if sample.fmt == 1 else description)

    check()


# -- the fuzz harnesses' plumbing (fuzz/), without atheris -----------------------------------


@settings(max_examples=100 * SCALE, deadline=None)
@given(
    fmt=st.integers(min_value=0, max_value=3),
    content_type=st.one_of(
        st.sampled_from(fuzz_inputs.CONTENT_TYPES), st.text(max_size=40).filter(lambda t: "\n" not in t)
    ),
    status=st.sampled_from(fuzz_inputs.STATUSES),
    body=st.binary(max_size=200),
)
def test_fuzz_input_encoding_round_trips(
    fmt: int, content_type: str | None, status: int, body: bytes
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    parsed = fuzz_inputs.decode(fuzz_inputs.encode(fmt, headers, status, body, variant=7, chunk=3))
    assert parsed is not None
    expected_ct = (
        None if content_type is None else content_type.encode("latin-1", "replace").decode("latin-1")
    )
    assert parsed == (fmt, {} if expected_ct is None else {"Content-Type": expected_ct}, status, 7, 3, body)


@pytest.mark.parametrize("op_id", list(OPS))
def test_fuzz_target_accepts_every_seed(op_id: str) -> None:
    """Each op's harness runs its whole seed corpus: fixtures, rendered results, errors."""
    target = fuzz_harness.make_target(op_id)
    seeds = seed_bodies(op_id)
    assert seeds, f"no seed for {op_id}"
    for seed in seeds:
        for chunk in (0, 1, 7):
            target(
                fuzz_inputs.encode(
                    seed.fmt, seed.headers, seed.status, seed.body, variant=seed.variant, chunk=chunk
                )
            )


REGRESSIONS = sorted((Path(__file__).resolve().parents[1] / "fuzz" / "regressions").iterdir())


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_fuzz_regressions(path: Path) -> None:
    """Inputs that once crashed a harness (named ``<harness name>-<hash>``) stay harmless."""
    by_name = {op_id.replace(".", "_"): op_id for op_id in OPS}
    name = path.name.rsplit("-", 1)[0]
    assert name in by_name, f"{path.name}: no op id for {name!r}"
    fuzz_harness.make_target(by_name[name])(path.read_bytes())
