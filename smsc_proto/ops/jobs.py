"""jobs.php: mailing lists (``jobs.add``, ``jobs.del``, ``jobs.cancel``, ``jobs.get``,
``jobs.get_all``). spec/jobs.md

E-mail newsletters (``mail=1``) answer ``emails`` where SMS lists answer ``phones``: the
result structs carry both members, XML and JSON fill whichever key came, and the positional
fmt=0/1 records name that position ``emails`` when the op was built with ``mail=1``.

The fmt=0/1 records of ``jobs.get``/``jobs.get_all`` separate fields with ``|`` / ``;``
while ``name``, ``phones`` and ``message`` are free text: ``message`` may hold the separator
and line breaks (its fields are split from both ends), a separator inside ``name`` or
``phones`` cannot be told apart. fmt=3 is the lossless choice (and the default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar, TypeVar

import msgspec

from smsc_proto.enums import OpenIntEnum
from smsc_proto.errors import OperationFailedError, ParameterError
from smsc_proto.formats.text import Fields, Pairs
from smsc_proto.op import ErrorTable, Flag, OkResult, Op
from smsc_proto.ops._checks import check_id, check_not_empty
from smsc_proto.ops.send import MessageOptions
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shape import Shape

__all__ = [
    "Job",
    "JobCreated",
    "JobRepeat",
    "JobSummary",
    "JobsAdd",
    "JobsCancel",
    "JobsDel",
    "JobsGet",
    "JobsGetAll",
]

R = TypeVar("R")

JOBS_ERRORS: ErrorTable = {
    3: (OperationFailedError, "error saving the record"),
    5: (ParameterError, "bad date format"),
}


class JobRepeat(OpenIntEnum):
    """``rpt``: how a new mailing list repeats (spec/jobs.md, from client code).

    >>> dict(JobsAdd(name="n", phones=["79991234567"], mes="m", rpt=JobRepeat.DAILY).params())["rpt"]
    '2'
    """

    MANUAL = 0
    HOURLY = 1
    DAILY = 2
    WORKDAYS = 3  # "every working day" is inferred; one SDK comment says "daily"
    WEEKENDS = 4
    WEEKLY = 5
    MONTHLY = 6
    YEARLY = 7


class JobCreated(msgspec.Struct, frozen=True):
    """The answer of ``jobs.add``: the new list's ``id``; ``cost`` when asked with cost=1."""

    id: int
    cost: Decimal | None = None


class _Recipients(msgspec.Struct, frozen=True, kw_only=True):
    """A mailing list's recipients: ``phones``, or ``emails`` for a newsletter (``mail=1``)."""

    phones: str | None = None
    emails: str | None = None

    @property
    def recipients(self) -> str | None:
        """``phones`` or, for an e-mail newsletter, ``emails``."""
        return self.emails if self.phones is None else self.phones


class Job(_Recipients, frozen=True):
    """One mailing list as ``jobs.get`` reports it.

    ``phones`` holds the recipients of an SMS list, ``emails`` those of an e-mail newsletter
    (``mail=1``). Dates are ``None`` when empty or zero. ``cost``, ``sms_sent`` and
    ``sms_ok`` come in fmt=3 only. ``status`` and ``format`` stay integers: their values
    are not documented (``format`` is a number here, unlike templates' string formats).
    """

    id: int
    name: str | None = None
    subject: str | None = None
    repeat_send: int | None = None
    repeat_cnt: int | None = None
    created: dt.datetime | None = None
    changed: dt.datetime | None = None
    need_date: dt.datetime | None = None
    last_sent: dt.datetime | None = None
    message: str | None = None
    format: int | None = None
    validity: int | None = None
    period: str | None = None
    frequency: int | None = None
    status: int | None = None
    sender_id: str | None = None
    cost: Decimal | None = None
    sms_sent: int | None = None
    sms_ok: int | None = None


class JobSummary(_Recipients, frozen=True):
    """One mailing list in the ``jobs.get_all`` list; ``sms_sent``/``sms_ok`` in fmt=3 only."""

    id: int
    name: str | None = None
    changed: dt.datetime | None = None
    need_date: dt.datetime | None = None
    last_sent: dt.datetime | None = None
    message: str | None = None
    phones_cnt: int | None = None
    cost: Decimal | None = None
    status: int | None = None
    sender_id: str | None = None
    format: int | None = None
    sms_sent: int | None = None
    sms_ok: int | None = None


class _JobsOp(Op[R], frozen=True, kw_only=True):
    path: ClassVar[str] = "/sys/jobs.php"
    errors: ClassVar[ErrorTable] = JOBS_ERRORS
    # More than one identical request per minute is refused with error 9 (every command).
    rate_limit: ClassVar[RateLimit | None] = RateLimit(1)


# -- jobs.add ------------------------------------------------------------------------------

ADD_SHAPE = Shape(
    # `OK, ID - <id>` / `OK, ID - <id>, COST - <cost>`; fmt=1 `<id>` / `<id>,<cost>`.
    text=Pairs([("ID", "id"), ("COST", "cost")], kv=" - ", lead="OK", required=("id",)),
    csv=Fields(["id", "cost"], required=1),
)


