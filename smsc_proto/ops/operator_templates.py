"""op_templates.php: message templates registered with the mobile operators
(``op_templates.add``, ``op_templates.get``). spec/templates.md part A

Both answer one record per operator (and message type): its ``name``, the template ``id``
and a ``status``. The literal layouts were not recovered from any copy of the page, so they
are decoded leniently (inferred, unconfirmed): fmt=0 ``<name> - <id>, <status>`` (or
``name = .., id = .., status = ..``), fmt=1 ``<name>,<id>,<status>``, fmt=2 one element per
operator holding ``name``/``id``/``status`` (any element names around them), fmt=3 an array
of objects, or an object of objects keyed by operator name.

Statuses may be negative (-2, -1): a record has three fields, so it is never taken for the
``0,-N`` fmt=1 error shape, which has exactly two.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, TypeVar

import msgspec

from smsc_proto.enums import OpenIntEnum
from smsc_proto.errors import NotFoundError
from smsc_proto.formats.text import Either, Fields, Pairs, Pattern
from smsc_proto.formats.xml import element_record
from smsc_proto.op import ErrorTable, Flag, Op
from smsc_proto.ops._checks import check_not_empty
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import EMPTY_IS_NONE
from smsc_proto.shape import Shape, ShapeError

__all__ = [
    "OPERATOR_FLAGS",
    "AddStatus",
    "OperatorTemplateAdded",
    "OperatorTemplateInfo",
    "OperatorTemplatesAdd",
    "OperatorTemplatesGet",
    "TemplateStatus",
]

R = TypeVar("R")

# The operator / message-type switches of op_templates.php, in the page's order.
OPERATOR_FLAGS = (
    "mts_srv",
    "mts_auth",
    "mts_trn",
    "mega_srv",
    "mega_auth",
    "mega_trn",
    "mega_adv",
    "bee_srv",
    "bee_trn",
    "tele2_srv",
    "tele2_trn",
    "motiv_srv",
    "motiv_trn",
    "soc",
)

OP_TEMPLATES_ERRORS: ErrorTable = {
    # The page's code table was not recovered; 3 by analogy with senders.php (inferred).
    3: (NotFoundError, "sender name not found (inferred)"),
}


class AddStatus(OpenIntEnum):
    """``status`` of each operator's record after ``op_templates.add``."""

    CANNOT_SAVE = -2
    SENDER_NOT_ACCEPTED = -1  # sender name not found, or not accepted by the operator
    ADDED = 1


class TemplateStatus(OpenIntEnum):
    """``status`` of each operator's record in ``op_templates.get``."""

    NONE = -1  # no template for this operator
    AWAITING = 0  # awaiting registration
    SENT = 1  # sent for registration
    ACCEPTED = 2  # accepted by the operator
    REJECTED = 3  # rejected by the operator
    DISABLED = 4  # temporarily disabled


# An empty name is no name: fmt=1 writes an absent one as nothing.
_Name = Annotated[str | None, EMPTY_IS_NONE]


class OperatorTemplateAdded(msgspec.Struct, frozen=True, kw_only=True):
    """One operator's outcome of ``op_templates.add``: operator/message type ``name``,
    template ``id`` (absent when nothing was saved) and ``status``."""

    name: _Name = None
    id: int | None = None
    status: AddStatus


class OperatorTemplateInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One operator's registration state of a template (``op_templates.get``)."""

    name: _Name = None
    id: int | None = None
    status: TemplateStatus


_NUMBER = r"-?\d+"


def _render_dash(record: Any) -> str:
    return f"{record.get('name', '')} - {record.get('id', '')}, {record['status']}"


