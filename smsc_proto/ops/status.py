"""status.php: where a message is (``status``): ``Status`` for one message, ``StatusBatch``
for several in one request (op id ``status`` both; ``Status.from_params`` picks by the number
of ids), and ``StatusDel`` to delete one (``status.del``). spec/status.md"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import msgspec

from smsc_proto.enums import DeliveryError, MessageStatus
from smsc_proto.errors import OperationFailedError
from smsc_proto.formats.text import Fields, LayoutError, Pairs
from smsc_proto.op import ErrorTable, OkResult, Op, split_list
from smsc_proto.ops._checks import check_items, check_message_id, check_not_empty, check_phones
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shape import Shape

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["Status", "StatusBatch", "StatusDel", "StatusResult"]


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
    # HLR requests: IMSI, serving MSC, mcc/mnc, country and operator names (home and
    # roaming). fmt=1 order [lib]; fmt=3 member names inferred from the SMPP HLR line.
    imsi: str | None = None
    msc: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    cn: str | None = None
    net: str | None = None
    rcn: str | None = None
    rnet: str | None = None

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
    ("flag", "flag"),
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


_HLR = ["imsi", "msc", "mcc", "mnc", "cn", "net", "rcn", "rnet"]
# An HLR line of all=1/all=2 carries the literal `HLR` as its sender_id, which the official
# libraries test at index 14 (all=1) / 17 (all=2): 3 base + 8 HLR fields come before it.
_HLR_MARKER = {1: 14, 2: 17}


# The current page ends an all=1 fmt=1 line with `<message>, <comment>,<type>` (a space
# after the comma before the comment); the official libraries, older, end it at `<message>`.
_TAIL = re.compile(r"(?P<message>.*), (?P<comment>[^,]*),(?P<type>-?\d+)", re.DOTALL)


class _StatusLine:
    """A fmt=1 status line, SMS or HLR request: the HLR fields follow ``err`` (spec/status.md).

    With all=0 nothing marks an HLR line but its length; with all>=1 its ``sender_id`` reads
    ``HLR``. Parses and renders as one ``Fields`` or the other. ``tail``: the message may be
    followed by ``, <comment>,<type>``, split off when present."""

    def __init__(self, names: list[str], all_: int, *, tail: bool = False) -> None:
        free = "message" if all_ else None
        self.plain = Fields(names, free=free, required=1)
        self.hlr = Fields([*_BASE, *_HLR, *names[len(_BASE) :]], free=free, required=len(_BASE) + 1)
        self.marker = _HLR_MARKER.get(all_)
        self.tail = tail and all_ > 0
        # Fields written after the free message (the id of a multi-id line) must always be
        # written, even empty, or the message would swallow them back.
        self.after = names[names.index("message") + 1 :] if free else []

    def parse(self, line: str) -> dict[str, str]:
        record = self._fields(line)
        if self.tail and "message" in record:
            m = _TAIL.fullmatch(record["message"])
            if m is not None:
                record.update(m.groupdict())
        return record

    def _fields(self, line: str) -> dict[str, str]:
        if self.marker is None:
            try:
                return self.plain.parse(line)
            except LayoutError:
                return self.hlr.parse(line)
        parts = line.split(",", self.marker + 1)
        if len(parts) > self.marker and parts[self.marker].strip() == "HLR":
            return self.hlr.parse(line)
        return self.plain.parse(line)

    def render(self, record: Mapping[str, str]) -> str:
        if self.tail and "type" in record:
            # Without a type there is no tail to write: the comment alone cannot be told apart.
            message = f"{record.get('message', '')}, {record.get('comment', '')},{record['type']}"
            record = {**record, "message": message}
        if any(name not in record for name in self.after):
            record = {**{name: "" for name in self.after}, **record}
        is_hlr = any(name in record for name in _HLR)
        return (self.hlr if is_hlr else self.plain).render(record)


class _StatusShape(Shape):
    """A single status is a root ``<sms>`` element [doc]; also accept it wrapped once
    (``<result><sms>..</sms></result>``), the form multi-id answers take (inferred)."""

    def xml_records(self, root: etree._Element) -> Any:
        if not self.many and root.tag != "sms":
            children = [c for c in root if isinstance(c.tag, str)]
            if len(children) == 1 and children[0].tag == "sms":
                root = children[0]
        return super().xml_records(root)


def _shape(all_: int, many: bool, batch: bool) -> Shape:
    """``batch``: the answer lists several ids; a batch of one id is answered in the single
    shape (``many`` then only says the result is a list)."""
    names = {0: _BASE, 1: _ALL1, 2: _ALL2}[all_]
    if batch:
        # Multi-id lines carry the message id (and, for all=0, the phone) after the fields.
        names = [*names, "id", "phone"] if all_ == 0 else [*names, "id"]
    return _StatusShape(
        text=Pairs(_TEXT_KEYS, required=("status",)),
        csv=_StatusLine(names, all_, tail=not batch),
        # One record is a root <sms> [doc]; several are <sms> items under <result> (inferred).
        xml_root="result" if many else "sms",
        xml_item="sms",
        many=many,
    )


_ONE = {a: _shape(a, many=False, batch=False) for a in (0, 1, 2)}
_BATCH = {(a, b): _shape(a, many=True, batch=b) for a in (0, 1, 2) for b in (False, True)}


def _check_ids(op: Op[Any], phones: Sequence[str], ids: Sequence[int | str]) -> None:
    """``phone`` and ``id`` lists: one phone per id, or one phone for every id (the live
    service answers each id then, spec/README.md third pass), each id a valid one."""
    check_not_empty(op, "phone", phones)
    check_not_empty(op, "id", ids)
    check_items(op, "phone", phones)
    # The phone the message went to, or for an e-mail message its address (spec/status.md).
    check_phones(op, "phone", phones, emails=True)
    if len(phones) not in (1, len(ids)):
        raise op.invalid("phone", phones, f"needs one phone per id, or one for all ({len(ids)} ids)")
    for value in ids:
        check_message_id(op, "id", value)


class Status(Op[StatusResult], frozen=True, kw_only=True):
    """The status of the message ``id`` sent to ``phone``.

    >>> Status(phone="79991234567", id=42).params()[:2]
    [('phone', '79991234567'), ('id', '42')]

    ``all``: 0 short status, 1 with the message details, 2 also country/operator/region.
    For several messages in one request, see ``StatusBatch``.
    """

    phone: str
    id: int | str
    all: Literal[0, 1, 2] | None = None

    op_id: ClassVar[str] = "status"
    path: ClassVar[str] = "/sys/status.php"
    errors: ClassVar[ErrorTable] = {5: (OperationFailedError, "error deleting the message")}
    # Five requests about one message a minute.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(5)

    def validate(self) -> None:
        _check_ids(self, [self.phone], [self.id])

    def result_shape(self) -> Shape:
        return _ONE[self.all or 0]

    @classmethod
    def from_params(cls, params: Mapping[str, Any], fmt: int | None = None) -> Op[Any]:
        """A ``StatusBatch`` when ``id`` lists several messages.

        >>> Status.from_params({"phone": "79991234567", "id": "7,8"})
        StatusBatch(phone=('79991234567',), id=(7, 8))
        """
        ids = params.get("id")
        count = 1
        if isinstance(ids, (list, tuple)):
            count = len(ids)
        elif isinstance(ids, str):  # not str() of anything else: a huge int would fail there
            count = len(split_list(ids))
        if count > 1:
            return StatusBatch.from_params(params, fmt)
        return super().from_params(_unlisted(params), fmt)


class StatusBatch(Op[list[StatusResult]], frozen=True, kw_only=True):
    """The statuses of several messages in one request: ``id`` lists them, ``phone`` gives
    the phone of each (in the same order) or one phone for all.

    >>> StatusBatch(phone=["79991234567", "79997654321"], id=[42, 43]).params()[:2]
    [('phone', '79991234567,79997654321'), ('id', '42,43')]

    One result per message, in a list (also for a batch of one).
    """

    phone: Sequence[str]
    id: Sequence[int | str]
    all: Literal[0, 1, 2] | None = None

    op_id: ClassVar[str] = "status"
    path: ClassVar[str] = "/sys/status.php"
    errors: ClassVar[ErrorTable] = {5: (OperationFailedError, "error deleting the message")}
    # One mass (multi-id) request a minute, whatever its ids.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(1, identical=False)

    def validate(self) -> None:
        _check_ids(self, self.phone, self.id)

    def result_shape(self) -> Shape:
        return _BATCH[(self.all or 0, len(self.id) > 1)]


class StatusDel(Op[OkResult], frozen=True, kw_only=True):
    """Delete the message ``id`` sent to ``phone`` (``del=1``); answers ``OK``.

    >>> StatusDel(phone="79991234567", id=42).params()[0]
    ('del', '1')

    Error 5: the message could not be deleted. With fmt=3 the live service was seen to
    answer the bare token ``OK`` rather than JSON (spec/status.md); both decode.
    """

    phone: str
    id: int | str

    op_id: ClassVar[str] = "status.del"
    path: ClassVar[str] = "/sys/status.php"
    command: ClassVar[str | None] = "del"
    errors: ClassVar[ErrorTable] = {5: (OperationFailedError, "error deleting the message")}
    # status.php's limit, five requests about the same message a minute; the page does not
    # single out deletion, and deleting one message more often is never needed.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(5)

    def validate(self) -> None:
        _check_ids(self, [self.phone], [self.id])

    @classmethod
    def from_params(cls, params: Mapping[str, Any], fmt: int | None = None) -> Op[Any]:
        return super().from_params(_unlisted(params), fmt)


def _unlisted(params: Mapping[str, Any]) -> dict[str, Any]:
    """The one message's ``phone`` and ``id``, which fixtures may give as lists of one."""
    return {
        k: v[0] if k in ("phone", "id") and isinstance(v, (list, tuple)) and len(v) == 1 else v
        for k, v in params.items()
    }
