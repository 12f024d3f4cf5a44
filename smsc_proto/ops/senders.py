"""senders.php: sender names, the Sender ID messages go out under (``senders.get``,
``senders.add``, ``senders.chg``, ``senders.send_code``, ``senders.check_code``,
``senders.del``). spec/senders.md

Documented: the list's fmt=0 ``name = <sender>, id = <id>`` and fmt=2
``<sender id="<id>">sender</sender>`` lines [doc], its fmt=3 array of ``id``/``sender``
objects (client code), whose elements may carry ``sender`` alone, and the fmt=3 answer of
``senders.add``, ``{"sender": <id>}``: the new name's id in a member named ``sender``, and a
bare ``OK`` under fmt=3 from ``senders.del`` (recorded answers). Inferred, unconfirmed: the
list's fmt=1 ``<sender>,<id>`` and the root around its fmt=2 elements (any is read,
``<result>`` written; a run of elements with no root too; a body past 64 KiB is read only
as far as it holds attributed ``<sender ..>`` tags, see ``xml_record_tags``); fmt=0/1/2 of
the add answer (``ID = <id>`` or ``sender = <id>``, ``<id>``,
``<result><sender>..</sender></result>`` or ``<id>`` in it); ``OK`` / ``<result>OK</result>``
/ ``{"result": "OK"}`` for the other commands, as the API acknowledges elsewhere.

The extended list (``all``, ``operators``) adds each operator's registration status. The
statuses the pages name (two generations: some were retired on dates) are ``SenderName``
fields, read in fmt=0 as further ``key = value`` pairs, in fmt=2 as further attributes
(inferred), in fmt=3 as members; others the API adds later are skipped, and fmt=1 of the
extended list (order never documented) does not decode.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import msgspec

from smsc_proto.enums import OpenIntEnum
from smsc_proto.errors import (
    MessageRejectedError,
    NotFoundError,
    OperationFailedError,
    ParameterError,
    RateLimitedError,
)
from smsc_proto.formats.text import Either, Fields, Pairs
from smsc_proto.formats.xml import element_record, escape
from smsc_proto.op import ErrorTable, Flag, OkResult, Op
from smsc_proto.ops._checks import (
    MAX_MESSAGE_ID,
    check_id,
    check_max_length,
    check_not_empty,
    check_one_of,
    check_phones,
    check_range,
    check_uploads,
)
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import Record, wire_value
from smsc_proto.shape import Shape, ShapeError
from smsc_proto.upload import Upload

if TYPE_CHECKING:
    from lxml import etree

__all__ = [
    "SenderCreated",
    "SenderName",
    "SenderStatus",
    "SendersAdd",
    "SendersChg",
    "SendersCheckCode",
    "SendersDel",
    "SendersGet",
    "SendersSendCode",
]

R = TypeVar("R")

# Live descriptions: `record not found` (3), `save error` (5), `parameters error` (1).
SENDERS_ERRORS: ErrorTable = {
    3: (NotFoundError, "sender name not found"),
    5: (OperationFailedError, "error saving or deleting the sender name"),
    # A number the API cannot read: a bad parameter (jobs.php and send.php so map bad dates).
    7: (ParameterError, "bad number format (digital sender name)"),
    # The code's SMS cannot reach the number: undeliverable, as send.php's own code 8.
    8: (MessageRejectedError, "the confirmation code cannot be delivered to this number"),
    # A limit that clears with time, as code 9: one code per number per 8 hours.
    10: (RateLimitedError, "a code was already sent to this number: retry after 8 hours"),
    # The code given is not the one sent: the API refuses a parameter.
    11: (ParameterError, "wrong confirmation code"),
}

# A sender name (FAQ): Latin letters, digits, `.`, `-`, `_`, at most 11 characters.
_NAME = re.compile(r"[A-Za-z0-9._\-]{1,11}")
_DIGITAL = re.compile(r"\+?[0-9]+")
# The digits of an international phone number (E.164), the longest digital name.
_PHONE_DIGITS = 15


def _check_sender(op: Op[Any], value: str | None, *, digital: bool = False) -> None:
    """``sender``: a name of 1-11 Latin letters, digits, ``.``, ``-``, ``_``, or a phone
    number (a digital name: the only kind ``digital`` ops take)."""
    if value is None or (not digital and _NAME.fullmatch(value)):
        return
    if not digital and not _DIGITAL.fullmatch(value):
        reason = "must be 1-11 Latin letters, digits, '.', '-', '_', or a phone number"
        raise op.invalid("sender", value, reason)
    check_phones(op, "sender", [value])
    check_max_length(op, "sender", value.removeprefix("+"), _PHONE_DIGITS)


class SenderStatus(OpenIntEnum):
    """A sender name's registration status at one operator (extended list)."""

    AWAITING = 0  # awaiting registration
    SENT = 1  # sent for registration
    REGISTERED = 2  # inferred (the page is cut after 1), as op_templates statuses
    REJECTED = 3  # inferred, likewise


