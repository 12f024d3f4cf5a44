"""get.php: history and statistics (``get.messages``, ``get.answers``, ``get.stat``,
``get.price``, ``get.mega_accounts``). spec/get.md

What is known of each answer:

- ``get.messages`` (sent messages): fmt=3 is an array of objects whose members two clients
  agree on [code]; fmt=0 is one ``key = value`` line per message, seen live (spec/README.md,
  third pass 11): ``Status``, ``check_time``, the id as upper-case ``ID``, the free-text
  ``message`` *before* ``type``, ``ID``, ``int_id``... Inferred: fmt=1 as the same values
  comma-separated in that order, fmt=2 as ``<sms>`` items under ``<result>``.
- ``get.answers`` (incoming messages): fmt=3 from a doc-quote and a captured answer; the
  fmt=0 line's keys from a parser, their order (``message`` before ``to_phone`` and
  ``sent``) inferred; fmt=1/2 inferred.
- ``get.stat``: only the glossary (``login``, ``cnt``, ``credit``, ``debit``, ``currency``)
  and that fmt=3 is an array (node-smsc's tests against the live service); every layout is
  inferred. The page swaps the descriptions of ``credit`` and ``debit``: the SDK keeps the
  values under the names the service writes and gives them no meaning of its own.
- ``get.price``: the glossary of one line per tariff zone (cut after ``call``); fmt=3 was
  seen as an object whose ``zones`` member is an array (node-smsc's live test), so an
  array alone or wrapped so both decode. Every layout and member is inferred.
- ``get.mega_accounts``: nothing of the answer was recovered but that fmt=3 is an array; its
  members (``account``, ``cnt``, ``cost``) are a guess.

The free text of a fmt=0 line (a message) is read between the pairs before it and the pairs
after it, which are found from the end of the line: a message may hold ``, type = `` or any
other ``, key = ``. A message with a line break cannot be told from a new record in fmt=0
(fmt=1 joins it back, fmt=2/3 are lossless). Error 3 on the lists ``get.messages``,
``get.answers`` and ``get.mega_accounts`` is an empty list (common.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, TypeVar

import msgspec

from smsc_proto.enums import DeliveryError, MessageStatus
from smsc_proto.errors import NotFoundError
from smsc_proto.formats.json import JsonError
from smsc_proto.formats.text import Fields, LayoutError, Pairs
from smsc_proto.op import ErrorTable, Flag, Op
from smsc_proto.ops._checks import MAX_MESSAGE_ID, check_items, check_not_empty, check_phones, check_range
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import EMPTY_IS_NONE
from smsc_proto.shape import Shape, ShapeDecoder

__all__ = [
    "GetAnswers",
    "GetMegaAccounts",
    "GetMessages",
    "GetPrice",
    "GetStat",
    "IncomingMessage",
    "MegaAccountStats",
    "MessageStats",
    "SentMessage",
    "TariffZone",
]

R = TypeVar("R")

# "No records" on a list: an empty list instead (empty_codes), so never raised there.
_LIST_ERRORS: ErrorTable = {3: (NotFoundError, "no records found")}

_Text = Annotated[str | None, EMPTY_IS_NONE]


class SentMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One sent message as ``get.messages`` lists it: much of a status (``status``,
    ``last_date``, ``err``... as ``StatusResult``) plus the message, its cost, the
    subscriber's network (``mccmnc``, ``country``, ``operator``, ``region``) and two ids:
    ``id``, the client's message id, and ``int_id``, the server's own, by which
    ``GetMessages(prev_id=...)`` pages back. ``sms_cnt``: parts (seconds of a call);
    ``format``: the message kind (0 SMS, 8 e-mail); ``type`` and ``crc`` are undocumented.
    Timestamps are Unix seconds. Empty text is None."""

    status: MessageStatus
    last_date: dt.datetime | None = None
    last_timestamp: int | None = None
    err: DeliveryError | None = None
    flag: int | None = None
    send_date: dt.datetime | None = None
    send_timestamp: int | None = None
    phone: _Text = None
    mccmnc: _Text = None
    country: _Text = None
    operator: _Text = None
    region: _Text = None
    cost: Decimal | None = None
    sender_id: _Text = None
    status_name: _Text = None
    message: str | None = None
    type: int | None = None
    id: int | str | None = None
    # A string in fmt=3, digits in fmt=0: read as the number it is.
    int_id: int | None = None
    sms_cnt: int | None = None
    format: int | None = None
    crc: int | None = None


class IncomingMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One incoming message as ``get.answers`` lists it: ``id`` (the server's, which
    ``after_id`` pages by), the sender's ``phone``, the client number ``to_phone`` that
    received it, the text, and when it was ``sent`` (sender side) and ``received``."""

    id: int
    received: dt.datetime | None = None
    phone: _Text = None
    message: str | None = None
    to_phone: _Text = None
    sent: dt.datetime | None = None


class MessageStats(msgspec.Struct, frozen=True, kw_only=True):
    """Statistics of sent messages for ``login``: ``cnt`` messages and two amounts in
    ``currency``. The page describes ``credit`` as "debit" and ``debit`` as "credit"; which
    is meant was never settled, so the SDK reads each under the name the service writes and
    swaps nothing."""

    login: _Text = None
    cnt: int
    credit: Decimal | None = None
    debit: Decimal | None = None
    currency: _Text = None


class TariffZone(msgspec.Struct, frozen=True, kw_only=True):
    """The prices of one tariff ``zone`` (kept as text: its form is unknown; ``name``:
    operator, country...): an SMS sent by the API (``api``) or from the personal account
    (``mass``), an MMS, an HLR request, a voice message (``call``); ``mail`` and ``viber``
    are inferred further channels."""

    zone: str
    name: _Text = None
    api: Decimal | None = None
    mass: Decimal | None = None
    mms: Decimal | None = None
    hlr: Decimal | None = None
    call: Decimal | None = None
    mail: Decimal | None = None
    viber: Decimal | None = None


class MegaAccountStats(msgspec.Struct, frozen=True, kw_only=True):
    """Statistics of one MegaFon personal ``account``. Inferred: no answer of this command
    was ever recovered, so ``cnt`` (messages) and ``cost`` are guesses."""

    account: str
    cnt: int | None = None
    cost: Decimal | None = None


# -- layouts ---------------------------------------------------------------------------------


class _FreePairs:
    """``key = value`` pairs, one of which (``free``, a message) is free text followed by
    more pairs. The pairs before it are read as ``Pairs``; those after it are found from the
    end of the line, each a known key in their order, so the free text may hold any
    ``, key = ``. Linear in the line: each comma from the end is looked at once."""

    def __init__(
        self, keys: Sequence[str | tuple[str, str]], free: str, *, required: Sequence[str] = ()
    ) -> None:
        # A line without the free text: nothing is ambiguous.
        self.whole = Pairs(keys, required=required)
        pairs = self.whole.keys
        at = [field for _, field in pairs].index(free)
        self.free_key, self.free = pairs[at]
        self.head = Pairs(pairs[:at])
        self.tail = pairs[at + 1 :]
        self.required = tuple(required)
        self._free_re = re.compile(rf"(?:^|,\s*){re.escape(self.free_key)}\s*=\s?", re.IGNORECASE)
        names = "|".join(re.escape(key) for key, _ in self.tail)
        self._tail_re = re.compile(rf"\s*({names})\s*=\s?(.*)", re.IGNORECASE | re.DOTALL)
        self._tail_index = {key.lower(): n for n, (key, _) in enumerate(self.tail)}

    def parse(self, line: str) -> dict[str, str]:
        text = line.strip()
        found = self._free_re.search(text)
        if found is None:
            return self.whole.parse(text)
        record = self.head.parse(text[: found.start()])
        rest = text[found.end() :]
        end, bound = len(rest), len(self.tail)
        after: dict[str, str] = {}
        while bound:
            cut = rest.rfind(",", 0, end)
            pair = None if cut < 0 else self._tail_re.fullmatch(rest, cut + 1, end)
            if pair is None:
                break
            index = self._tail_index[pair.group(1).lower()]
            if index >= bound:  # out of order: part of the free text
                break
            bound = index
            after[self.tail[index][1]] = pair.group(2).strip()
            end = cut
        record[self.free] = rest[:end].strip()
        record.update(after)
        missing = [f for f in self.required if f not in record]
        if missing:
            raise LayoutError(f"missing {', '.join(missing)}")
        return record

    def render(self, record: Mapping[str, str]) -> str:
        if self.free not in record:
            return self.whole.render(record)
        head = self.head.render(record)
        tail = [f"{key} = {record[field]}" for key, field in self.tail if field in record]
        return ", ".join([*([head] if head else []), f"{self.free_key} = {record[self.free]}", *tail])


# The live fmt=0 line (third pass 11) with, where fmt=3 has them, err, flag and the
# timestamps at inferred places (after the date they repeat, err and flag as status.php).
_SENT_KEYS = [
    ("Status", "status"),
    ("check_time", "last_date"),
    ("last_timestamp", "last_timestamp"),
    ("err", "err"),
    ("flag", "flag"),
    ("send_date", "send_date"),
    ("send_timestamp", "send_timestamp"),
    ("phone", "phone"),
    ("mccmnc", "mccmnc"),
    ("country", "country"),
    ("operator", "operator"),
    ("region", "region"),
    ("cost", "cost"),
    ("sender_id", "sender_id"),
    ("status_name", "status_name"),
    ("message", "message"),
    ("type", "type"),
    ("ID", "id"),
    ("int_id", "int_id"),
    ("sms_cnt", "sms_cnt"),
    ("format", "format"),
    ("crc", "crc"),
]
# Inferred: the values of the live fmt=0 line, comma-separated in its order.
_SENT_CSV = [
    "status",
    "last_date",
    "send_date",
    "phone",
    "mccmnc",
    "country",
    "operator",
    "region",
    "cost",
    "sender_id",
    "status_name",
    "message",
    "type",
    "id",
    "int_id",
    "sms_cnt",
    "format",
    "crc",
]
SENT_SHAPE = Shape(
    text=_FreePairs(_SENT_KEYS, "message", required=("status",)),
    # Every field written, even empty: a message's own commas and line breaks are then
    # told from the separators.
    csv=Fields(_SENT_CSV, free="message"),
    xml_item="sms",  # inferred, as status.php's <sms>
    many=True,
    empty_list=True,
)

_INCOMING = ["id", "received", "phone", "message", "to_phone", "sent"]
INCOMING_SHAPE = Shape(
    text=_FreePairs(_INCOMING, "message", required=("id",)),
    csv=Fields(_INCOMING, free="message"),
    xml_item="sms",  # inferred
    many=True,
    empty_list=True,
)

_STATS = ["login", "cnt", "credit", "debit", "currency"]
STATS_SHAPE = Shape(
    text=Pairs(_STATS, required=("cnt",)),
    csv=Fields(_STATS),
    xml_item="stat",  # inferred
    many=True,
    empty_list=True,
)


class _ZonesDecoder(ShapeDecoder[R]):
    """fmt=3 of the tariffs: an array of zones, or an object holding it as ``zones``."""

    def from_json(self, text: str) -> R:
        if text[:1] == "{":
            try:
                wrapped = _ZONES.decode(text)
            except msgspec.ValidationError:
                pass  # not that object: the shape's own reading says what it is
            except msgspec.DecodeError as exc:
                raise JsonError(str(exc)) from None
            except RecursionError:
                raise JsonError("nested too deeply") from None
            else:
                if wrapped.zones:
                    text = bytes(wrapped.zones).decode("utf-8")
        return super().from_json(text)


class _Zones(msgspec.Struct):
    zones: msgspec.Raw = msgspec.Raw()  # empty (false) when absent


_ZONES = msgspec.json.Decoder(_Zones)


class _PriceShape(Shape):
    @cache  # noqa: B019 -- one decoder per result type, as Shape's own; shapes are module constants
    def decoder(self, result_type: Any) -> ShapeDecoder[Any]:
        return _ZonesDecoder(self, result_type)

    def render(self, fmt: int, data: Any) -> str:
        body = super().render(fmt, data)
        return '{\n"zones": ' + body + "\n}" if fmt == 3 else body


_PRICES = ["zone", "name", "api", "mass", "mms", "hlr", "call"]
PRICE_SHAPE = _PriceShape(
    text=Pairs([*_PRICES, "mail", "viber"], required=("zone",)),
    csv=Fields(_PRICES, free="name"),
    xml_item="tariff",  # inferred
    many=True,
    empty_list=True,
)

_MEGA = ["account", "cnt", "cost"]
MEGA_SHAPE = Shape(
    text=Pairs(_MEGA, required=("account",)),
    csv=Fields(_MEGA),
    xml_item="stat",  # inferred
    many=True,
    empty_list=True,
)


# -- ops -------------------------------------------------------------------------------------


class _GetOp(Op[R], frozen=True, kw_only=True):
    path: ClassVar[str] = "/sys/get.php"


def _check_period(op: Op[Any], start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise op.invalid("end", end, "is before start")


class GetMessages(_GetOp[list[SentMessage]], frozen=True, kw_only=True):
    """The history of sent messages: of dates ``start``..``end`` (``dd.mm.yyyy``; at most
    six months back), to numbers ``phone`` or addresses ``email``, SMS (``format`` 0) or
    e-mail (8); at most ``cnt`` (1..1000) of them, those sent before the message whose
    ``int_id`` is ``prev_id``.

    >>> GetMessages(start=dt.date(2024, 3, 1), phone=["79991234567"], cnt=100).params()[:4]
    [('get_messages', '1'), ('start', '01.03.2024'), ('phone', '79991234567'), ('cnt', '100')]

    Page back with ``prev_id=min(m.int_id for m in page)``. No messages (error 3) is an
    empty list.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    phone: Sequence[str] | None = None
    email: Sequence[str] | None = None
    format: Literal[0, 8] | None = None
    cnt: int | None = None
    prev_id: int | None = None

    op_id: ClassVar[str] = "get.messages"
    command: ClassVar[str | None] = "get_messages"
    shape: ClassVar[Shape] = SENT_SHAPE
    errors: ClassVar[ErrorTable] = _LIST_ERRORS
    empty_codes: ClassVar[frozenset[int]] = frozenset({3})

    def validate(self) -> None:
        _check_period(self, self.start, self.end)
        check_items(self, "phone", self.phone)
        check_phones(self, "phone", self.phone)
        check_items(self, "email", self.email)
        check_phones(self, "email", self.email, emails=True)
        check_range(self, "cnt", self.cnt, 1, 1000)
        check_range(self, "prev_id", self.prev_id, 1, MAX_MESSAGE_ID)


