"""balance.php: the account balance (``balance``). spec/balance.md"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

import msgspec

from smsc_proto.formats.text import Fields, Pattern
from smsc_proto.op import Op
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shapes import Shape

__all__ = ["Balance", "BalanceResult"]


class BalanceResult(msgspec.Struct, frozen=True):
    """``balance`` may be negative when a credit is in use; ``credit`` and ``currency``
    come with ``cur=1`` (``credit`` only when one is set; roubles are ``RUR``)."""

    balance: Decimal
    credit: Decimal | None = None
    currency: str | None = None


def _render_text(record: dict[str, str]) -> str:
    currency = record.get("currency")
    return record["balance"] if currency is None else f"{record['balance']} {currency}"


BALANCE_SHAPE = Shape(
    # fmt=0 and fmt=1 are a bare number (`250.80`); cur=1 adds ` <currency>` in fmt=0.
    text=Pattern(r"(?P<balance>-?\d+(?:[.,]\d+)?)(?:\s+(?P<currency>[A-Za-z]{3}))?", _render_text),  # type: ignore[arg-type]
    csv=Fields(["balance", "credit", "currency"], required=1),
    xml_root=None,
)


class Balance(Op, frozen=True, kw_only=True):
    """The current balance; ``cur=1`` adds the currency (and the credit, if any).

    >>> Balance(cur=1).params()[0]
    ('cur', '1')
    """

    cur: Literal[0, 1] | None = None

    op_id: ClassVar[str] = "balance"
    path: ClassVar[str] = "/sys/balance.php"
    rate_limit: ClassVar[RateLimit | None] = RateLimit(10, identical=False)
    result_type: ClassVar[type] = BalanceResult
    shape: ClassVar[Shape] = BALANCE_SHAPE
