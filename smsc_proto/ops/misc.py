"""wait_call.php and get_mnp.php: a number confirmed by a call (``wait_call``) and the base of
ported numbers (``get_mnp``), the two endpoints common.md lists as "seen in client code".

wait_call (page ``/api/http/miscellaneous/waitcall/``, "Confirm a phone number by a call"):
the request is the credentials and ``phone``, the subscriber's number from which the
confirmation call will be made [doc, stored smscentre.com page]. Errors are the standard
envelope; the page's table starts with 1 (parameters) and 2 (login or password), the rest
of it is cut off in the stored copy. Client code adds 3 = not enough money, 4 = IP blocked,
5 = bad phone number and 6 = too many attempts for the number today (the last two a
client's guess, unconfirmed), 9 = too many concurrent requests. The fmt=3 answer, from
public clients that call the live service [code]: an object with ``phone`` (the number the
subscriber must call) and ``all_phones`` (a JSON array of the numbers that may be used).
Inferred, unconfirmed: fmt=0 ``phone = <phone>, all_phones = <p1>,<p2>``, fmt=1
``<phone>,<p1>,<p2>...``, fmt=2 ``<result><phone>..</phone><all_phones>..</all_phones>
</result>`` with the list comma-joined or one element per number (the latter read up to
the XML room: about 1,600 numbers once a body passes 64 KiB). Each call opens a new (paid)
confirmation request: never repeated once it may have left. No documented limit.

get_mnp: a download of the MNP base (numbers ported between operators) [code: node-smsc
forces fmt=3 and streams the raw body when no ``date`` is given; yii2-def-code loads it as
CSV: ``;``-separated, ``"``-quoted, one header line, a number and its network as
``mcc`` (3 digits) + ``mnc`` (``"79161234567";"25001"``)]. The header's own names were never
seen: rows are keyed by whatever the file's header says. With ``date=dd.mm.yyyy`` the
service answers that day's changes, whose layout is known only from a client's regex (an
11-digit number, a 3-digit mcc, a 1-4 digit mnc per line); node-smsc reads that answer
whole, not as a stream (JSON under its forced fmt=3, so it seems). That form is left out of
``GetMnp``: ``extra={"date": ...}`` is sent as given, but its answer is decoded as the CSV
file (a JSON answer is a ``DecodeError``; a CSV one without a header would lose its first
line to the header). No documented limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import msgspec

from smsc_proto.errors import InsufficientFundsError, ParameterError, RateLimitedError
from smsc_proto.file_op import CsvFileOp
from smsc_proto.formats.text import Pairs, Pattern
from smsc_proto.op import ErrorTable, Op
from smsc_proto.ops._checks import check_not_empty, check_phones
from smsc_proto.shape import Shape

__all__ = ["GetMnp", "WaitCall", "WaitCallNumber"]


class WaitCallNumber(msgspec.Struct, frozen=True, kw_only=True):
    """Where the subscriber must call: ``phone``, and ``all_phones``, every number that may be
    used (empty when the answer lists none). The list is read however it comes: a JSON
    array, one string, comma-joined text or one XML element per number."""

    phone: str
    all_phones: list[str] = msgspec.field(default_factory=list)


def _render_number_line(record: Mapping[str, str]) -> str:
    # all_phones comes comma-joined (records.wire_value writes a list so).
    phones = record.get("all_phones")
    return f"{record['phone']},{phones}" if phones else record["phone"]


# fmt=1 (inferred): the number to call, then the list. The first value must be a number, so
# that a proxy's text is not taken for one; the list is the rest of the line, comma-joined.
_NUMBER_LINE = Pattern(r"(?P<phone>\+?[0-9]+)(?:,(?P<all_phones>.*))?", _render_number_line)

WAIT_CALL_SHAPE = Shape(text=Pairs(["phone", "all_phones"], required=("phone",)), csv=_NUMBER_LINE)

WAIT_CALL_ERRORS: ErrorTable = {
    3: (InsufficientFundsError, "not enough money on the account"),
    5: (ParameterError, "bad phone number (a client's guess, unconfirmed)"),
    6: (RateLimitedError, "too many attempts for the number today (a client's guess, unconfirmed)"),
}


class WaitCall(Op[WaitCallNumber], frozen=True, kw_only=True):
    """Confirm the number ``phone`` by a call from it: the answer names the number the
    subscriber must call.

    >>> WaitCall(phone="79991234567").params()[:2]
    [('phone', '79991234567'), ('fmt', '3')]

    Each call opens a new paid confirmation request, so it is not repeated once it may have
    reached the server. Not enough money: ``InsufficientFundsError`` (code 3).
    """

    phone: str

    op_id: ClassVar[str] = "wait_call"
    path: ClassVar[str] = "/sys/wait_call.php"
    command: ClassVar[str | None] = None
    shape: ClassVar[Shape] = WAIT_CALL_SHAPE
    errors: ClassVar[ErrorTable] = WAIT_CALL_ERRORS
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        check_not_empty(self, "phone", self.phone)
        check_phones(self, "phone", [self.phone])


class GetMnp(CsvFileOp, frozen=True, kw_only=True):
    """The base of ported numbers, a CSV file: each row a ``CsvRow`` keyed by the file's
    header (as yii2-def-code reads it: a number and its network, mcc + mnc, ``25001``).

    >>> GetMnp().params()
    [('fmt', '3'), ('charset', 'utf-8')]

    The file is large: stream it::

        for row in client.stream(GetMnp()):
            ...

    The day's changes (``date=dd.mm.yyyy``) are another answer, not modelled (module doc).
    """

    op_id: ClassVar[str] = "get_mnp"
    path: ClassVar[str] = "/sys/get_mnp.php"
    command: ClassVar[str | None] = None
