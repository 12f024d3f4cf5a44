"""users.php: sub-clients of a reseller account (``users.add``, ``users.chg``, ``users.pay``,
``users.get_stat``, ``users.get_stat_all``). spec/users.md

Documented: the commands, their parameters (the page's table, the rest named by a client
SDK built from the page), the error table and the rate limit. Answers known from client
code: fmt=3 of ``add`` is ``{"id": N}`` and of ``pay`` an object with a ``result`` member.
Inferred, unconfirmed: fmt=0/1/2 of ``add`` (``ID = N``, ``N``, ``<result><id>N</id>``,
as phones.php and templates.php create), every ``chg`` and ``pay`` answer but that member
(``OK``, the bare ``OK`` too, as other change commands), and both statistics lists: records
of ``login``, ``cnt``, ``credit``, ``debit``, ``currency`` (the get.php ``get_stat``
glossary, which swaps the descriptions of ``credit`` and ``debit``: do not read meaning into
the names), written as ``key = value`` lines, comma-separated values, ``<user>`` elements,
a JSON array. What ``get_stat_all`` adds to ``get_stat`` was never recovered: it is read as
the same records, unknown members ignored.

Error 3 ("no records") to either statistics list is an empty list; to anything else, as 6
("no such sub-client"), it is ``NotFoundError``. The sub-client's passwords (``password``,
``pswc``) are never shown: the repr of an op and a refusal of its value say ``<hidden>``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar

import msgspec

from smsc_proto.errors import (
    InsufficientFundsError,
    InvalidParameter,
    NotFoundError,
    OperationFailedError,
    SmscError,
)
from smsc_proto.formats.text import Fields, Pairs
from smsc_proto.op import INT_MAX, ErrorTable, Flag, OkResult, Op, php_name
from smsc_proto.ops._checks import (
    check_id,
    check_items,
    check_not_empty,
    check_one_of,
    check_phones,
    check_range,
)
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import EMPTY_IS_NONE
from smsc_proto.shape import Shape

__all__ = [
    "SubClientCreated",
    "SubClientCurrency",
    "SubClientStat",
    "SubClientType",
    "UsersAdd",
    "UsersChg",
    "UsersGetStat",
    "UsersGetStatAll",
    "UsersPay",
]

R = TypeVar("R")

USERS_ERRORS: ErrorTable = {
    3: (NotFoundError, "no records found"),
    5: (OperationFailedError, "operation failed"),
    6: (NotFoundError, "sub-client with this login does not exist"),
    7: (SmscError, "the sub-login shares the main balance, or balance2=1 is missing"),
    8: (OperationFailedError, "error saving the record"),
    10: (InsufficientFundsError, "not enough funds to credit"),
}

# `tmlim`: allowed sending hours `h1-h2`.
_HOURS = re.compile(r"([0-9]{1,2})-([0-9]{1,2})")


class SubClientType(enum.IntEnum):
    """``type`` of a sub-client's account: whose tariff and balance it uses."""

    INDEPENDENT = 0  # own tariff and balance (the default)
    MAIN_TARIFF = 1  # the main account's tariff, own balance
    MAIN_TARIFF_AND_BALANCE = 2
    MAIN_BALANCE = 3  # the main account's balance, own tariff
    ADDITIONAL_LOGIN = 4  # another login of the main account


class SubClientCurrency(enum.IntEnum):
    """``curr``: the sub-client's settlement currency."""

    RUB = 1
    USD = 2
    EUR = 3
    UAH = 4
    KZT = 5


class SubClientCreated(msgspec.Struct, frozen=True):
    """The answer of ``users.add``: the new sub-client's ``id`` (``user_id`` of other ops)."""

    id: int


class SubClientStat(msgspec.Struct, frozen=True, kw_only=True):
    """One sub-client's statistics for the period: its ``login``, the number of messages
    ``cnt``, the amounts ``credit`` and ``debit`` (the page describes each as the other) and
    their ``currency`` (a three-letter code). Inferred from the get.php glossary."""

    login: str
    cnt: int | None = None
    credit: Decimal | None = None
    debit: Decimal | None = None
    currency: Annotated[str | None, EMPTY_IS_NONE] = None


