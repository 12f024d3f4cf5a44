"""phones.php: contacts, contact groups and the blacklist (``phones.add``, ``phones.chg``,
``phones.del``, ``phones.move_group``, ``phones.get``; ``phones.add_group``,
``phones.chg_group``, ``phones.del_group``, ``phones.get_group``; ``phones.add_black``,
``phones.del_black``). spec/phones.md

Documented: the create answer ``ID = <id>`` / ``<id>`` / ``<phone><id>..</id>..`` [doc], its
fmt=3 ``{"id": N}`` for contacts and groups, ``{"result": "OK"}`` or a bare ``OK`` for a change,
a move or a deletion, and the fmt=3 arrays of contacts and groups (client code and recorded
answers). Inferred: fmt=0/1/2 of every ``OK`` answer and of both lists, fmt=3 of the blacklist
commands, and ``<group>`` as the XML root of a new group. The lists' fmt=0/1 records are read
as ``key = value`` lines, the API's usual text form: a contact's ``group``, ``tags`` and
``phone_other`` hold commas themselves, so no comma-separated record could carry them.

A contact is addressed by its ``phone`` (``mail`` for an e-mail contact, from client code).
``phones.add`` answers an id of the server's, while ``phones.get`` reports as ``id`` the
``myid`` the client gave. The request names contact fields ``fnm``, ``lnm``, ``mnm``, ``bd``,
``cmt``, ``pho``; the answer ``first_name``, ``last_name``, ``middle_name``, ``birthday``,
``comments``, ``phone_other``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Annotated, ClassVar, TypeVar

import msgspec

from smsc_proto.errors import NotFoundError, OperationFailedError
from smsc_proto.formats.text import Fields, Pairs
from smsc_proto.op import ErrorTable, OkResult, Op
from smsc_proto.ops._checks import (
    MAX_MESSAGE_ID,
    check_id,
    check_not_empty,
    check_one_of,
    check_phones,
    check_range,
)
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import EMPTY_IS_NONE
from smsc_proto.shape import Shape

__all__ = [
    "BlacklistEntryCreated",
    "BlockType",
    "Contact",
    "ContactCreated",
    "ContactGroup",
    "GroupCreated",
    "GroupMove",
    "GroupType",
    "PhonesAdd",
    "PhonesAddBlack",
    "PhonesAddGroup",
    "PhonesChg",
    "PhonesChgGroup",
    "PhonesDel",
    "PhonesDelBlack",
    "PhonesDelGroup",
    "PhonesGet",
    "PhonesGetGroup",
    "PhonesMoveGroup",
]

R = TypeVar("R")

# Live descriptions: `record not found` (3), `save error` (5), `parameters error` (1).
PHONES_ERRORS: ErrorTable = {
    3: (NotFoundError, "no records found"),
    5: (OperationFailedError, "operation failed"),
}


class GroupMove(enum.IntEnum):
    """``move_group``: what becomes of the contact's groups."""

    MOVE = 1  # into this group only
    ADD = 2  # into this group too, keeping the others
    REMOVE = 3  # out of this group


class GroupType(enum.IntEnum):
    """``type`` of a new group: what its contacts are (client code)."""

    PHONES = 0
    EMAILS = 1


class BlockType(enum.IntEnum):
    """``type`` of a blacklist entry: which messages are blocked (client code)."""

    ALL = 0
    MAILINGS = 1
    SINGLE = 2


class ContactCreated(msgspec.Struct, frozen=True):
    """The answer of ``phones.add``: the server's ``id`` of the new contact (not its
    ``myid``, which ``phones.get`` reports as the contact's id)."""

    id: int


class GroupCreated(msgspec.Struct, frozen=True):
    """The answer of ``phones.add_group``: the new group's ``id`` (``grp`` of other ops)."""

    id: int


class BlacklistEntryCreated(msgspec.Struct, frozen=True):
    """The answer of ``phones.add_black``: the new blacklist entry's ``id``."""

    id: int