class SenderName(msgspec.Struct, frozen=True, kw_only=True, repr_omit_defaults=True):
    """One sender name as ``senders.get`` lists it: ``sender`` the name (fmt=0 calls it
    ``name``), ``id`` its id (absent from some fmt=3 answers). With ``all``/``operators``,
    the ``*_status`` fields hold its registration status at each operator (``statuses``);
    ``mega_status`` and ``mts_status`` were retired (01.01.2022, 01.12.2017)."""

    id: int | None = None
    sender: str
    mega_status: SenderStatus | None = None
    mega_step_status: SenderStatus | None = None
    mega_int_status: SenderStatus | None = None
    bee_step_status: SenderStatus | None = None
    motiv_status: SenderStatus | None = None
    motiv_step_status: SenderStatus | None = None
    motiv_int_status: SenderStatus | None = None
    sber_step_status: SenderStatus | None = None
    sber_int_status: SenderStatus | None = None
    winmob_step_status: SenderStatus | None = None
    volnamob_step_status: SenderStatus | None = None
    mts_status: SenderStatus | None = None
    mts_step_status: SenderStatus | None = None
    mts_int_status: SenderStatus | None = None
    tele2_status: SenderStatus | None = None
    tele2_step_status: SenderStatus | None = None
    ua_reg_status: SenderStatus | None = None
    ua_int_status: SenderStatus | None = None

    @property
    def statuses(self) -> dict[str, SenderStatus]:
        """The statuses given, by operator (the field name without ``_status``).

        >>> SenderName(sender="Shop", mts_step_status=SenderStatus.SENT).statuses
        {'mts_step': <SenderStatus.SENT: 1>}
        """
        return {
            name.removesuffix("_status"): value
            for name in _STATUS_FIELDS
            if (value := getattr(self, name)) is not None
        }


_STATUS_FIELDS = tuple(name for name in SenderName.__struct_fields__ if name.endswith("_status"))


class SenderCreated(msgspec.Struct, frozen=True):
    """The answer of ``senders.add``: the new name's ``id`` (fmt=3 writes it as
    ``{"sender": <id>}``)."""

    id: int = msgspec.field(name="sender")


# -- shapes ----------------------------------------------------------------------------------


class _SendersShape(Shape):
    """The list: fmt=2 is one ``<sender id="..">name</sender>`` per name, the id (and
    statuses, inferred) in attributes and the name as the text; child elements are read
    as fields too."""

    def __init__(self) -> None:
        super().__init__(
            text=Pairs(
                [("name", "sender"), "id", *_STATUS_FIELDS],
                required=("sender",),
            ),
            csv=Fields(["sender", "id"], required=1),  # inferred
            xml_item="sender",
            many=True,
            empty_list=True,
        )

    def xml_record_tags(self, item: Record) -> list[str]:
        # A record is a `<sender id="..">` start tag: a bare `<sender>` is also a field's
        # tag, so only tags with attributes give room.
        return ["sender "]

    def xml_records(self, root: etree._Element) -> Any:
        items = [root] if root.tag == "sender" else [c for c in root if c.tag == "sender"]
        if not items and (len(root) or (root.text or "").strip()):
            # Something else than an empty list (a proxy's page).
            raise ShapeError(f"expected <sender> elements in <{root.tag}>")
        return [_sender_record(item) for item in items]

    def render(self, fmt: int, data: Any) -> str:
        if fmt != 2:
            return super().render(fmt, data)
        return "<result>\n" + "\n".join(_render_sender(record) for record in data) + "\n</result>"


def _sender_record(element: etree._Element) -> dict[str, Any]:
    record: dict[str, Any] = {str(k): v for k, v in element.attrib.items()}
    for child in element:
        if isinstance(child.tag, str):
            record[child.tag] = element_record(child)
    name = (element.text or "").strip()
    if name and "sender" not in record:
        record["sender"] = name
    return record


def _render_sender(record: Mapping[str, Any]) -> str:
    attributes = "".join(
        f' {key}="{_attribute(value)}"'
        for key, value in record.items()
        if key != "sender" and value is not None
    )
    return f"<sender{attributes}>{escape(wire_value(record['sender']))}</sender>"


