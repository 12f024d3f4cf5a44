"""balance.php: the account balance (``balance``). spec/balance.md"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

import msgspec

from smsc_proto.formats.text import Pattern
from smsc_proto.op import Flag, Op
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shape import Shape

__all__ = ["Balance", "BalanceResult"]


class BalanceResult(msgspec.Struct, frozen=True):
    """``balance`` may be negative when a credit is in use; ``credit`` and ``currency``
    come with ``cur=1`` (``credit`` only when one is set; roubles are ``RUR``)."""

    balance: Decimal
    credit: Decimal | None = None
    currency: str | None = None


# A number as balance.php writes it: `250.80`, `-12.50`, `250` (never a decimal comma,
# which would be ambiguous with the fmt=1 separator).
_NUMBER = r"-?\d++(?:\.\d++)?"
# cur=0: the bare number. cur=1: fmt=0 `<balance> <currency>` [doc]; fmt=1 inferred as
# `<balance>,<credit>,<currency>` (credit possibly empty or left out). A currency is required
# after a credit, so a two-number line (`1234,1`, a send answer) is refused, not misread.
# Possessive runs of blanks: a run that cannot be followed is not re-split (linear time).
_BALANCE = (
    rf"(?P<balance>{_NUMBER})"
    rf"(?:(?:\s++|\s*+,\s*+)(?:(?P<credit>{_NUMBER})?+\s*+,\s*+)?(?P<currency>[A-Za-z]{{3}}))?"
)


def _render_text(record: Mapping[str, str]) -> str:
    currency = record.get("currency")
    return record["balance"] if currency is None else f"{record['balance']} {currency}"


def _render_csv(record: Mapping[str, str]) -> str:
    currency = record.get("currency")
    if currency is None:
        return record["balance"]
    return f"{record['balance']},{record.get('credit', '')},{currency}"


BALANCE_SHAPE = Shape(
    text=Pattern(_BALANCE, _render_text),
    csv=Pattern(_BALANCE, _render_csv),
    # fmt=2 is a root-less `<balance>..</balance>` (+ `<credit>`, `<currency>` with cur=1).
    xml_root=None,
)


class Balance(Op[BalanceResult], frozen=True, kw_only=True):
    """The current balance; ``cur=1`` adds the currency (and the credit, if any).

    >>> Balance(cur=1).params()[0]
    ('cur', '1')
    """

    cur: Flag | None = None

    op_id: ClassVar[str] = "balance"
    path: ClassVar[str] = "/sys/balance.php"
    # Ten requests a minute, identical or not.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(10, identical=False)
    shape: ClassVar[Shape] = BALANCE_SHAPE