class Contact(msgspec.Struct, frozen=True, kw_only=True):
    """One contact as ``phones.get`` lists it. ``id`` is the ``myid`` given when it was
    created (live answers); ``group`` the ids of its groups as the API writes them (``"0"``:
    none; ``group_ids`` reads them); ``phone_other`` its other numbers, comma-separated;
    ``mail`` the addresses of an e-mail contact (glossary). Empty text is None."""

    id: int
    name: Annotated[str | None, EMPTY_IS_NONE] = None
    phone: Annotated[str | None, EMPTY_IS_NONE] = None
    mail: Annotated[str | None, EMPTY_IS_NONE] = None
    group: Annotated[str | None, EMPTY_IS_NONE] = None
    first_name: Annotated[str | None, EMPTY_IS_NONE] = None
    last_name: Annotated[str | None, EMPTY_IS_NONE] = None
    middle_name: Annotated[str | None, EMPTY_IS_NONE] = None
    birthday: dt.date | None = None
    comments: Annotated[str | None, EMPTY_IS_NONE] = None
    tags: Annotated[str | None, EMPTY_IS_NONE] = None
    phone_other: Annotated[str | None, EMPTY_IS_NONE] = None

    @property
    def group_ids(self) -> tuple[int, ...]:
        """The ids in ``group`` (separated by ``,``, or ``|`` as one client reads them);
        ``0`` is "no group".

        >>> Contact(id=1, group="12,15").group_ids, Contact(id=1, group="0").group_ids
        ((12, 15), ())
        """
        parts = (self.group or "").replace("|", ",").split(",")
        ids = (p.strip() for p in parts)
        # At most 10 digits: an id fits 32 bits, and int() of a long run is slow.
        return tuple(n for p in ids if p.isascii() and p.isdigit() and len(p) <= 10 and (n := int(p)))


class ContactGroup(msgspec.Struct, frozen=True, kw_only=True):
    """One group as ``phones.get_group`` lists it: ``number`` is its ``num`` (a number for
    mailings; absent when not set), ``cnt`` how many contacts it holds (may be absent)."""

    id: int
    name: Annotated[str | None, EMPTY_IS_NONE] = None
    number: int | None = None
    cnt: int | None = None


class _PhonesOp(Op[R], frozen=True, kw_only=True):
    path: ClassVar[str] = "/sys/phones.php"
    errors: ClassVar[ErrorTable] = PHONES_ERRORS
    # More than three identical requests a minute on contacts, groups or the blacklist.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(3)


class _ContactOp(_PhonesOp[R], frozen=True, kw_only=True):
    """An op on one contact: its ``phone``, or ``mail`` for an e-mail contact."""

    phone: str | None = None
    mail: str | None = None

    def validate(self) -> None:
        check_one_of(self, ("phone", "mail"), (self.phone, self.mail))
        self.check_contact()

    def check_contact(self) -> None:
        """The checks after "phone or mail": the address given, then (subclasses) the rest."""
        if self.phone is not None:
            check_phones(self, "phone", [self.phone])
        if self.mail is not None:
            check_phones(self, "mail", [self.mail], emails=True)


class _ContactFields(_ContactOp[R], frozen=True, kw_only=True):
    """What a contact holds, as the request names it."""

    name: str | None = None
    grp: Sequence[int] | None = None  # group ids
    fnm: str | None = None  # first name
    lnm: str | None = None  # last name
    mnm: str | None = None  # middle name
    bd: dt.date | None = None  # birthday, sent dd.mm.yyyy
    myid: int | None = None  # the client's id of the contact: `id` in phones.get
    cmt: str | None = None  # comments
    tags: str | None = None
    pho: Sequence[str] | None = None  # other numbers

    def check_contact(self) -> None:
        super().check_contact()
        for group in self.grp or ():
            check_id(self, "grp", group)
        check_id(self, "myid", self.myid)
        check_phones(self, "pho", self.pho)

    def _changes(self) -> tuple[object, ...]:
        return (
            self.name,
            self.grp,
            self.fnm,
            self.lnm,
            self.mnm,
            self.bd,
            self.myid,
            self.cmt,
            self.tags,
            self.pho,
        )


def _created_shape(root: str) -> Shape:
    # `ID = <id>`; fmt=1 `<id>`; `<root><id>..</id></root>`; `{"id": ..}`.
    return Shape(text=Pairs([("ID", "id")], required=("id",)), csv=Fields(["id"]), xml_root=root)


# [doc] for contacts and blacklist entries; the group's root is inferred.
CONTACT_CREATED_SHAPE = _created_shape("phone")
GROUP_CREATED_SHAPE = _created_shape("group")

_CONTACT_KEYS = [
    "id",
    "name",
    "phone",
    "mail",
    "group",
    "first_name",
    "last_name",
    "middle_name",
    "birthday",
    "comments",
    "tags",
    "phone_other",
]
_CONTACT_PAIRS = Pairs([(key, key) for key in _CONTACT_KEYS], required=("id",))
CONTACTS_SHAPE = Shape(
    text=_CONTACT_PAIRS,
    csv=_CONTACT_PAIRS,
    # Inferred: items named after the entity, as the create answer's root (each holds a
    # `<phone>` number too). The tag bounds the records an XML body may hold.
    xml_item="phone",
    many=True,
    empty_list=True,
)

