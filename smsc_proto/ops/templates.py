"""templates.php: saved message templates (``templates.add``, ``templates.chg``,
``templates.del``, ``templates.get``). spec/templates.md, part B

fmt=3 answers come from a client whose tests call the live service: ``{"id": N}`` for a new
template, ``{"result": "OK"}`` (or the bare ``OK`` of other change commands) for a change or
a deletion, an array of templates for the list. fmt=0/1/2 were never recovered: they are
read as the API writes the same answers elsewhere (``ID = N``, ``OK``, ``id = .., name = ..``
lines), inferred. The request names the text ``msg``, the answer ``message``.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, TypeVar

import msgspec

from smsc_proto.errors import NotFoundError
from smsc_proto.formats.text import Fields, Pairs
from smsc_proto.op import ErrorTable, Flag, OkResult, Op
from smsc_proto.ops._checks import check_id, check_not_empty
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import EMPTY_IS_NONE
from smsc_proto.shape import Shape

__all__ = [
    "Template",
    "TemplateCreated",
    "TemplateFormat",
    "TemplatesAdd",
    "TemplatesChg",
    "TemplatesDel",
    "TemplatesGet",
]

R = TypeVar("R")

# The message formats a template may be for (the page's list; empty: not specified).
TemplateFormat = Literal["sms", "flash", "bin", "push", "mms", "call", "mail", "viber"]

TEMPLATES_ERRORS: ErrorTable = {
    3: (NotFoundError, "template not found"),
}


class TemplateCreated(msgspec.Struct, frozen=True):
    """The answer of ``templates.add``: the new template's ``id``."""

    id: int


class Template(msgspec.Struct, frozen=True, kw_only=True):
    """One saved template as ``templates.get`` lists it. ``format`` is the message format
    (``sms``, ``viber``...; None when not specified), ``message`` the text, ``flag`` the
    template's flags (the page's ``fl[1]``, auto-signing, is inferred to be bit 1)."""

    id: int
    name: str | None = None
    format: Annotated[str | None, EMPTY_IS_NONE] = None
    message: str | None = None
    sender: Annotated[str | None, EMPTY_IS_NONE] = None
    flag: int | None = None


class _TemplatesOp(Op[R], frozen=True, kw_only=True):
    path: ClassVar[str] = "/sys/templates.php"
    errors: ClassVar[ErrorTable] = TEMPLATES_ERRORS
    # errors.md gives templates.php no limit: none is enforced locally (the server's error 9,
    # should it come, is RateLimitedError all the same).
    rate_limit: ClassVar[RateLimit | None] = None
    line_breaks: ClassVar[frozenset[str]] = frozenset({"msg"})


class _TemplateFields(_TemplatesOp[R], frozen=True, kw_only=True):
    """An op that sets what a template holds, as the request names it."""

    name: str | None = None
    msg: str | None = None
    format: TemplateFormat | None = None
    sender: str | None = None
    # ``fl[1]=1``: the template signs messages automatically.
    autosign: Flag | None = msgspec.field(default=None, name="fl[1]")


# `ID = <id>`; fmt=1 `<id>`; `<result><id>..</id></result>`; `{"id": ..}` (fmt=0/1/2 inferred).
CREATED_SHAPE = Shape(text=Pairs([("ID", "id")], required=("id",)), csv=Fields(["id"]))

_TEMPLATE_FIELDS = ["id", "name", "format", "message", "sender", "flag"]

LIST_SHAPE = Shape(
    # Inferred: the `key = value` lines and CSV records of the API's other lists.
    text=Pairs(_TEMPLATE_FIELDS, required=("id",)),
    csv=Fields(_TEMPLATE_FIELDS, free="message", required=1),
    xml_item="template",
    many=True,
    empty_list=True,
)


class TemplatesAdd(_TemplateFields[TemplateCreated], frozen=True, kw_only=True):
    """Save template ``name`` with text ``msg``, for message ``format`` and ``sender``.

    >>> TemplatesAdd(name="code", msg="Your code is %s", format="sms").params()[:4]
    [('add', '1'), ('name', 'code'), ('msg', 'Your code is %s'), ('format', 'sms')]

    Answers the new template's id (``TemplateCreated``). Never retried once it may have
    reached the server.
    """

    name: str
    msg: str

    op_id: ClassVar[str] = "templates.add"
    command: ClassVar[str | None] = "add"
    idempotent: ClassVar[bool] = False
    shape: ClassVar[Shape] = CREATED_SHAPE

    def validate(self) -> None:
        check_not_empty(self, "name", self.name)
        check_not_empty(self, "msg", self.msg)


class TemplatesChg(_TemplateFields[OkResult], frozen=True, kw_only=True):
    """Change template ``id``: the fields given replace its own.

    >>> TemplatesChg(id=5, msg="Code: %s").params()[:3]
    [('chg', '1'), ('msg', 'Code: %s'), ('id', '5')]

    An unknown id is ``NotFoundError`` (code 3; the live service answered it in plain text
    to a fmt=3 request, which is read all the same).
    """

    id: int

    op_id: ClassVar[str] = "templates.chg"
    command: ClassVar[str | None] = "chg"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_id(self, "id", self.id)
        values = (self.name, self.msg, self.format, self.sender, self.autosign)
        if all(value is None for value in values):
            raise self.invalid("id", self.id, "nothing to change: give name, msg, format, sender or autosign")


class TemplatesDel(_TemplatesOp[OkResult], frozen=True, kw_only=True):
    """Delete template ``id``; an unknown id is ``NotFoundError`` (code 3).

    >>> TemplatesDel(id=5).params()[:2]
    [('del', '1'), ('id', '5')]
    """

    id: int

    op_id: ClassVar[str] = "templates.del"
    command: ClassVar[str | None] = "del"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_id(self, "id", self.id)


class TemplatesGet(_TemplatesOp[list[Template]], frozen=True, kw_only=True):
    """Every saved template.

    >>> TemplatesGet().params()[:1]
    [('get', '1')]

    An empty answer, or error 3 ("no records"), is an empty list.
    """

    op_id: ClassVar[str] = "templates.get"
    command: ClassVar[str | None] = "get"
    shape: ClassVar[Shape] = LIST_SHAPE
    empty_codes: ClassVar[frozenset[int]] = frozenset({3})