class GetAnswers(_GetOp[list[IncomingMessage]], frozen=True, kw_only=True):
    """Incoming messages: of the last ``hour`` hours (1..168), received on the client
    number ``to_phone``; at most ``cnt`` (1..10000), those after incoming message
    ``after_id``.

    >>> GetAnswers(hour=24, after_id=47436134).params()[:3]
    [('get_answers', '1'), ('hour', '24'), ('after_id', '47436134')]

    Page forward with ``smsc_proto.AfterIdPager(lambda after: GetAnswers(after_id=after))``.
    No messages (error 3) is an empty list.
    """

    cnt: int | None = None
    hour: int | None = None
    after_id: int | None = None
    to_phone: str | None = None

    op_id: ClassVar[str] = "get.answers"
    command: ClassVar[str | None] = "get_answers"
    shape: ClassVar[Shape] = INCOMING_SHAPE
    errors: ClassVar[ErrorTable] = _LIST_ERRORS
    # Error 9: more than three identical requests for the list a minute (spec/get.md).
    rate_limit: ClassVar[RateLimit | None] = RateLimit(3)
    empty_codes: ClassVar[frozenset[int]] = frozenset({3})

    def validate(self) -> None:
        check_range(self, "cnt", self.cnt, 1, 10000)
        check_range(self, "hour", self.hour, 1, 168)
        check_range(self, "after_id", self.after_id, 0, MAX_MESSAGE_ID)
        if self.to_phone is not None:
            check_phones(self, "to_phone", [self.to_phone])