def _attribute(value: Any) -> str:
    return escape(wire_value(value)).replace('"', "&quot;")


class _CreatedShape(Shape):
    """The add answer; fmt=2 may name the id ``<id>`` (inferred), as fmt=0 ``ID``."""

    def xml_records(self, root: etree._Element) -> Any:
        record = super().xml_records(root)
        if record.__class__ is dict and "sender" not in record and "id" in record:
            return {**record, "sender": record["id"]}
        return record


SENDERS_SHAPE = _SendersShape()
CREATED_SHAPE = _CreatedShape(
    # Inferred: phones.php's `ID = <id>`, or the fmt=3 member's name.
    text=Either(*(Pairs([(key, "sender")], required=("sender",)) for key in ("ID", "sender"))),
    csv=Fields(["sender"]),
)

# -- ops -------------------------------------------------------------------------------------

_Flag = Flag | None
# The document of a registration (spec/senders.md): its kinds, by extension, and size ("3 MB",
# read as MiB).
DOCUMENT_KINDS = frozenset({"jpg", "jpeg", "tif", "tiff", "pdf", "png", "zip", "rar"})
MAX_DOCUMENT = 3 * 2**20


class _SendersOp(Op[R], frozen=True, kw_only=True):
    """``user``: the sub-client login the command applies to."""

    user: str | None = None

    path: ClassVar[str] = "/sys/senders.php"
    errors: ClassVar[ErrorTable] = SENDERS_ERRORS
    # errors.md limits only the list and creation; none is enforced locally for the others
    # (the server's error 9, should it come, is RateLimitedError all the same).
    rate_limit: ClassVar[RateLimit | None] = None


class _Registration(_SendersOp[R], frozen=True, kw_only=True):
    """What a name is registered with: a comment for the moderator, the organisation's
    data, and the operators to register it with (``<operator>=1``). ``document``: a file
    proving the right to the name (jpg, tif, pdf, png, zip or rar; at most 3 MB), sent as a
    multipart/form-data part (its part name is not documented: ``document``, inferred);
    ``doc_info`` describes it."""

    sender: str | None = None
    cmt: str | None = None
    doc_info: str | None = None
    document: Upload | None = None
    fio: str | None = None  # legal name of the organisation
    inn: str | None = None  # tax id (ИНН / ЕДРПОУ)
    site: str | None = None
    email: str | None = None  # contact address
    address: str | None = None  # actual address
    desc: str | None = None  # the services the sender provides
    subj: str | None = None  # what the messages are about
    mega: _Flag = None  # MegaFon, free-names tariff
    mega_step: _Flag = None  # MegaFon, paid name
    mts: _Flag = None
    mts_step: _Flag = None
    tele2: _Flag = None  # Tele2, free-names tariff
    tele2_step: _Flag = None
    bee_step: _Flag = None  # Beeline, paid name
    motiv_step: _Flag = None
    ua_reg: _Flag = None  # Ukraine, national-traffic rate
    ua_int: _Flag = None  # Ukraine, international rate

    # Free text for a person to read.
    line_breaks: ClassVar[frozenset[str]] = frozenset({"cmt", "doc_info", "desc"})

    def check_registration(self) -> None:
        _check_sender(self, self.sender)
        if self.email is not None:
            check_phones(self, "email", [self.email], emails=True)
        if self.document is not None:
            check_uploads(self, "document", [self.document], MAX_DOCUMENT, DOCUMENT_KINDS)

    def _registration(self) -> tuple[object, ...]:
        return (
            self.cmt,
            self.doc_info,
            self.document,
            self.fio,
            self.inn,
            self.site,
            self.email,
            self.address,
            self.desc,
            self.subj,
            self.mega,
            self.mega_step,
            self.mts,
            self.mts_step,
            self.tele2,
            self.tele2_step,
            self.bee_step,
            self.motiv_step,
            self.ua_reg,
            self.ua_int,
        )


class SendersGet(_SendersOp[list[SenderName]], frozen=True, kw_only=True):
    """The sender names of the account the moderator let through; ``all``/``operators``
    add each name's status at each operator, ``from_date`` keeps the names whose status
    changed since that day; ``prev_id`` and ``cnt`` page (names before that id; how many).

    >>> SendersGet(operators=1, cnt=50).params()[:3]
    [('get', '1'), ('operators', '1'), ('cnt', '50')]

    An empty answer, or error 3 ("not found"), is an empty list.
    """

    all: _Flag = None  # the extended list (values inferred)
    operators: _Flag = None
    from_date: dt.date | None = None
    prev_id: int | None = None
    cnt: int | None = None

    op_id: ClassVar[str] = "senders.get"
    command: ClassVar[str | None] = "get"
    shape: ClassVar[Shape] = SENDERS_SHAPE
    empty_codes: ClassVar[frozenset[int]] = frozenset({3})
    # More than three identical list requests a minute.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(3)

    def validate(self) -> None:
        check_id(self, "prev_id", self.prev_id)
        check_range(self, "cnt", self.cnt, 1, MAX_MESSAGE_ID)