class _RecordsShape(Shape):
    """Per-operator records, read whatever container the answer uses."""

    def __init__(self) -> None:
        super().__init__(
            text=Either(
                Pattern(
                    rf"(?:(?P<name>.*\S)\s++)?-\s++(?P<id>\d*+)\s*+,\s*+(?P<status>{_NUMBER})",
                    _render_dash,
                ),
                Pairs(
                    [("name", "name"), ("id", "id"), ("status", "status")],
                    required=("status",),
                ),
            ),
            csv=Either(
                Fields(["name", "id", "status"], free="name"),
                Fields(["name", "id", "status"], sep=";", free="name"),
            ),
            xml_root="result",
            xml_item="template",
            many=True,
        )

    def json_forms(self, item: type) -> tuple[Any, ...]:
        return (*super().json_forms(item), dict[str, item])  # type: ignore[valid-type]

    def json_records(self, data: Any) -> Any:
        if data.__class__ is dict and "status" not in data:
            # An object keyed by operator name: {"MTS": {"id": .., "status": ..}, ...}
            records = []
            for key, value in data.items():
                if value.__class__ is not dict:
                    raise ShapeError("expected per-operator objects")
                records.append({"name": key, **value} if "name" not in value else value)
            return records
        return super().json_records(data)

    def xml_records(self, root: Any) -> Any:
        children = [c for c in root if isinstance(c.tag, str)]
        if not children:
            raise ShapeError("no per-operator records")
        if all(len(c) == 0 for c in children):
            # Leaves only: one record in the root, or a bare run of name/id/status elements.
            return _group_leaves([(str(c.tag), c.text or "") for c in children])
        return [element_record(c) for c in children]


def _group_leaves(leaves: list[tuple[str, str]]) -> list[dict[str, str]]:
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for tag, text in leaves:
        if tag in current:
            records.append(current)
            current = {}
        current[tag] = text
    if current:
        records.append(current)
    return records


OPERATOR_TEMPLATES_SHAPE = _RecordsShape()

_Flag = Flag | None


class _OperatorTemplates(Op[R], frozen=True, kw_only=True):
    """The template these commands concern: the ``sender`` name and the text ``msg``."""

    sender: str
    msg: str

    path: ClassVar[str] = "/sys/op_templates.php"
    errors: ClassVar[ErrorTable] = OP_TEMPLATES_ERRORS
    rate_limit: ClassVar[RateLimit | None] = RateLimit(10)
    shape: ClassVar[Shape] = OPERATOR_TEMPLATES_SHAPE
    # A template text may span lines, as the messages it matches do.
    line_breaks: ClassVar[frozenset[str]] = frozenset({"msg"})

    def validate(self) -> None:
        check_not_empty(self, "sender", self.sender.strip())
        check_not_empty(self, "msg", self.msg.strip())


class OperatorTemplatesAdd(_OperatorTemplates[list[OperatorTemplateAdded]], frozen=True, kw_only=True):
    """Submit the template ``msg`` of ``sender`` for registration with the operators and
    message types switched on (``mts_srv=1``, ``mega_auth=1``, ...); one record per operator.

    >>> OperatorTemplatesAdd(sender="Shop", msg="Code: %d%", mts_srv=1, bee_trn=1).params()[:4]
    [('add', '1'), ('sender', 'Shop'), ('msg', 'Code: %d%'), ('mts_srv', '1')]

    Submits templates: never repeated once the request may have reached the server.
    """

    mts_srv: _Flag = None
    mts_auth: _Flag = None
    mts_trn: _Flag = None
    mega_srv: _Flag = None
    mega_auth: _Flag = None
    mega_trn: _Flag = None
    mega_adv: _Flag = None
    bee_srv: _Flag = None
    bee_trn: _Flag = None
    tele2_srv: _Flag = None
    tele2_trn: _Flag = None
    motiv_srv: _Flag = None
    motiv_trn: _Flag = None
    soc: _Flag = None

    op_id: ClassVar[str] = "op_templates.add"
    command: ClassVar[str | None] = "add"
    idempotent: ClassVar[bool] = False


class OperatorTemplatesGet(_OperatorTemplates[list[OperatorTemplateInfo]], frozen=True, kw_only=True):
    """The registration state of the template ``msg`` of ``sender`` with each operator.

    >>> OperatorTemplatesGet(sender="Shop", msg="Code: %d%").params()[:3]
    [('get', '1'), ('sender', 'Shop'), ('msg', 'Code: %d%')]
    """

    op_id: ClassVar[str] = "op_templates.get"
    command: ClassVar[str | None] = "get"