_GROUP_KEYS = ["id", "name", "number", "cnt"]
GROUPS_SHAPE = Shape(
    text=Pairs([(key, key) for key in _GROUP_KEYS], required=("id",)),
    csv=Fields(_GROUP_KEYS, free="name", required=1),
    xml_item="group",  # inferred, as contacts
    many=True,
    empty_list=True,
)


# -- contacts --------------------------------------------------------------------------------


class PhonesAdd(_ContactFields[ContactCreated], frozen=True, kw_only=True):
    """Save contact ``name`` with number ``phone`` (``mail`` for an e-mail contact), in groups
    ``grp``; ``myid`` is the id ``phones.get`` will report for it.

    >>> PhonesAdd(phone="79991234567", name="Ivan", grp=[12, 15]).params()[:4]
    [('add', '1'), ('phone', '79991234567'), ('name', 'Ivan'), ('grp', '12,15')]

    Answers the server's id of the contact (``ContactCreated``). Never retried once it may
    have reached the server.
    """

    name: str

    op_id: ClassVar[str] = "phones.add"
    command: ClassVar[str | None] = "add"
    idempotent: ClassVar[bool] = False
    shape: ClassVar[Shape] = CONTACT_CREATED_SHAPE

    def check_contact(self) -> None:
        check_not_empty(self, "name", self.name)
        super().check_contact()


class PhonesChg(_ContactFields[OkResult], frozen=True, kw_only=True):
    """Change the contact with number ``phone`` (or ``mail``): its number to ``new_phone``
    (addresses to ``new_mail``), and the fields given.

    >>> PhonesChg(phone="79991234567", new_phone="79997654321").params()[:3]
    [('chg', '1'), ('phone', '79991234567'), ('new_phone', '79997654321')]

    A change shows in ``phones.get`` only after a while (live tests waited 10-15 s).
    """

    new_phone: str | None = None
    new_mail: str | None = None

    op_id: ClassVar[str] = "phones.chg"
    command: ClassVar[str | None] = "chg"
    idempotent: ClassVar[bool] = False

    def check_contact(self) -> None:
        super().check_contact()
        if self.new_phone is not None:
            check_phones(self, "new_phone", [self.new_phone])
        if self.new_mail is not None:
            check_phones(self, "new_mail", [self.new_mail], emails=True)
        if all(value is None for value in (self.new_phone, self.new_mail, *self._changes())):
            raise self.invalid("new_phone", None, "nothing to change: give new_phone, new_mail or a field")


class PhonesDel(_ContactOp[OkResult], frozen=True, kw_only=True):
    """Delete the contact with number ``phone`` (or ``mail``); none such is ``NotFoundError``.

    >>> PhonesDel(phone="79991234567").params()[:2]
    [('del', '1'), ('phone', '79991234567')]
    """

    op_id: ClassVar[str] = "phones.del"
    command: ClassVar[str | None] = "del"
    idempotent: ClassVar[bool] = False


class PhonesMoveGroup(_ContactOp[OkResult], frozen=True, kw_only=True):
    """Put the contact with number ``phone`` (or ``mail``) into group ``grp`` alone
    (``GroupMove.MOVE``), add it to ``grp`` too (``ADD``) or take it out (``REMOVE``).

    >>> PhonesMoveGroup(move_group=GroupMove.ADD, phone="79991234567", grp=12).params()[:3]
    [('move_group', '2'), ('phone', '79991234567'), ('grp', '12')]
    """

    move_group: GroupMove
    grp: int

    op_id: ClassVar[str] = "phones.move_group"
    command: ClassVar[str | None] = "move_group"
    idempotent: ClassVar[bool] = False

    def check_contact(self) -> None:
        super().check_contact()
        check_id(self, "grp", self.grp)

    def params(self) -> list[tuple[str, str]]:
        # The command flag carries the mode (1, 2 or 3) where other commands send 1; the
        # field is that flag, so it is not sent twice.
        _flag, *rest = super().params()
        return [("move_group", str(int(self.move_group))), *(p for p in rest if p[0] != "move_group")]


class PhonesGet(_PhonesOp[list[Contact]], frozen=True, kw_only=True):
    """The contacts: all, or those of group ``grp``, with number ``phone``, whose name
    matches ``fio``, or found by ``search``; ``after_id`` pages (a contact's server id).

    >>> PhonesGet(grp=12).params()[:2]
    [('get', '1'), ('grp', '12')]

    An empty answer, or error 3 ("no records"), is an empty list.
    """

    grp: int | None = None
    phone: str | None = None
    fio: str | None = None
    search: str | None = None
    after_id: int | None = None

    op_id: ClassVar[str] = "phones.get"
    command: ClassVar[str | None] = "get"
    shape: ClassVar[Shape] = CONTACTS_SHAPE
    empty_codes: ClassVar[frozenset[int]] = frozenset({3})

    def validate(self) -> None:
        check_id(self, "grp", self.grp)
        if self.phone is not None:
            check_phones(self, "phone", [self.phone])
        check_range(self, "after_id", self.after_id, 0, MAX_MESSAGE_ID)