class GetStat(_GetOp[list[MessageStats]], frozen=True, kw_only=True):
    """Statistics of sent messages of dates ``start``..``end`` (``dd.mm.yyyy``; from
    ``start`` on when ``end`` is not given); ``mycur=1``: amounts in the client's currency;
    ``balance2=1``: of messages paid from the electronic balance.

    >>> GetStat(start=dt.date(2014, 1, 1), end=dt.date(2014, 2, 1), mycur=1).params()[:4]
    [('get_stat', '1'), ('start', '01.01.2014'), ('end', '01.02.2014'), ('mycur', '1')]

    A list (fmt=3 answers an array), usually of one ``MessageStats``.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    mycur: Flag | None = None
    balance2: Flag | None = None

    op_id: ClassVar[str] = "get.stat"
    command: ClassVar[str | None] = "get_stat"
    shape: ClassVar[Shape] = STATS_SHAPE

    def validate(self) -> None:
        _check_period(self, self.start, self.end)


class GetPrice(_GetOp[list[TariffZone]], frozen=True, kw_only=True):
    """The client's tariffs, one ``TariffZone`` per zone.

    >>> GetPrice().params()[:1]
    [('get_price', '1')]
    """

    op_id: ClassVar[str] = "get.price"
    command: ClassVar[str | None] = "get_price"
    shape: ClassVar[Shape] = PRICE_SHAPE
    # More than three identical requests for the tariffs a minute: error 9.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(3)


class GetMegaAccounts(_GetOp[list[MegaAccountStats]], frozen=True, kw_only=True):
    """Statistics per MegaFon personal account, or of personal account ``account``.

    >>> GetMegaAccounts(account="500123456789").params()[:2]
    [('get_mega_accounts', '1'), ('account', '500123456789')]

    No data (error 3) is an empty list. The answer's members are inferred.
    """

    account: str | None = None

    op_id: ClassVar[str] = "get.mega_accounts"
    command: ClassVar[str | None] = "get_mega_accounts"
    shape: ClassVar[Shape] = MEGA_SHAPE
    errors: ClassVar[ErrorTable] = _LIST_ERRORS
    empty_codes: ClassVar[frozenset[int]] = frozenset({3})

    def validate(self) -> None:
        if self.account is not None:
            check_not_empty(self, "account", self.account.strip())