class _Hidden:
    """Stands for a secret in a repr or an error: shows ``<hidden>``, unquoted."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<hidden>"


HIDDEN = _Hidden()


class _UsersOp(Op[R], frozen=True, kw_only=True):
    """An op of users.php. ``password`` and ``pswc`` are the sub-client's secrets: its repr
    (and rich's) and a refusal of their values show ``<hidden>``; ``secrets()`` gives them
    to whatever redacts errors."""

    path: ClassVar[str] = "/sys/users.php"
    errors: ClassVar[ErrorTable] = USERS_ERRORS
    # Only adding and changing are limited (errors.md); the server's error 9 to the others,
    # should it come, is RateLimitedError all the same.
    rate_limit: ClassVar[RateLimit | None] = None
    _SECRETS: ClassVar[frozenset[str]] = frozenset({"password", "pswc"})

    def secrets(self) -> tuple[str, ...]:
        """The secret values this op sends (the sub-client's passwords)."""
        values = [getattr(self, name, None) for name in sorted(self._SECRETS)]
        values += [v for k, v in (self.extra or {}).items() if php_name(k) in self._SECRETS]
        return tuple(v for v in values if v)

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        # The fields msgspec's repr shows (defaults omitted), secrets hidden.
        shown = []
        for f in msgspec.structs.fields(self):
            value = getattr(self, f.name)
            if f.default is not msgspec.NODEFAULT and value == f.default:
                continue
            if f.name in self._SECRETS:
                value = HIDDEN
            elif f.name == "extra":
                value = {k: HIDDEN if php_name(k) in self._SECRETS else v for k, v in value.items()}
            shown.append((f.name, value))
        return shown

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__rich_repr__())
        return f"{type(self).__name__}({shown})"

    def invalid(self, field: str, value: object, reason: str) -> InvalidParameter:
        return super().invalid(field, HIDDEN if field in self._SECRETS else value, reason)


def _check_sub_client(op: Op[Any], user: str | None, user_id: int | None, *, required: bool) -> None:
    """The sub-client addressed: by login ``user`` or by ``user_id``, never both."""
    if required or user is not None or user_id is not None:
        check_one_of(op, ("user", "user_id"), (user, user_id))
    if user is not None:
        check_not_empty(op, "user", user.strip())
    check_id(op, "user_id", user_id)


class _SubClientSettings(_UsersOp[R], frozen=True, kw_only=True):
    """What ``add`` sets and ``chg`` changes, as the request names it (spec/users.md
    tables). Flags other than those modelled go in ``extra`` (``{"fl[2]": "1"}``)."""

    user: str | None = None  # the sub-client's login
    password: str | None = None  # its password (a new one, to chg)
    fio: str | None = None  # full name or company name
    phone: str | None = None
    email: str | None = None
    email2: str | None = None  # forwarding address of incoming SMS
    phone2: str | None = None  # forwarding number of incoming SMS
    type: SubClientType | None = None
    fmts: Sequence[int] | None = None  # allowed country codes (`7,-77`: Russia only)
    props: str | None = None  # company details
    cntr: str | None = None  # contract number
    notes: str | None = None  # the main account's comments
    tariff: int | None = None  # plan 0..8 (plans 1..9)
    mintrf: int | None = None  # minimal tariff
    curr: SubClientCurrency | None = None
    tz: int | None = None  # 0..24 = GMT-12..GMT+12
    sender: str | None = None  # default sender name
    sender2: str | None = None  # reserve sender name
    nb: Decimal | None = None  # balance threshold for notifications
    ktm: int | None = None  # days sent messages are kept
    ph: Sequence[str] | None = None  # phones or groups for mailings by SMS commands
    dlim: int | None = None  # messages a day
    plim: int | None = None  # messages a day to one number
    tlim: int | None = None  # messages a day to one number with one text
    ilim: int | None = None  # messages a day from one IP
    tmlim: str | None = None  # allowed sending hours `h1-h2`
    vld: int | None = None  # minutes to retry an unavailable subscriber
    url: str | None = None  # handler of statuses and incoming SMS
    mph: Sequence[str] | None = None  # e-mail2sms: target phones
    mh1: int | None = None  # e-mail2sms: first hour
    mh2: int | None = None  # e-mail2sms: last hour
    mlen: int | None = None  # e-mail2sms: length an e-mail is cut to
    answ: str | None = None  # auto-reply to incoming SMS
    answ_call: str | None = None  # auto-reply to incoming calls
    main_senders: Flag | None = msgspec.field(default=None, name="fl[29]")
    forbid_settings_changes: Flag | None = msgspec.field(default=None, name="fl[27]")
    forbid_payments: Flag | None = msgspec.field(default=None, name="fl[28]")
    blocked: Flag | None = msgspec.field(default=None, name="fl2[10]")
    test_mode: Flag | None = msgspec.field(default=None, name="fl2[27]")  # virtual sending

    # Free texts a reseller may write on several lines.
    line_breaks: ClassVar[frozenset[str]] = frozenset({"props", "notes", "answ", "answ_call"})

    def check_settings(self) -> None:
        if self.password is not None:
            check_not_empty(self, "password", self.password)
        for name, value in (("phone", self.phone), ("phone2", self.phone2)):
            if value is not None:
                check_phones(self, name, [value])
        check_phones(self, "mph", self.mph)
        check_items(self, "ph", self.ph)
        check_range(self, "tariff", self.tariff, 0, 8)
        check_range(self, "tz", self.tz, 0, 24)
        check_range(self, "mh1", self.mh1, 0, 24)
        check_range(self, "mh2", self.mh2, 0, 24)
        for name in ("mintrf", "ktm", "dlim", "plim", "tlim", "ilim", "vld", "mlen"):
            check_range(self, name, getattr(self, name), 0, INT_MAX)
        if self.tmlim is not None:
            hours = _HOURS.fullmatch(self.tmlim)
            if hours is None or not (int(hours[1]) <= 24 and int(hours[2]) <= 24):
                raise self.invalid("tmlim", self.tmlim, "must be hours 'h1-h2', each 0..24")


# What a change may set: the password and every setting (``user`` addresses the sub-client).
_SETTINGS = tuple(
    f.name for f in msgspec.structs.fields(_SubClientSettings) if f.name not in ("fmt", "extra", "user")
)

# `ID = <id>`; fmt=1 `<id>`; `<result><id>..</id></result>`; `{"id": ..}` (fmt=0/1/2 inferred).
CREATED_SHAPE = Shape(text=Pairs([("ID", "id")], required=("id",)), csv=Fields(["id"]))

_STAT_FIELDS = ["login", "cnt", "credit", "debit", "currency"]
STATS_SHAPE = Shape(
    # Inferred: the get.php glossary's order, as the API's other lists write records.
    text=Pairs(_STAT_FIELDS, required=("login",)),
    csv=Fields(_STAT_FIELDS, required=1),
    # Inferred: items named after the entity, as phones.php lists. The tag bounds the records
    # an XML body may hold.
    xml_item="user",
    many=True,
    empty_list=True,
)


class UsersAdd(_SubClientSettings[SubClientCreated], frozen=True, kw_only=True):
    """Create sub-client ``user`` with ``password`` and the settings given; ``site_id``: the
    site it belongs to, ``reseller=1``: an independent balance.

    >>> UsersAdd(user="mylogin", password="mypassword", phone="79999999999", main_senders=1).params()[:5]
    [('add', '1'), ('user', 'mylogin'), ('password', 'mypassword'), ('phone', '79999999999'), ('fl[29]', '1')]
    >>> UsersAdd(user="mylogin", password="mypassword")
    UsersAdd(user='mylogin', password=<hidden>)

    Answers the new sub-client's id (``SubClientCreated``). Never retried once it may have
    reached the server; three a minute at most.
    """

    user: str
    password: str
    site_id: int | None = None
    reseller: Flag | None = None

    op_id: ClassVar[str] = "users.add"
    command: ClassVar[str | None] = "add"
    idempotent: ClassVar[bool] = False
    shape: ClassVar[Shape] = CREATED_SHAPE
    # "Three requests a minute to add a sub-client": a new one each time, so counted whatever
    # the parameters.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(3, identical=False)

    def validate(self) -> None:
        check_not_empty(self, "user", self.user.strip())
        self.check_settings()
        check_id(self, "site_id", self.site_id)


class UsersChg(_SubClientSettings[OkResult], frozen=True, kw_only=True):
    """Change sub-client ``user`` (or ``user_id``): its login to ``new_login``, its
    ``password`` (``pswc``: the current one), the settings given.

    >>> kind = SubClientType.MAIN_TARIFF_AND_BALANCE  # the page's example: type=2
    >>> UsersChg(user="mylogin", type=kind, fmts=[7, -77], new_login="mylogin2").params()[:5]
    [('chg', '1'), ('user', 'mylogin'), ('type', '2'), ('fmts', '7,-77'), ('new_login', 'mylogin2')]

    An unknown sub-client is ``NotFoundError`` (code 6). Three changes of one sub-client a
    minute at most.
    """

    user_id: int | None = None
    new_login: str | None = None
    pswc: str | None = None

    op_id: ClassVar[str] = "users.chg"
    command: ClassVar[str | None] = "chg"
    idempotent: ClassVar[bool] = False
    # Three changes of the same sub-client a minute, counted per identical request: other
    # changes of it count apart (should the server refuse them, error 9 is RateLimitedError).
    rate_limit: ClassVar[RateLimit | None] = RateLimit(3)

    def validate(self) -> None:
        _check_sub_client(self, self.user, self.user_id, required=True)
        self.check_settings()
        if self.new_login is not None:
            check_not_empty(self, "new_login", self.new_login.strip())
        if self.pswc is not None:
            check_not_empty(self, "pswc", self.pswc)
        if not self.extra and all(getattr(self, name) is None for name in (*_SETTINGS, "new_login")):
            raise self.invalid("new_login", None, "nothing to change: give new_login, password or a setting")


class UsersPay(_UsersOp[OkResult], frozen=True, kw_only=True):
    """Move ``sum`` (in the main account's currency; negative: take it back) to sub-client
    ``user`` (or ``user_id``); ``balance2=1`` for the electronic balance.

    >>> UsersPay(user="mylogin", sum=Decimal("100.50")).params()[:3]
    [('pay', '1'), ('user', 'mylogin'), ('sum', '100.50')]

    Not enough money: ``InsufficientFundsError`` (code 10). Never retried once it may have
    reached the server.
    """

    user: str | None = None
    user_id: int | None = None
    sum: Decimal
    balance2: Flag | None = None

    op_id: ClassVar[str] = "users.pay"
    command: ClassVar[str | None] = "pay"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        _check_sub_client(self, self.user, self.user_id, required=True)
        if self.sum == 0:
            raise self.invalid("sum", self.sum, "must not be 0")


class _StatsOp(_UsersOp[list[SubClientStat]], frozen=True, kw_only=True):
    """Statistics of dates ``start``..``end`` (``dd.mm.yyyy``; no end: to date) of the
    sub-clients with an independent balance (``reseller=1``) or those paying from the
    electronic balance (``balance2=1``); ``mycur=1``: in the main account's currency,
    ``hide_deleted=1``: without deleted sub-clients."""

    start: dt.date | None = None
    end: dt.date | None = None
    reseller: Flag | None = None
    balance2: Flag | None = None
    mycur: Flag | None = None
    hide_deleted: Flag | None = None

    shape: ClassVar[Shape] = STATS_SHAPE
    empty_codes: ClassVar[frozenset[int]] = frozenset({3})

    def validate(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise self.invalid("end", self.end, "is before start")


class UsersGetStat(_StatsOp, frozen=True, kw_only=True):
    """Statistics per sub-client, or of sub-client ``user`` (or ``user_id``) alone.

    >>> UsersGetStat(start=dt.date(2014, 1, 1), end=dt.date(2014, 2, 1), reseller=1).params()[:4]
    [('get_stat', '1'), ('start', '01.01.2014'), ('end', '01.02.2014'), ('reseller', '1')]

    Error 3 ("no records") is an empty list.
    """

    user: str | None = None
    user_id: int | None = None

    op_id: ClassVar[str] = "users.get_stat"
    command: ClassVar[str | None] = "get_stat"

    def validate(self) -> None:
        super().validate()
        _check_sub_client(self, self.user, self.user_id, required=False)


class UsersGetStatAll(_StatsOp, frozen=True, kw_only=True):
    """Detailed statistics of the sub-clients (read as ``get_stat``'s records).

    >>> UsersGetStatAll(start=dt.date(2014, 1, 1), reseller=1).params()[:3]
    [('get_stat_all', '1'), ('start', '01.01.2014'), ('reseller', '1')]

    Error 3 ("no records") is an empty list.
    """

    op_id: ClassVar[str] = "users.get_stat_all"
    command: ClassVar[str | None] = "get_stat_all"
