"""info.php and tinyurls.php: a number's operator (``info.operator``) and a short link's
clicks (``tinyurls.get``). spec/info.md

Only parts of these answers were ever recovered. info.operator: fmt=0 is a line of ``key =
value`` pairs (``country``, ``operator``, ``region``, ``mcc``, ``mnc``) after a first pair
nobody identified, fmt=3 an object with at least ``operator`` and ``tz`` [code]. tinyurls:
the page's glossary names ``id``, ``cnt``, ``cnt_mon``, ``cnt_day`` and ``cnt_yes``; every
layout is inferred from the API's other answers. fmt=1 of both was never seen: it is read as
the fmt=0 line.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

import msgspec

from smsc_proto.errors import NotFoundError
from smsc_proto.formats.text import Pairs
from smsc_proto.op import ErrorTable, Op
from smsc_proto.ops._checks import check_id, check_not_empty, check_one_of, check_phones
from smsc_proto.ratelimit import RateLimit
from smsc_proto.records import EMPTY_IS_NONE
from smsc_proto.shape import Shape

__all__ = ["InfoOperator", "OperatorInfo", "TinyUrlStats", "TinyurlsGet"]


class OperatorInfo(msgspec.Struct, frozen=True, kw_only=True):
    """Whose network a number is in: ``operator`` (as the API names it, in Russian for Russian networks), its
    ``country`` and ``region``, the network codes ``mcc`` and ``mnc`` (text: ``01`` is not
    ``1``), and ``tz``, the number's UTC offset in hours."""

    operator: str
    country: Annotated[str | None, EMPTY_IS_NONE] = None
    region: Annotated[str | None, EMPTY_IS_NONE] = None
    mcc: Annotated[str | None, EMPTY_IS_NONE] = None
    mnc: Annotated[str | None, EMPTY_IS_NONE] = None
    tz: int | None = None


_OPERATOR_FIELDS = ["country", "operator", "region", "mcc", "mnc", "tz"]

# The first pair was never identified: it is skipped, whatever it is.
_OPERATOR_PAIRS = Pairs(_OPERATOR_FIELDS, required=("operator",), open_start=True)
OPERATOR_SHAPE = Shape(text=_OPERATOR_PAIRS, csv=_OPERATOR_PAIRS)


class InfoOperator(Op[OperatorInfo], frozen=True, kw_only=True):
    """The operator of the number ``phone``.

    >>> InfoOperator(phone="79991234567").params()[:2]
    [('get_operator', '1'), ('phone', '79991234567')]

    No operator known for the number: ``NotFoundError`` (code 3). The API also takes a list
    of numbers, whose answer was never seen; this op asks for one.
    """

    phone: str

    op_id: ClassVar[str] = "info.operator"
    path: ClassVar[str] = "/sys/info.php"
    command: ClassVar[str | None] = "get_operator"
    shape: ClassVar[Shape] = OPERATOR_SHAPE
    errors: ClassVar[ErrorTable] = {3: (NotFoundError, "operator not found")}
    # More than three identical requests a minute (the API also refuses a hundred of any
    # kind a minute, which is not counted here).
    rate_limit: ClassVar[RateLimit | None] = RateLimit(3)

    def validate(self) -> None:
        check_not_empty(self, "phone", self.phone)
        check_phones(self, "phone", [self.phone])


class TinyUrlStats(msgspec.Struct, frozen=True, kw_only=True):
    """The clicks on short link ``id``: in all (``cnt``), this month, today and yesterday."""

    id: int
    cnt: int | None = None
    cnt_mon: int | None = None
    cnt_day: int | None = None
    cnt_yes: int | None = None


_TINYURL_FIELDS = ["id", "cnt", "cnt_mon", "cnt_day", "cnt_yes"]

_TINYURL_PAIRS = Pairs(_TINYURL_FIELDS, required=("id",))
TINYURL_SHAPE = Shape(text=_TINYURL_PAIRS, csv=_TINYURL_PAIRS)


class TinyurlsGet(Op[TinyUrlStats], frozen=True, kw_only=True):
    """The click statistics of a short link, by the full ``link`` it stands for or by its
    ``id`` (exactly one).

    >>> TinyurlsGet(link="https://example.com/sale").params()[:2]
    [('get', '1'), ('link', 'https://example.com/sale')]

    An unknown link is ``NotFoundError`` (code 3).
    """

    link: str | None = None
    id: int | None = None

    op_id: ClassVar[str] = "tinyurls.get"
    path: ClassVar[str] = "/sys/tinyurls.php"
    command: ClassVar[str | None] = "get"
    shape: ClassVar[Shape] = TINYURL_SHAPE
    errors: ClassVar[ErrorTable] = {3: (NotFoundError, "link not found")}

    def validate(self) -> None:
        check_one_of(self, ("link", "id"), (self.link, self.id))
        check_id(self, "id", self.id)
        if self.link is not None:
            check_not_empty(self, "link", self.link.strip())
