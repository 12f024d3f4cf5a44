"""op_templates.php ops (OperatorTemplatesAdd/Get): parameters, per-operator records in every
fmt, negative statuses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    AddStatus,
    AuthenticationError,
    DecodeError,
    HttpResponse,
    InvalidParameter,
    NotFoundError,
    OperatorTemplateAdded,
    OperatorTemplateInfo,
    OperatorTemplatesAdd,
    OperatorTemplatesGet,
    ParameterError,
    RateLimit,
    RateLimitedError,
    SmscError,
    TemplateStatus,
)
from smsc_proto.op import CONTENT_TYPES
from smsc_proto.ops.operator_templates import OPERATOR_FLAGS, OPERATOR_TEMPLATES_SHAPE

ADD = OperatorTemplatesAdd(sender="SHOP", msg="Your code: %d%", mts_srv=1, mega_auth=1)
GET = OperatorTemplatesGet(sender="SHOP", msg="Your code: %d%")


def _decode(op: Any, body: str, content_type: str = "text/plain; charset=utf-8") -> Any:
    return op.decode(HttpResponse(200, {"Content-Type": content_type}, body.encode("utf-8")))


def test_params_carry_the_command_the_template_and_the_flags_given() -> None:
    op = OperatorTemplatesAdd.from_params(
        {"sender": "SHOP", "msg": "Код: %d%", **{flag: 1 for flag in OPERATOR_FLAGS}}
    )
    params = op.params()
    assert params[:3] == [("add", "1"), ("sender", "SHOP"), ("msg", "Код: %d%")]
    assert [name for name, _ in params[3:-2]] == list(OPERATOR_FLAGS)
    assert GET.params() == [
        ("get", "1"),
        ("sender", "SHOP"),
        ("msg", "Your code: %d%"),
        ("fmt", "3"),
        ("charset", "utf-8"),
    ]


def test_class_facts() -> None:
    assert OPS["op_templates.add"] is OperatorTemplatesAdd
    assert OPS["op_templates.get"] is OperatorTemplatesGet
    assert OperatorTemplatesAdd.path == OperatorTemplatesGet.path == "/sys/op_templates.php"
    assert not OperatorTemplatesAdd.idempotent and OperatorTemplatesGet.idempotent
    assert ADD.rate_limit == GET.rate_limit == RateLimit(10)
    assert OperatorTemplatesAdd.rate_limit == OperatorTemplatesGet.rate_limit == RateLimit(10)
    # The op ids keep the API's names.
    assert (OperatorTemplatesAdd.op_id, OperatorTemplatesGet.op_id) == (
        "op_templates.add",
        "op_templates.get",
    )
    assert ADD.result_shape() is GET.result_shape() is OPERATOR_TEMPLATES_SHAPE


def test_result_types_and_commands() -> None:
    assert OperatorTemplatesAdd.result_type == list[OperatorTemplateAdded]
    assert OperatorTemplatesGet.result_type == list[OperatorTemplateInfo]
    assert ADD.result_type == list[OperatorTemplateAdded]
    assert OperatorTemplatesAdd.command == "add"
    assert OperatorTemplatesGet.command == "get"
    assert ADD.params()[0] == ("add", "1")
    assert GET.params()[0] == ("get", "1")
    # The command flag given in the params is implied, not sent twice nor kept as extra.
    op = OperatorTemplatesGet.from_params({"sender": "SHOP", "msg": "Your code: %d%", "get": 1})
    assert op == GET and op.extra is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sender": "", "msg": "x"}, "sender"),
        ({"sender": "S", "msg": "  "}, "msg"),
        ({"sender": "S", "msg": "x", "mts_srv": 2}, "mts_srv"),
        ({"sender": "S", "msg": "x", "soc": "yes"}, "soc"),
    ],
)
def test_invalid_parameters_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        OperatorTemplatesAdd.from_params(kwargs)
    assert info.value.field == field


def test_required_parameters() -> None:
    with pytest.raises(InvalidParameter):
        OperatorTemplatesGet.from_params({"sender": "S"})


@pytest.mark.parametrize(
    "body",
    [
        "MTS (service) - 90311, 1\nMegaFon - , -2\n",
        "MTS (service),90311,1\r\nMegaFon,,-2",
        "MTS (service);90311;1\nMegaFon;;-2",
        "name = MTS (service), id = 90311, status = 1\nname = MegaFon, id = , status = -2",
        '[{"name": "MTS (service)", "id": 90311, "status": 1}, {"name": "MegaFon", "id": "", "status": -2}]',
        '{"MTS (service)": {"id": 90311, "status": "1"}, "MegaFon": {"status": -2}}',
        "<result><template><name>MTS (service)</name><id>90311</id><status>1</status></template>"
        "<template><name>MegaFon</name><id></id><status>-2</status></template></result>",
        "<?xml version='1.0' encoding='utf-8'?><result><op><name>MTS (service)</name><id>90311</id>"
        "<status>1</status></op><op><name>MegaFon</name><status>-2</status></op></result>",
        "<name>MTS (service)</name><id>90311</id><status>1</status><name>MegaFon</name><status>-2</status>",
    ],
)
def test_add_records_decode_from_every_layout(body: str) -> None:
    assert _decode(ADD, body) == [
        OperatorTemplateAdded(name="MTS (service)", id=90311, status=AddStatus.ADDED),
        OperatorTemplateAdded(name="MegaFon", id=None, status=AddStatus.CANNOT_SAVE),
    ]


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_get_records_round_trip_through_render(fmt: int) -> None:
    records = [
        OperatorTemplateInfo(name=f"Operator {s}", id=100 + s if s >= 0 else None, status=TemplateStatus(s))
        for s in (-1, 0, 1, 2, 3, 4)
    ]
    response = GET.render(records, fmt)
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    assert GET.decode(response) == records
    assert _decode(GET, response.body.decode()) == records


def test_one_record_with_a_negative_status_is_not_the_error_shape() -> None:
    assert _decode(ADD, "MTS (service),90311,-1") == [
        OperatorTemplateAdded(name="MTS (service)", id=90311, status=AddStatus.SENDER_NOT_ACCEPTED)
    ]
    assert _decode(GET, "Beeline - 7, -1") == [
        OperatorTemplateInfo(name="Beeline", id=7, status=TemplateStatus.NONE)
    ]
    # Two fields are the fmt=1 error envelope.
    with pytest.raises(AuthenticationError):
        _decode(GET, "0,-2")


def test_unknown_status_values_stay_integers() -> None:
    [record] = _decode(GET, '[{"name": "X", "id": 1, "status": 7}]')
    assert record.status == 7 and record.status.name == "UNKNOWN_7"


@pytest.mark.parametrize(
    ("body", "error", "code"),
    [
        ("ERROR = 1 (parameters error)", ParameterError, 1),
        ('{"error": "sender not found", "error_code": 3}', NotFoundError, 3),
        ("<result><error>x</error><error_code>9</error_code></result>", RateLimitedError, 9),
        ("0,-4", SmscError, 4),
    ],
)
def test_errors_in_any_envelope(body: str, error: type[SmscError], code: int) -> None:
    for op in (ADD, GET):
        with pytest.raises(error) as info:
            _decode(op, body)
        assert info.value.code == code and info.value.op == op.op_id


@pytest.mark.parametrize(
    "body",
    [
        "",
        "OK",
        "MTS,90311",
        "MTS,90311,x",
        '{"name": "MTS"}',
        '"text"',
        "[1, 2]",
        '{"MTS": 5}',
        "<result/>",
        "<html><body>Bad gateway</body></html>",
        "%PDF-1.4\n1 0 obj\n",
    ],
)
def test_other_bodies_are_decode_errors(body: str) -> None:
    with pytest.raises(DecodeError):
        _decode(GET, body)


# Names start with a letter or digit: a body opening with "{", "[" or "<" is read as JSON or
# XML by design, and operator names never do.
_records = st.lists(
    st.builds(
        OperatorTemplateInfo,
        name=st.text(
            alphabet=st.characters(
                blacklist_categories=("Cc", "Cs"), blacklist_characters=",;<>&\r\n\x85\u2028\u2029"
            ),
            min_size=1,
            max_size=20,
        ).filter(lambda s: s.strip() == s and s[0].isalnum() and s[-1] != "-"),
        id=st.one_of(st.none(), st.integers(1, 2**31)),
        status=st.integers(-2, 6).map(TemplateStatus),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=80, deadline=None)
@given(records=_records, fmt=st.sampled_from([0, 1, 2, 3]))
def test_rendered_records_decode_back(records: list[OperatorTemplateInfo], fmt: int) -> None:
    assert _decode(GET, GET.render(records, fmt).body.decode()) == records
    assert GET.decode(GET.render(records, fmt)) == records


@settings(max_examples=200, deadline=None)
@given(op=st.sampled_from([ADD, GET]), body=st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_any_body_gives_records_or_a_typed_error(op: Any, body: str | bytes) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    try:
        result = op.decode(HttpResponse(200, {}, data))
    except (SmscError, DecodeError):
        return
    assert isinstance(result, list) and result
    assert all(isinstance(r, (OperatorTemplateAdded, OperatorTemplateInfo)) for r in result)
