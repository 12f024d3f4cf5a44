"""Property tests over every decoder: every op in ``OPS``, every fmt, every fixture.

1. Robustness: no input makes ``decode`` or the stream decoder raise anything but
   ``SmscError``/``DecodeError`` (the codec launders nothing else: a ``TypeError``,
   ``KeyError``... escaping it is a bug), and whatever decodes is of ``op.result_type``.
2. Streaming: a fixture body fed in random chunks gives what ``decode`` gives.
3. Round trip: a result rendered in a fmt (a file, for file ops) decodes back to itself (on
   the fields that fmt carries), and a rendered error envelope decodes to that API error.
4. fmt=3 routes: a body of plausible wire values decodes to the same result whether msgspec
   takes it straight into the struct or the body is typed field by field.

Example counts are spread over the cases so the whole file stays within a few seconds per
property however many ops and fixtures exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
from property_support import (
    SCALE,
    FixtureCase,
    Sample,
    assert_records_type,
    assert_result_type,
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
    op_classes,
    op_seed_bodies,
    result_strategy,
    samples,
    seed_bodies,
    split,
    statuses,
    stream_outcome,
    synth_result,
    wire_json_bodies,
)

from smsc_proto import OPS, FileOp, HttpResponse, Op, SmscError
from smsc_proto.decode import find_error
from smsc_proto.errors import Malformed
from smsc_proto.op import COMMON_ERRORS, CONTENT_TYPES

SAMPLES = samples()
FIXTURES = fixtures()


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
        assert_result_type(op, result)
    streamed = stream_outcome(op, response, split(body, cuts))
    if streamed.records is not None:
        assert_records_type(op, streamed.records)


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


@pytest.mark.parametrize("case", FIXTURES, ids=fixture_ids(FIXTURES))
def test_stream_agrees_with_decode(case: FixtureCase) -> None:
    op = OPS[case.op_id].from_params(case.input, case.fmt)
    response = HttpResponse(case.status, case.headers, case.body)
    _, whole = decode_outcome(op, response)

    @_settings(len(FIXTURES), 2000, low=5)
    @given(cuts=chunk_cuts(), eager=st.booleans())
    def check(cuts: list[int], eager: bool) -> None:
        streamed = stream_outcome(op, response, split(case.body, cuts), eager=eager)
        assert streamed.same_as(whole), f"stream gave {streamed.describe()}, decode {whole.describe()}"

    check()


# -- 3. round trip ---------------------------------------------------------------------------


def _renders(sample: Sample) -> bool:
    try:
        sample.op.render(synth_result(sample.op.result_type), sample.fmt)
    except Malformed:  # a shape with no form in this fmt
        return False
    return True


RENDERED = [s for s in SAMPLES if _renders(s)]


def test_every_op_renders_its_result() -> None:
    # File ops render their file (a PDF, a multipart invoice, a CSV export); every op takes
    # part in the round trip below, in every fmt.
    unrendered = sorted({s.label for s in SAMPLES if s not in RENDERED})
    assert unrendered == []


def test_render_answers_the_fmt_content_type() -> None:
    for sample in SAMPLES:
        response = sample.op.render(synth_result(sample.op.result_type), sample.fmt)
        assert response.status == 200
        content_type = response.header("Content-Type")
        if isinstance(sample.op, FileOp):
            assert content_type is not None
            assert content_type.split(";")[0] in ("application/pdf", "multipart/mixed", "text/csv")
        else:
            assert content_type == CONTENT_TYPES[sample.fmt], sample.label
        error = sample.op.render_error(9, "x", sample.fmt)
        assert (error.status, error.header("Content-Type")) == (200, CONTENT_TYPES[sample.fmt])


@pytest.mark.parametrize("sample", RENDERED, ids=labels(RENDERED))
def test_rendered_result_decodes_to_itself(sample: Sample) -> None:
    op = sample.op
    strategy = result_strategy(op)

    @_settings(len(SAMPLES), 2000)
    @given(result=strategy, cuts=chunk_cuts())
    def check(result: Any, cuts: list[int]) -> None:
        response = op.render(result, sample.fmt)
        if not isinstance(op, FileOp) and sample.fmt in (0, 1):
            # fmt=1 cannot tell `<a>,-<n>` records from the `<id>,-<code>` error envelope.
            assume(find_error(response.body.decode("utf-8")) is None)
        decoded = op.decode(response)
        assert_result_type(op, decoded)
        compare_carried(op, sample.fmt, result, decoded, response)
        for eager in (False, True):
            streamed = stream_outcome(op, response, split(response.body, cuts), eager=eager)
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
    @example(code=3, description="", message_id=None, status=200)  # "no records" on a list
    def check(code: int, description: str, message_id: int | str | None, status: int) -> None:
        rendered = op.render_error(code, description, sample.fmt, message_id=message_id)
        answer = HttpResponse(status, rendered.headers, rendered.body)
        if code in op.empty_codes:  # "no records" to a list command: an empty list
            assert op.decode(answer) == []
            return
        with pytest.raises(SmscError) as caught:
            op.decode(answer)
        error = caught.value
        expected_cls = (op.errors.get(code) or COMMON_ERRORS.get(code) or (SmscError, ""))[0]
        assert type(error) is expected_cls
        assert (error.code, error.op, error.message_id) == (code, op.op_id, message_id)
        assert error.description == ("" if sample.fmt == 1 else description)

    check()


# -- 4. fmt=3: the msgspec route and the field-by-field route agree ---------------------------


def _json_cases() -> list[tuple[str, Op[Any]]]:
    """One op per distinct (shape, result type) among the record ops."""
    seen: set[tuple[int, str]] = set()
    out: list[tuple[str, Op[Any]]] = []
    for sample in SAMPLES:
        if isinstance(sample.op, FileOp):
            continue
        key = (id(sample.op.result_shape()), repr(sample.op.result_type))
        if key not in seen:
            seen.add(key)
            out.append((f"{sample.op_id}-{type(sample.op).__name__}-{len(out)}", sample.op))
    return out


JSON_CASES = _json_cases()


def test_every_record_result_type_has_a_json_case() -> None:
    covered = {repr(op.result_type) for _, op in JSON_CASES}
    expected = {
        repr(cls.result_type) for op_id in OPS for cls in op_classes(op_id) if not issubclass(cls, FileOp)
    }
    assert covered == expected


def _assert_routes_agree(op: Op[Any], text: str) -> None:
    decoder = op.result_shape().decoder(op.result_type)
    fast = decoder.from_json(text)  # msgspec straight into the struct, when it takes the body
    slow = decoder.from_json_by_field(text)
    # repr: an IntEnum equals its int and Decimal("1.0") equals Decimal("1"); the routes must
    # agree on types and digits too.
    assert repr(fast) == repr(slow), f"{text}\nmsgspec route: {fast!r}\nfield by field: {slow!r}"
    assert fast == slow
    assert_result_type(op, fast)


@pytest.mark.parametrize("op", [op for _, op in JSON_CASES], ids=[name for name, _ in JSON_CASES])
def test_json_fast_route_agrees_with_field_by_field(op: Op[Any]) -> None:
    @_settings(len(JSON_CASES), 3000, low=50)
    @given(text=wire_json_bodies(op.result_type))
    def check(text: str) -> None:
        _assert_routes_agree(op, text)

    check()


# Bodies the property above once found the routes to disagree on.
KNOWN_BODIES = [
    # `int | str | None` ids: "" is none, on both routes.
    ("Status", '{"status": 0, "id": ""}'),
    ("StatusBatch", '[{"status": 0, "id": ""}, {"status": 1, "id": "7"}]'),
    ("Send", '{"cnt": 1, "id": ""}'),
]


@pytest.mark.parametrize(("cls", "text"), KNOWN_BODIES)
def test_json_routes_agree_on_known_bodies(cls: str, text: str) -> None:
    op = next(op for _, op in JSON_CASES if type(op).__name__ == cls)
    _assert_routes_agree(op, text)


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


def test_fuzz_target_fails_a_slow_input() -> None:
    """A decode slower than the harness's limit crashes it, saying so (limit forced to 0 here:
    every input is too slow)."""
    assert fuzz_harness.SLOW_SECONDS == 1.0
    target = fuzz_harness.make_target("balance", slow_seconds=0.0)
    data = fuzz_inputs.encode(3, {"Content-Type": "application/json"}, 200, b'{"balance": "1.5"}')
    with pytest.raises(fuzz_harness.SlowInput, match=r"balance: SLOW INPUT: decoding a 18-byte body whole"):
        target(data)
    fuzz_harness.make_target("balance")(data)  # well within the real limit


REGRESSIONS = sorted((Path(__file__).resolve().parents[1] / "fuzz" / "regressions").iterdir())


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_fuzz_regressions(path: Path) -> None:
    """Inputs that once crashed a harness (named ``<harness name>-<hash>``) stay harmless."""
    by_name = {op_id.replace(".", "_"): op_id for op_id in OPS}
    name = path.name.rsplit("-", 1)[0]
    assert name in by_name, f"{path.name}: no op id for {name!r}"
    fuzz_harness.make_target(by_name[name])(path.read_bytes())


def test_the_fuzz_step_runs_on_hypothesis_where_atheris_is_missing() -> None:
    """``make test``'s fuzz step where atheris cannot install: the same harnesses, and one line
    saying so; a harness that raises still fails the step."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    hide = "import sys, runpy; sys.modules['atheris'] = None; sys.argv = ['run_all.py', *sys.argv[1:]]; "
    run = "runpy.run_path('fuzz/run_all.py', run_name='__main__')"
    done = subprocess.run(
        [sys.executable, "-c", hide + run, "--runs", "50", "balance", "status"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "atheris is not installed here" in done.stdout
    assert done.stdout.rstrip().endswith("fuzz: 2 passed, 0 failed")

    import without_atheris

    def broken(data: bytes) -> None:
        raise AssertionError("a decoder bug")

    _, failure = without_atheris.fuzz_op("balance", 5, broken)
    assert failure is not None and "a decoder bug" in failure
