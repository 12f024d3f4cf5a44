"""ping.php: trigger an event notification of a task group (``ping``). spec/ping.md"""

from __future__ import annotations

from typing import ClassVar

from smsc_proto.errors import NotFoundError
from smsc_proto.op import ErrorTable, Flag, OkResult, Op
from smsc_proto.ops._checks import check_id
from smsc_proto.ratelimit import RateLimit

__all__ = ["Ping"]


class Ping(Op[OkResult], frozen=True, kw_only=True):
    """Send the notification of task group ``id``: its failure template, or with ``ok=1``
    its recovery template. ``name``, ``host`` and ``info`` fill the ``{NAME}``, ``{HOST}``
    and ``{INFO}`` macros.

    >>> Ping(id=7, name="db1", host="10.0.0.5", info="disk full").params()[:2]
    [('id', '7'), ('name', 'db1')]
    """

    id: int
    name: str | None = None
    host: str | None = None
    info: str | None = None
    ok: Flag | None = None

    op_id: ClassVar[str] = "ping"
    path: ClassVar[str] = "/sys/ping.php"
    errors: ClassVar[ErrorTable] = {3: (NotFoundError, "task group not found")}
    # Each call sends notifications: never repeated once it may have arrived.
    idempotent: ClassVar[bool] = False
    rate_limit: ClassVar[RateLimit | None] = RateLimit(5)
    # `{INFO}` may be several lines (a check's output); `name` and `host` are one-liners.
    line_breaks: ClassVar[frozenset[str]] = frozenset({"info"})

    def validate(self) -> None:
        check_id(self, "id", self.id)
