"""status.php: where a message is (``status``), for one id or several. spec/status.md"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar, Literal

import msgspec

from smsc_proto.enums import DeliveryError, MessageStatus
from smsc_proto.errors import OperationFailedError
from smsc_proto.formats.text import Fields, Pairs
from smsc_proto.op import ErrorTable, Op
from smsc_proto.ops._checks import check_message_id, check_not_empty
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shapes import Shape

__all__ = ["Status", "StatusResult"]


class StatusResult(msgspec.Struct, frozen=True):
    """One message's status. Members beyond ``status`` are optional: live answers omit
    some the pages show (``err``, ``flag``); ``all=1``/``all=2`` add the message details,
    multi-id answers add ``id``. ``last_timestamp``/``send_timestamp`` are Unix seconds."""

    status: MessageStatus
    last_date: dt.datetime | None = None
    last_timestamp: int | None = None
    err: DeliveryError | None = None
    flag: int | None = None
    id: int | str | None = None
    send_date: dt.datetime | None = None
    send_timestamp: int | None = None
    phone: str | None = None
    cost: Decimal | None = None
    sender_id: str | None = None
    status_name: str | None = None
    message: str | None = None
    comment: str | None = None
    type: int | None = None
    country: str | None = None
    operator: str | None = None
    region: str | None = None

    @property
    def last_time(self) -> dt.datetime | None:
        """``last_timestamp`` as an aware UTC datetime."""
        if self.last_timestamp is None:
            return None
        return dt.datetime.fromtimestamp(self.last_timestamp, dt.UTC)


_BASE = ["status", "last_timestamp", "err"]
_ALL1 = [*_BASE, "send_timestamp", "phone", "cost", "sender_id", "status_name", "message"]
# all=2 puts country, operator, region before sender_id (index arithmetic of the official
# libraries; spec/status.md); the exact place after cost is an inference.
_ALL2 = [
    *_BASE,
    "send_timestamp",
    "phone",
    "cost",
    "country",
    "operator",
    "region",
    "sender_id",
    "status_name",
    "message",
]

_TEXT_KEYS = [
    ("Status", "status"),
    ("check_time", "last_date"),
    ("err", "err"),
    ("send_date", "send_date"),
    ("phone", "phone"),
    ("cost", "cost"),
    ("country", "country"),
    ("operator", "operator"),
    ("region", "region"),
    ("sender_id", "sender_id"),
    ("status_name", "status_name"),
    ("message", "message"),
    ("comment", "comment"),
    ("type", "type"),
    ("id", "id"),
]


def _shape(all_: int, many: bool) -> Shape:
    names = {0: _BASE, 1: _ALL1, 2: _ALL2}[all_]
    if many:
        # Multi-id lines carry the message id (and, for all=0, the phone) after the fields.
        names = [*names, "id", "phone"] if all_ == 0 else [*names, "id"]
    free = "message" if all_ else None
    return Shape(
        text=Pairs(_TEXT_KEYS, required=("status",)),
        csv=Fields(names, free=free, required=1),
        xml_root="sms",
        xml_item="sms",
        many=many,
    )


_SHAPES = {(a, m): _shape(a, m) for a in (0, 1, 2) for m in (False, True)}


class Status(Op, frozen=True, kw_only=True):
    """The status of the message ``id`` sent to ``phone``; several ids (with as many
    phones, in the same order) give a list of results.

    >>> Status(phone=["79991234567"], id=[42]).params()[:2]
    [('phone', '79991234567'), ('id', '42')]

    ``all``: 0 short status, 1 with the message details, 2 also country/operator/region.
    """

    phone: Sequence[str]
    id: Sequence[int | str]
    all: Literal[0, 1, 2] | None = None

    op_id: ClassVar[str] = "status"
    path: ClassVar[str] = "/sys/status.php"
    errors: ClassVar[ErrorTable] = {5: (OperationFailedError, "error deleting the message")}

    def validate(self) -> None:
        check_not_empty(self, "phone", self.phone)
        check_not_empty(self, "id", self.id)
        if len(self.phone) != len(self.id):
            raise self.invalid(
                "phone", self.phone, f"needs one phone per id ({len(self.id)} ids, {len(self.phone)} phones)"
            )
        for value in self.id:
            check_message_id(self, "id", value)

    @property
    def many(self) -> bool:
        return len(self.id) > 1

    def limit(self) -> RateLimit:
        # Five requests per message per minute; one mass (multi-id) request per minute.
        return RateLimit(1, identical=False) if self.many else RateLimit(5)

    def result_shape(self) -> Shape:
        return _SHAPES[(self.all or 0, self.many)]

    def result_kind(self) -> Any:
        return list[StatusResult] if self.many else StatusResult