class SendersAdd(_Registration[SenderCreated], frozen=True, kw_only=True):
    """Submit sender name ``sender`` for moderation, with a comment ``cmt``, the
    organisation's data and the operators to register it with; or add the e-mail sender
    address ``mail`` (``name``: its owner).

    >>> SendersAdd(sender="Shop", cmt="our shop's news", mts_step=1).params()[:4]
    [('add', '1'), ('sender', 'Shop'), ('cmt', "our shop's news"), ('mts_step', '1')]

    Answers the new name's id (``SenderCreated``). Never retried once it may have reached
    the server.
    """

    mail: str | None = None
    name: str | None = None

    op_id: ClassVar[str] = "senders.add"
    command: ClassVar[str | None] = "add"
    idempotent: ClassVar[bool] = False
    shape: ClassVar[Shape] = CREATED_SHAPE
    # More than five create requests a minute, whatever they create.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(5, identical=False)

    def validate(self) -> None:
        check_one_of(self, ("sender", "mail"), (self.sender, self.mail))
        self.check_registration()
        if self.mail is not None:
            check_phones(self, "mail", [self.mail], emails=True)
        elif self.name is not None:
            raise self.invalid("name", self.name, "is the comment of an e-mail sender: give mail too")


class SendersChg(_Registration[OkResult], frozen=True, kw_only=True):
    """Change the comment, data or operators of the name ``sender`` (or of name ``id``).

    >>> SendersChg(id=42, cmt="new comment").params()[:3]
    [('chg', '1'), ('cmt', 'new comment'), ('id', '42')]
    """

    id: int | None = None

    op_id: ClassVar[str] = "senders.chg"
    command: ClassVar[str | None] = "chg"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_one_of(self, ("sender", "id"), (self.sender, self.id))
        self.check_registration()
        check_id(self, "id", self.id)
        if all(value is None for value in self._registration()):
            raise self.invalid("cmt", None, "nothing to change: give cmt, doc_info, the data or an operator")


class _DigitalOp(_SendersOp[OkResult], frozen=True, kw_only=True):
    """A command on a digital sender name: ``sender`` is a phone number."""

    sender: str

    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_not_empty(self, "sender", self.sender)
        _check_sender(self, self.sender, digital=True)


class SendersSendCode(_DigitalOp, frozen=True, kw_only=True):
    """Send the confirmation code of the digital sender name ``sender`` (a phone number)
    to that number; ``site_name`` is the site the SMS quotes.

    >>> SendersSendCode(sender="79991234567", site_name="shop.example").params()[:3]
    [('send_code', '1'), ('sender', '79991234567'), ('site_name', 'shop.example')]

    One code per number per 8 hours: another is ``RateLimitedError`` (code 10). An SMS:
    never retried once it may have reached the server.
    """

    site_name: str | None = None

    op_id: ClassVar[str] = "senders.send_code"
    command: ClassVar[str | None] = "send_code"


class SendersCheckCode(_DigitalOp, frozen=True, kw_only=True):
    """Confirm the digital sender name ``sender`` with the ``code`` it received; a wrong
    code is ``ParameterError`` (code 11).

    >>> SendersCheckCode(sender="79991234567", code="4821").params()[:3]
    [('check_code', '1'), ('sender', '79991234567'), ('code', '4821')]
    """

    code: str

    op_id: ClassVar[str] = "senders.check_code"
    command: ClassVar[str | None] = "check_code"

    def validate(self) -> None:
        super().validate()
        check_not_empty(self, "code", self.code.strip())


class SendersDel(_SendersOp[OkResult], frozen=True, kw_only=True):
    """Delete the sender name ``sender`` (or name ``id``); none such is ``NotFoundError``.

    >>> SendersDel(sender="Shop").params()[:2]
    [('del', '1'), ('sender', 'Shop')]
    """

    sender: str | None = None
    id: int | None = None

    op_id: ClassVar[str] = "senders.del"
    command: ClassVar[str | None] = "del"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_one_of(self, ("sender", "id"), (self.sender, self.id))
        _check_sender(self, self.sender)
        check_id(self, "id", self.id)