# -- groups ----------------------------------------------------------------------------------


class PhonesAddGroup(_PhonesOp[GroupCreated], frozen=True, kw_only=True):
    """Create group ``name``, with mailing number ``num``, of ``type`` phones or e-mails.

    >>> PhonesAddGroup(name="Clients", num=17).params()[:3]
    [('add_group', '1'), ('name', 'Clients'), ('num', '17')]

    Answers the new group's id (``GroupCreated``). Never retried once it may have reached
    the server.
    """

    name: str
    num: int | None = None
    type: GroupType | None = None

    op_id: ClassVar[str] = "phones.add_group"
    command: ClassVar[str | None] = "add_group"
    idempotent: ClassVar[bool] = False
    shape: ClassVar[Shape] = GROUP_CREATED_SHAPE

    def validate(self) -> None:
        check_not_empty(self, "name", self.name)
        check_range(self, "num", self.num, 0, MAX_MESSAGE_ID)


class PhonesChgGroup(_PhonesOp[OkResult], frozen=True, kw_only=True):
    """Rename group ``grp`` to ``name`` and/or change its mailing number ``num``.

    >>> PhonesChgGroup(grp=12, name="VIP").params()[:3]
    [('chg_group', '1'), ('grp', '12'), ('name', 'VIP')]
    """

    grp: int
    name: str | None = None
    num: int | None = None

    op_id: ClassVar[str] = "phones.chg_group"
    command: ClassVar[str | None] = "chg_group"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_id(self, "grp", self.grp)
        if self.name is None and self.num is None:
            raise self.invalid("name", None, "nothing to change: give name or num")
        if self.name is not None:
            check_not_empty(self, "name", self.name)
        check_range(self, "num", self.num, 0, MAX_MESSAGE_ID)


class PhonesDelGroup(_PhonesOp[OkResult], frozen=True, kw_only=True):
    """Delete group ``grp``.

    >>> PhonesDelGroup(grp=12).params()[:2]
    [('del_group', '1'), ('grp', '12')]
    """

    grp: int

    op_id: ClassVar[str] = "phones.del_group"
    command: ClassVar[str | None] = "del_group"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_id(self, "grp", self.grp)


class PhonesGetGroup(_PhonesOp[list[ContactGroup]], frozen=True, kw_only=True):
    """Every contact group (a new account already has default ones).

    >>> PhonesGetGroup().params()[:1]
    [('get_group', '1')]

    An empty answer, or error 3 ("no records"), is an empty list.
    """

    op_id: ClassVar[str] = "phones.get_group"
    command: ClassVar[str | None] = "get_group"
    shape: ClassVar[Shape] = GROUPS_SHAPE
    empty_codes: ClassVar[frozenset[int]] = frozenset({3})


# -- blacklist -------------------------------------------------------------------------------


class PhonesAddBlack(_PhonesOp[BlacklistEntryCreated], frozen=True, kw_only=True):
    """Blacklist number ``phone``: for every message, or (``type``) for mailings or single
    messages only.

    >>> PhonesAddBlack(phone="79991234567", type=BlockType.MAILINGS).params()[:3]
    [('add_black', '1'), ('phone', '79991234567'), ('type', '1')]

    Answers the entry's id (``BlacklistEntryCreated``).
    """

    phone: str
    type: BlockType | None = None

    op_id: ClassVar[str] = "phones.add_black"
    command: ClassVar[str | None] = "add_black"
    idempotent: ClassVar[bool] = False
    shape: ClassVar[Shape] = CONTACT_CREATED_SHAPE

    def validate(self) -> None:
        check_not_empty(self, "phone", self.phone)
        check_phones(self, "phone", [self.phone])


class PhonesDelBlack(_PhonesOp[OkResult], frozen=True, kw_only=True):
    """Take number ``phone`` off the blacklist.

    >>> PhonesDelBlack(phone="79991234567").params()[:2]
    [('del_black', '1'), ('phone', '79991234567')]
    """

    phone: str

    op_id: ClassVar[str] = "phones.del_black"
    command: ClassVar[str | None] = "del_black"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_not_empty(self, "phone", self.phone)
        check_phones(self, "phone", [self.phone])