class JobsAdd(MessageOptions[JobCreated], _JobsOp[JobCreated], frozen=True, kw_only=True):
    """Create mailing list ``name`` sending ``mes`` to ``phones`` (e-mail addresses with
    ``mail=1``). The send.php parameters given apply to every message of the list.

    >>> JobsAdd(name="promo", phones=["79991234567", "79997654321"], mes="Sale!").params()[:3]
    [('add', '1'), ('name', 'promo'), ('phones', '79991234567,79997654321')]

    ``cost=1`` adds the cost to the answer (``JobCreated.cost``). ``rpt``/``rptn``: repeat
    schedule and count; ``tpl``: a message template id used as the text; ``mes2``: the
    text forwarded by SMS (e-mail/Viber lists); ``sender2``: the sender of re-sends.
    Never retried once it may have reached the server.
    """

    name: str
    phones: Sequence[str] | None = None
    mes: str | None = None
    sender2: str | None = None
    rpt: JobRepeat | None = None
    rptn: int | None = None
    tpl: int | None = None
    mes2: str | None = None
    cost: Flag | None = None

    op_id: ClassVar[str] = "jobs.add"
    command: ClassVar[str | None] = "add"
    idempotent: ClassVar[bool] = False
    shape: ClassVar[Shape] = ADD_SHAPE

    def validate(self) -> None:
        check_not_empty(self, "name", self.name)
        self.check_message(self.phones, self.mes, text_from="tpl")
        check_id(self, "tpl", self.tpl)
        if self.rptn is not None and self.rptn < 0:
            raise self.invalid("rptn", self.rptn, "must not be negative")
        # The page lists 0..7; JobRepeat is open so that a mode added later can be sent, but
        # a negative one is never meant.
        if self.rpt is not None and self.rpt < 0:
            raise self.invalid("rpt", int(self.rpt), "must not be negative (0..7 are documented)")


# -- jobs.del / jobs.cancel ----------------------------------------------------------------


class _JobsCommand(_JobsOp[OkResult], frozen=True, kw_only=True):
    """A command on mailing list ``id`` that answers a bare ``OK``."""

    id: int

    def validate(self) -> None:
        check_id(self, "id", self.id)


class JobsDel(_JobsCommand, frozen=True, kw_only=True):
    """Delete mailing list ``id``.

    >>> JobsDel(id=12).params()[:2]
    [('del', '1'), ('id', '12')]
    """

    op_id: ClassVar[str] = "jobs.del"
    command: ClassVar[str | None] = "del"


class JobsCancel(_JobsCommand, frozen=True, kw_only=True):
    """Disable mailing list ``id`` while it waits to be sent.

    >>> JobsCancel(id=12).params()[:2]
    [('cancel', '1'), ('id', '12')]
    """

    op_id: ClassVar[str] = "jobs.cancel"
    command: ClassVar[str | None] = "cancel"


# -- jobs.get ------------------------------------------------------------------------------

_GET_FIELDS = [
    "id",
    "name",
    "subject",
    "repeat_send",
    "repeat_cnt",
    "created",
    "changed",
    "need_date",
    "last_sent",
    "phones",
    "message",
    "format",
    "validity",
    "period",
    "frequency",
    "status",
    "sender_id",
]
_GET_ALL_FIELDS = [
    "id",
    "name",
    "changed",
    "need_date",
    "last_sent",
    "phones",
    "message",
    "phones_cnt",
    "cost",
    "status",
    "sender_id",
    "format",
]


def _recipients(names: list[str], mail: bool) -> list[str]:
    return [("emails" if mail else "phones") if n == "phones" else n for n in names]


def _get_shape(mail: bool) -> Shape:
    names = _recipients(_GET_FIELDS, mail)
    return Shape(
        text=Fields(names, "|", free="message"),
        csv=Fields(names, ";", free="message"),
        xml_root="job",
        json_single_array=True,
    )


def _get_all_shape(mail: bool) -> Shape:
    names = _recipients(_GET_ALL_FIELDS, mail)
    return Shape(
        text=Fields(names, "|", free="message"),
        csv=Fields(names, ";", free="message"),
        xml_root="sms_jobs",
        xml_item="job",
        many=True,
        # No list yet: fmt=0/1 have nothing to write (inferred; fmt=2/3 give `<sms_jobs/>`, `[]`).
        empty_list=True,
    )


_GET_SHAPES = {mail: _get_shape(mail) for mail in (False, True)}
_GET_ALL_SHAPES = {mail: _get_all_shape(mail) for mail in (False, True)}


class JobsGet(_JobsOp[Job], frozen=True, kw_only=True):
    """The details of mailing list ``id``; ``mail=1`` for an e-mail newsletter (its
    recipients then come as ``emails``).

    >>> JobsGet(id=12).params()[:2]
    [('get', '1'), ('id', '12')]
    """

    id: int
    mail: Flag | None = None

    op_id: ClassVar[str] = "jobs.get"
    command: ClassVar[str | None] = "get"
    shape: ClassVar[Shape] = _GET_SHAPES[False]

    def validate(self) -> None:
        check_id(self, "id", self.id)

    def result_shape(self) -> Shape:
        return _GET_SHAPES[self.mail == 1]


class JobsGetAll(_JobsOp[list[JobSummary]], frozen=True, kw_only=True):
    """Every mailing list, optionally those of dates ``start``..``end`` (``dd.mm.yyyy``).

    >>> JobsGetAll(start=dt.date(2024, 1, 1)).params()[:2]
    [('get_all', '1'), ('start', '01.01.2024')]

    An empty answer is an empty list.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    mail: Flag | None = None

    op_id: ClassVar[str] = "jobs.get_all"
    command: ClassVar[str | None] = "get_all"
    shape: ClassVar[Shape] = _GET_ALL_SHAPES[False]

    def validate(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise self.invalid("end", self.end, "is before start")

    def result_shape(self) -> Shape:
        return _GET_ALL_SHAPES[self.mail == 1]
