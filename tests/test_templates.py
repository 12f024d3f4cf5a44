"""templates.php: requests, validation and the answers the fixtures do not spell out."""

from __future__ import annotations

import pytest

from smsc_proto import (
    HttpResponse,
    InvalidParameter,
    NotFoundError,
    OkResult,
    Template,
    TemplateCreated,
    TemplatesAdd,
    TemplatesChg,
    TemplatesDel,
    TemplatesGet,
)


def test_add_sends_the_autosign_flag_by_its_wire_name() -> None:
    params = dict(TemplatesAdd(name="code", msg="Code %s", sender="SMSC", autosign=1).params())
    assert params == {
        "add": "1",
        "name": "code",
        "msg": "Code %s",
        "sender": "SMSC",
        "fl[1]": "1",
        "fmt": "3",
        "charset": "utf-8",
    }


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: TemplatesAdd(name="", msg="m"), "name"),
        (lambda: TemplatesAdd(name="n", msg=""), "msg"),
        (lambda: TemplatesAdd(name="n", msg="m", format="telegram"), "format"),  # type: ignore[arg-type]
        (lambda: TemplatesChg(id=5), "id"),
        (lambda: TemplatesChg(id=0, msg="m"), "id"),
        (lambda: TemplatesDel(id=-1), "id"),
        (lambda: TemplatesAdd(name="n", msg="m", extra={"FL[1]": "1"}), "extra"),
    ],
)
def test_bad_input_names_the_field(build: object, field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field


def test_extra_may_set_other_flags_of_the_array() -> None:
    params = dict(TemplatesAdd(name="n", msg="m", extra={"fl[2]": "1"}).params())
    assert params["fl[2]"] == "1"


def test_a_message_may_span_lines() -> None:
    assert dict(TemplatesAdd(name="n", msg="line 1\nline 2").params())["msg"] == "line 1\nline 2"


def test_changes_and_deletions_are_never_repeated_blindly() -> None:
    assert not TemplatesAdd.idempotent
    assert not TemplatesChg.idempotent
    assert not TemplatesDel.idempotent
    assert TemplatesGet.idempotent


def test_error_3_is_an_empty_list_for_the_list_only() -> None:
    body = b'{"error": "record not found", "error_code": 3}'
    assert TemplatesGet().decode(HttpResponse(200, {}, body)) == []
    with pytest.raises(NotFoundError):
        TemplatesDel(id=5).decode(HttpResponse(200, {}, body))


def test_results_are_typed() -> None:
    created = TemplatesAdd(name="n", msg="m").decode(HttpResponse(200, {}, b'{"id": 12}'))
    assert created == TemplateCreated(id=12)
    assert TemplatesChg(id=12, name="x").decode(HttpResponse(200, {}, b"OK")) == OkResult(result="OK")
    listed = TemplatesGet(fmt=1).decode(HttpResponse(200, {}, b"12,n,,Hi, you,,2"))
    assert listed == [Template(id=12, name="n", format=None, message="Hi, you", sender=None, flag=2)]


def test_a_template_round_trips_in_every_fmt() -> None:
    records = [Template(id=1, name="a", format="viber", message="x, y", sender="S", flag=1)]
    for fmt in (0, 1, 2, 3):
        op = TemplatesGet(fmt=fmt)
        assert op.decode(op.render(records)) == records, fmt
