"""receive_phones.php: dedicated numbers for receiving SMS (``receive_phones.get``,
``receive_phones.buy``, ``receive_phones.chg``). spec/info.md, last section

Documented: the three commands and their parameters (``noprolong``'s values from a client
SDK built from the page). Never recovered: the error table and every answer. Inferred,
unconfirmed: the standard error envelope with the common codes only (1, 2, 4, 9; any other
code is a plain ``SmscError``), ``OK`` to ``buy`` and ``chg`` (the bare ``OK`` too), and
the list as records of the ``phone`` and its ``cost`` (the page says "a list of numbers with
their price"; the member names are guesses after the API's other answers), written as
``key = value`` lines, comma-separated values, ``<number>`` elements, a JSON array. Other
members are ignored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, TypeVar

import msgspec

from smsc_proto.formats.text import Fields, Pairs
from smsc_proto.op import Flag, OkResult, Op
from smsc_proto.ops._checks import check_not_empty, check_phones
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shape import Shape

__all__ = ["DedicatedNumber", "ReceivePhonesBuy", "ReceivePhonesChg", "ReceivePhonesGet"]

R = TypeVar("R")


class DedicatedNumber(msgspec.Struct, frozen=True, kw_only=True):
    """One dedicated number ``receive_phones.get`` lists: the ``phone`` and its ``cost``
    (inferred names)."""

    phone: str
    cost: Decimal | None = None


_NUMBER_FIELDS = ["phone", "cost"]
NUMBERS_SHAPE = Shape(
    text=Pairs(_NUMBER_FIELDS, required=("phone",)),
    csv=Fields(_NUMBER_FIELDS, required=1),
    # Inferred. The tag bounds the records an XML body may hold, so it cannot be `phone`,
    # the one name each record must write (a run of `<phone>` would get room for as many).
    xml_item="number",
    many=True,
    empty_list=True,
)


class _ReceivePhonesOp(Op[R], frozen=True, kw_only=True):
    path: ClassVar[str] = "/sys/receive_phones.php"
    # errors.md gives receive_phones.php no limit: none is enforced locally.
    rate_limit: ClassVar[RateLimit | None] = None


class _NumberOp(_ReceivePhonesOp[OkResult], frozen=True, kw_only=True):
    """An op on dedicated number ``phone``; ``noprolong=1``: not extended next month."""

    phone: str
    noprolong: Flag | None = None

    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_not_empty(self, "phone", self.phone)
        check_phones(self, "phone", [self.phone])


class ReceivePhonesGet(_ReceivePhonesOp[list[DedicatedNumber]], frozen=True, kw_only=True):
    """The dedicated numbers available.

    >>> ReceivePhonesGet().params()[:1]
    [('get', '1')]

    An empty answer is an empty list. (A client SDK sends ``gets=1`` instead: a typo or an
    alias, unconfirmed; ``get=1`` is the page's.)
    """

    op_id: ClassVar[str] = "receive_phones.get"
    command: ClassVar[str | None] = "get"
    shape: ClassVar[Shape] = NUMBERS_SHAPE


class ReceivePhonesBuy(_NumberOp, frozen=True, kw_only=True):
    """Connect dedicated number ``phone`` (charged for the rest of the month; accepts the
    number's terms), extended each month unless ``noprolong=1``.

    >>> ReceivePhonesBuy(phone="79001234567", noprolong=1).params()[:3]
    [('buy', '1'), ('phone', '79001234567'), ('noprolong', '1')]

    Never retried once it may have reached the server.
    """

    op_id: ClassVar[str] = "receive_phones.buy"
    command: ClassVar[str | None] = "buy"


class ReceivePhonesChg(_NumberOp, frozen=True, kw_only=True):
    """Turn the monthly extension of dedicated number ``phone`` off (``noprolong=1``) or on
    (``0``).

    >>> ReceivePhonesChg(phone="79001234567", noprolong=0).params()[:3]
    [('chg', '1'), ('phone', '79001234567'), ('noprolong', '0')]
    """

    noprolong: Flag

    op_id: ClassVar[str] = "receive_phones.chg"
    command: ClassVar[str | None] = "chg"
