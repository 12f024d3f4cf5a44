"""send.php: send a message (``send``) or ask what it would cost (``send.cost``). spec/send.md"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

import msgspec

from smsc_proto.credentials import Credentials
from smsc_proto.errors import (
    InsufficientFundsError,
    MessageRejectedError,
    ParameterError,
)
from smsc_proto.formats.text import Either, Fields, Layout, Pairs, Pattern
from smsc_proto.http import JSON_HEADERS, HttpRequest
from smsc_proto.op import ErrorTable, Flag, Op
from smsc_proto.ops._checks import (
    check_call_param,
    check_items,
    check_max_length,
    check_message_id,
    check_not_empty,
    check_phones,
    check_range,
    check_uploads,
    check_valid,
)
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shape import Shape
from smsc_proto.upload import Upload

__all__ = ["MessageOptions", "PhoneInfo", "Send", "SendCost", "SendCostResult", "SendRest", "SendResult"]

R = TypeVar("R")

MAX_TEXT = 1000
# The API's own clock: Moscow time, UTC+3 all year since 2014.
MOSCOW = dt.timezone(dt.timedelta(hours=3), "MSK")

if TYPE_CHECKING:
    SendTime = str | dt.datetime
else:
    # msgspec cannot type a union of text and datetime (both are JSON strings): a datetime
    # is written as text (``send_time``) before the field is checked.
    SendTime = str
# The SDK's bound on a message's attachments (the API's own was not recovered).
MAX_ATTACHMENTS = 20 * 2**20
# `tz`: hours relative to Moscow (UTC+3), spec/send.md; the Earth's zones run from UTC-12 to
# UTC+14.
TZ_RANGE = (-15, 11)
# `period` 0.1-720 hours, `freq` 1-1440 minutes (spec/send.md).
PERIOD_RANGE = (Decimal("0.1"), Decimal(720))
FREQ_RANGE = (1, 1440)

SEND_ERRORS: ErrorTable = {
    3: (InsufficientFundsError, "not enough money on the account"),
    5: (ParameterError, "bad date format"),
    6: (MessageRejectedError, "message forbidden by text or sender name"),
    7: (MessageRejectedError, "bad phone number format"),
    8: (MessageRejectedError, "message cannot be delivered to this number"),
}


class PhoneInfo(msgspec.Struct, frozen=True):
    """Per-recipient details of an ``op=1`` answer."""

    phone: str
    mccmnc: str | None = None
    cost: Decimal | None = None
    status: int | None = None
    error: int | None = None


class SendResult(msgspec.Struct, frozen=True):
    """``id``: the message id (yours or assigned); ``cnt``: SMS parts sent (seconds for a
    voice call); ``cost`` with cost=2/3; ``balance`` with cost=3; ``phones`` with op=1;
    ``code`` for ``mes=code&call=1``."""

    cnt: int
    id: int | str | None = None
    cost: Decimal | None = None
    balance: Decimal | None = None
    phones: list[PhoneInfo] | None = None
    code: str | None = None


class SendCostResult(msgspec.Struct, frozen=True):
    """What a send would cost (nothing is sent): ``cost`` and ``cnt`` SMS parts."""

    cost: Decimal
    cnt: int
    phones: list[PhoneInfo] | None = None


def send_time(when: dt.datetime) -> str:
    """``time`` as the API writes it, ``DD.MM.YY hh:mm``: an aware datetime in Moscow time
    (UTC+3, as the API reads a time without ``tz``), a naive one as it is (Moscow time, or
    the zone ``tz`` names).

    >>> send_time(dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.timezone.utc))
    '05.12.26 12:30'
    """
    if when.tzinfo is not None:
        when = when.astimezone(MOSCOW)
    return when.strftime("%d.%m.%y %H:%M")


class MessageOptions(Op[R], frozen=True, kw_only=True):
    """The send.php parameters that shape each message: sender, schedule, lifetime, message
    type flags, voice and e-mail details. A send takes them, and so does a mailing list
    (``jobs.add``), which applies them to every message it sends.

    ``time``: when to send, as the API writes it (``DD.MM.YY hh:mm``, ``DDMMYYhhmm``,
    ``h1-h2``, ``0<unix time>``, ``+<minutes>``) or a ``datetime`` (written by
    ``send_time``). Flags (``flash``, ``mms``...) take 0/1 or a bool."""

    list_: str | None = msgspec.field(default=None, name="list")
    sender: str | None = None
    translit: Literal[0, 1, 2] | None = None
    time: SendTime | None = None
    tz: int | None = None
    period: Decimal | None = None
    freq: int | None = None
    flash: Flag | None = None
    push: Flag | None = None
    hlr: Flag | None = None
    bin: Literal[0, 1, 2] | None = None
    ping: Flag | None = None
    mms: Flag | None = None
    mail: Flag | None = None
    call: Flag | None = None
    viber: Flag | None = None
    soc: Flag | None = None
    subj: str | None = None
    fileurl: str | None = None
    voice: str | None = None
    param: str | None = None
    tinyurl: Flag | None = None
    valid: str | None = None

    # Message texts may span lines; `list` is one `phone:text` per line.
    line_breaks: ClassVar[frozenset[str]] = frozenset({"mes", "mes2", "list"})

    def __post_init__(self) -> None:
        if isinstance(self.time, dt.datetime):
            msgspec.structs.force_setattr(self, "time", send_time(self.time))
        super().__post_init__()

    def check_message(self, phones: Sequence[str] | None, mes: str | None, *, text_from: str = "") -> None:
        """Recipients and text, or ``list`` instead of both; ``text_from`` names another
        parameter that may supply the text (jobs: ``tpl``). Also the ranges and forms of
        the message options."""
        if self.list_ is None:
            check_not_empty(self, "phones", phones)
            check_items(self, "phones", phones)
            # `G<id>` groups and, with mail=1 / tg=1, e-mails / Telegram ids (spec/send.md).
            check_phones(
                self,
                "phones",
                phones,
                groups=True,
                emails=self.mail == 1,
                telegram=getattr(self, "tg", None) == 1,
            )
            if mes is None and not (text_from and getattr(self, text_from) is not None):
                alternatives = f"'{text_from}' or 'list'" if text_from else "'list'"
                raise self.invalid("mes", None, f"is required unless {alternatives} is given")
        elif phones is not None or mes is not None:
            raise self.invalid("list", "<list>", "replaces phones and mes; do not give both")
        check_max_length(self, "mes", mes, MAX_TEXT)
        check_range(self, "tz", self.tz, *TZ_RANGE)
        check_range(self, "period", self.period, *PERIOD_RANGE)
        check_range(self, "freq", self.freq, *FREQ_RANGE)
        check_valid(self, "valid", self.valid)
        check_call_param(self, "param", self.param)


class _Message(MessageOptions[R], frozen=True, kw_only=True):
    """The send.php parameters shared by a real send and a cost query."""

    phones: Sequence[str] | None = None
    mes: str | None = None
    id: int | str | None = None
    tg: Flag | None = None
    maxsms: int | None = None
    op: Flag | None = None
    err: Flag | None = None
    pp: str | None = None
    userip: str | None = None
    imgcode: str | None = None
    nl: Flag | None = None

    path: ClassVar[str] = "/sys/send.php"
    errors: ClassVar[ErrorTable] = SEND_ERRORS

    def validate(self) -> None:
        self.check_message(self.phones, self.mes)
        check_message_id(self, "id", self.id)
        # No upper bound is documented: longer texts are cut to fit (spec/send.md).
        if self.maxsms is not None and self.maxsms < 1:
            raise self.invalid("maxsms", self.maxsms, "must be at least 1")


_SEND_TEXT = Pairs(
    [("OK", "cnt"), ("ID", "id"), ("COST", "cost"), ("BALANCE", "balance"), ("CODE", "code")],
    kv=" - ",
    suffixes={"cnt": " SMS"},
    required=("cnt",),
)
_SEND_CSV = Fields(["id", "cnt", "cost", "balance"], required=2)
SEND_SHAPE = Shape(text=_SEND_TEXT, csv=_SEND_CSV)

# With op=1 (or err=1) fmt=0/1 add one line per recipient after the usual line; the
# layout of those lines was not recovered (spec/send.md), so it is inferred from the fmt=3
# members: `<phone>,<mccmnc>,<cost>,<status>,<error>` or `phone = ..., mccmnc = ...`.
_PHONE_MEMBERS = ["phone", "mccmnc", "cost", "status", "error"]
_PHONE_LINE = Either(
    Pairs(_PHONE_MEMBERS, required=("phone",)),
    Fields(_PHONE_MEMBERS, required=1),
)


class _WithPhoneLines:
    """The answer line, then any per-recipient lines (read into ``phones``)."""

    def __init__(self, first: Layout) -> None:
        self.first = first

    def parse(self, line: str) -> dict[str, Any]:
        head, *rest = [part for part in line.splitlines() if part.strip()] or [""]
        record: dict[str, Any] = self.first.parse(head)
        if rest:
            record["phones"] = [_PHONE_LINE.parse(part) for part in rest]
        return record

    def render(self, record: Mapping[str, str]) -> str:
        # Emulators render the first line only: the per-recipient layout is a guess.
        return self.first.render(record)


SEND_SHAPE_OP = Shape(text=_WithPhoneLines(_SEND_TEXT), csv=_WithPhoneLines(_SEND_CSV))


class Send(_Message[SendResult], frozen=True, kw_only=True):
    """Send a message now or at ``time``.

    >>> Send(phones=["79991234567"], mes="Hello").params()[:2]
    [('phones', '79991234567'), ('mes', 'Hello')]

    ``cost``: 0 plain answer, 2 adds the cost, 3 adds the cost and the new balance. To ask
    the price without sending, use ``SendCost``. Never retried once it may have reached the
    server.

    ``files``: attachments of an MMS, e-mail or Viber message (``Upload``), posted as
    multipart/form-data parts ``file0``, ``file1``... as SMSC's PHP library sends them;
    at most ``MAX_ATTACHMENTS`` bytes in all (the SDK's bound: the API's was not
    recovered). ``fileurl`` names a file the server fetches itself instead.

    >>> photo = Upload("photo.jpg", b"...", "image/jpeg")
    >>> Send(phones=["79991234567"], mes="Look", subj="Hi", mms=1, files=[photo]).uploads()
    (('file0', Upload(filename='photo.jpg', size=3, content_type='image/jpeg')),)
    """

    cost: Literal[0, 2, 3] | None = None
    files: Sequence[Upload] | None = msgspec.field(default=None, name="file")

    op_id: ClassVar[str] = "send"
    idempotent: ClassVar[bool] = False
    # One identical send a minute.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(1)
    shape: ClassVar[Shape] = SEND_SHAPE

    def __post_init__(self) -> None:
        # Before the type check, which would only list values; no str() of a (huge) int.
        cost: object = self.cost
        if (cost.__class__ is int and cost == 1) or (isinstance(cost, str) and cost.strip() == "1"):
            raise self.invalid("cost", 1, "cost=1 sends nothing: use SendCost to ask the price")
        super().__post_init__()

    def validate(self) -> None:
        super().validate()
        if self.files is not None:
            if not (self.mms or self.mail or self.viber):
                raise self.invalid("file", self.files, "attachments go with mms=1, mail=1 or viber=1")
            check_not_empty(self, "file", self.files)
            check_uploads(self, "file", self.files, MAX_ATTACHMENTS)

    def result_shape(self) -> Shape:
        return SEND_SHAPE_OP if self.op or self.err else SEND_SHAPE


class SendRest(Send, frozen=True, kw_only=True):
    """``send`` through ``/rest/send/``: the same parameters, posted as one JSON object.

    >>> SendRest(phones=["79991234567"], mes="Hello").request(Credentials(apikey="k")).body
    b'{"apikey":"k","phones":"79991234567","mes":"Hello","fmt":"3","charset":"utf-8"}'

    The answer is read as send.php's (a JSON object whose members may come in any order).
    Values are sent as JSON strings, as some clients do (others send numbers; both are
    apparently accepted, unconfirmed). One identical message a minute, counted with ``send``.
    """

    op_id: ClassVar[str] = "send.rest"
    path: ClassVar[str] = "/rest/send/"
    rate_limit: ClassVar[RateLimit | None] = RateLimit(1, group="send")

    def validate(self) -> None:
        if self.files is not None:
            raise self.invalid("file", self.files, "a JSON body carries no files: send them with Send")
        super().validate()

    def request(self, credentials: Credentials) -> HttpRequest:
        return HttpRequest("POST", self.path, (*credentials.form_fields(), *self.params()), JSON_HEADERS)


# fmt=0 is not documented (spec/send.md infers `<cost> (<n> SMS)`); the send-style
# `OK - <n> SMS, COST - <cost>` line is accepted too.
_COST_TEXT = Either(
    Pattern(
        r"(?P<cost>-?\d+(?:[.,]\d+)?)\s*\((?P<cnt>\d+)\s*SMS\)",
        lambda r: f"{r['cost']} ({r['cnt']} SMS)",
    ),
    Pairs([("OK", "cnt"), ("COST", "cost")], kv=" - ", suffixes={"cnt": " SMS"}, required=("cnt", "cost")),
)
_COST_CSV = Fields(["cost", "cnt"])
SEND_COST_SHAPE = Shape(text=_COST_TEXT, csv=_COST_CSV)
SEND_COST_SHAPE_OP = Shape(text=_WithPhoneLines(_COST_TEXT), csv=_WithPhoneLines(_COST_CSV))


class SendCost(_Message[SendCostResult], frozen=True, kw_only=True):
    """The cost of a message without sending it (``cost=1``).

    >>> SendCost(phones=["79991234567"], mes="Hello").params()[0]
    ('cost', '1')
    """

    op_id: ClassVar[str] = "send.cost"
    command: ClassVar[str | None] = "cost"
    # Identical cost queries are allowed five times a minute.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(5)
    shape: ClassVar[Shape] = SEND_COST_SHAPE

    def result_shape(self) -> Shape:
        return SEND_COST_SHAPE_OP if self.op or self.err else SEND_COST_SHAPE
