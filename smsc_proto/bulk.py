"""Bulk sending, sans I/O: messages grouped into ``send`` requests, and what an answer (or
an error) means for the recipients of one.

Recipients of the same text and options go in one request (``phones`` lists them), at most
``max_recipients`` a request; a text of its own is a request of its own. The grouping holds
at most ``max_open`` groups at a time (the oldest is sent when another opens), so millions
of messages plan in flat memory. The journal and the sending loops are the transports'
business (``smsc_bulk``); this module decides, from an outcome, whether recipients were
sent, refused, not sent, or are of unknown fate.

>>> planner = BulkPlanner(max_recipients=2)
>>> [b.phones for b in planner.add(0, BulkMessage("79990000001", "Hi"))]
[]
>>> [b.phones for b in planner.add(1, BulkMessage("79990000002", "Hi"))]
[('79990000001', '79990000002')]
"""

from __future__ import annotations

import enum
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec

from smsc_proto.enums import MessageStatus
from smsc_proto.errors import (
    DecodeError,
    InvalidParameter,
    SmscError,
    SmscProtoError,
    TransportError,
)
from smsc_proto.ops.send import Send, SendResult
from smsc_proto.ops.status import Status, StatusResult

__all__ = [
    "MAX_RECIPIENTS",
    "OPTIONS",
    "Batch",
    "BulkMessage",
    "BulkPlanner",
    "BulkReport",
    "BulkFailure",
    "Outcome",
    "State",
    "check_outcome",
    "send_outcome",
]

# Recipients in one request: the SDK's bound. The API documents none for a POST; a
# thousand numbers make a body of about 13 KB.
MAX_RECIPIENTS = 1000
# Groups of distinct text and options held at once before the oldest is sent.
MAX_OPEN_GROUPS = 10_000
# 2 bad credentials, 3 no money, 4 IP blocked: every request of the account is refused.
_ACCOUNT_ERRORS = frozenset({2, 3, 4})
# 7 an invalid number, 8 a number that cannot be reached: the request is refused whole.
_NUMBER_ERRORS = frozenset({7, 8})
# The parameters a bulk run sets itself: a message's options may not.
_OWN = frozenset({"phones", "mes", "id", "list", "cost", "fmt", "file", "extra"})
# A message's options: the other parameters of `send`, by their API names.
OPTIONS = frozenset(f.encode_name for f in msgspec.structs.fields(Send)) - _OWN


class BulkMessage(msgspec.Struct, frozen=True):
    """One message: ``phone`` (a number, or an e-mail with ``mail=1``), ``text``, and the
    ``send`` parameters of its own (``sender``, ``translit``, ``time``, ``flash``...) by
    their API names, as strings or numbers (a CSV row's other columns)."""

    phone: str
    text: str
    options: Mapping[str, Any] = msgspec.field(default_factory=dict)

    def digest(self) -> int:
        """A checksum of the text and options (not the phone): a journal keeps it with the
        row, to tell when a resumed input is not the one it recorded."""
        options = sorted((str(name), str(value)) for name, value in self.options.items())
        return zlib.crc32(repr((self.text, options)).encode("utf-8", "surrogatepass"))


class Batch(msgspec.Struct, frozen=True):
    """One ``send`` request of a bulk run: ``rows`` (the input positions of its messages)
    to ``phones``, one ``text`` and ``options``. ``number`` and ``message_id`` (the id the
    request gives the message: what ``status`` finds it by) are set by the journal."""

    rows: tuple[int, ...]
    phones: tuple[str, ...]
    text: str
    options: tuple[tuple[str, str], ...]
    number: int = 0
    message_id: str = ""
    digests: tuple[int, ...] = ()  # BulkMessage.digest() of each row

    def send(self) -> Send:
        """The request: ``cost=2`` so that the answer says what it cost."""
        params: dict[str, Any] = {**dict(self.options), "phones": ",".join(self.phones), "mes": self.text}
        params["id"] = self.message_id or None
        params["cost"] = 2
        return Send.from_params(params)  # type: ignore[return-value]

    def statuses(self) -> list[Status]:
        """The questions that tell whether the request reached the service: the status of
        its message to its first and to its last recipient (both found: it did; neither:
        it did not; see ``check_outcome``)."""
        ends = dict.fromkeys((self.phones[0], self.phones[-1]))
        return [Status(phone=phone, id=self.message_id) for phone in ends]


class BulkPlanner:
    """Groups messages into batches (``add``, then ``flush`` at the end of the input).
    Each message is checked as ``send`` would check it: ``add`` raises ``InvalidParameter``
    naming the field, without keeping the message."""

    def __init__(self, max_recipients: int = MAX_RECIPIENTS, max_open: int = MAX_OPEN_GROUPS) -> None:
        if not 1 <= max_recipients <= MAX_RECIPIENTS:
            raise ValueError(f"max_recipients={max_recipients}: must be 1..{MAX_RECIPIENTS}")
        if max_open < 1:
            raise ValueError(f"max_open={max_open}: must be at least 1")
        self.max_recipients = max_recipients
        self.max_open = max_open
        # (text, options) -> (the checked request of its first message, rows, phones,
        # digests), oldest first
        self._open: OrderedDict[_Key, tuple[Send, list[int], list[str], list[int]]] = OrderedDict()
        # The checked requests of recent groups: a text that comes back (texts interleaved
        # in the input) is not checked whole again. As many as groups may be open.
        self._checked: OrderedDict[_Key, Send] = OrderedDict()

    def add(self, row: int, message: BulkMessage) -> list[Batch]:
        """Take the message at input position ``row``; the batches now ready to send."""
        options = _options(message.options)
        key = (message.text, options)
        group = self._open.get(key)
        prototype = group[0] if group is not None else self._checked.get(key)
        if prototype is None:
            # The first of its kind is checked whole; the others only for their number.
            prototype = self._checked[key] = Batch((row,), (message.phone,), message.text, options).send()
            if len(self._checked) > self.max_open:
                self._checked.popitem(last=False)
        else:
            prototype.check_message([message.phone], message.text)
        if group is None:
            group = self._open[key] = (prototype, [], [], [])
        _, rows, phones, digests = group
        rows.append(row)
        phones.append(message.phone)
        digests.append(message.digest())
        ready = []
        if len(phones) >= self.max_recipients:
            ready.append(self._close(key))
        elif len(self._open) > self.max_open:
            ready.append(self._close(next(iter(self._open))))
        return ready

    def flush(self) -> Iterator[Batch]:
        """Every batch still open (the input has ended)."""
        while self._open:
            yield self._close(next(iter(self._open)))

    def _close(self, key: _Key) -> Batch:
        _, rows, phones, digests = self._open.pop(key)
        return Batch(tuple(rows), tuple(phones), key[0], key[1], digests=tuple(digests))


_Key = tuple[str, tuple[tuple[str, str], ...]]


def _options(options: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The options as sorted (name, text) pairs: equal options group together whatever
    their order or type (``1`` and ``"1"``); empty values (a CSV's blank cell) are left out."""
    pairs = []
    for name, value in options.items():
        if name in _OWN:
            raise InvalidParameter("send", name, "<option>", "is set by the bulk run, not by a message")
        if name not in OPTIONS:
            # A spreadsheet's `name` column sent to the API as a parameter, and splitting
            # the requests one per recipient: refused, as the CLI refuses a misspelt one.
            raise InvalidParameter("send", name, "<option>", "is not a parameter of send")
        if value is None or value == "":
            continue
        text = str(int(value)) if isinstance(value, bool) else str(value)
        pairs.append((name, text))
    pairs.sort()
    return tuple(pairs)


class State(enum.Enum):
    """Where a batch stands in the journal."""

    SENDING = "sending"  # recorded before the request left; no answer recorded (yet)
    SENT = "sent"  # the service accepted it
    FAILED = "failed"  # the service refused it (an API error), or it was invalid: final
    NOT_SENT = "not sent"  # it provably never left: sent again by the next run
    UNKNOWN = "unknown"  # it may have reached the service: checked with `status`, else reported


class Outcome(msgspec.Struct, frozen=True):
    """What became of one batch: its ``state`` and, as far as known, the service's message
    id (``sms_id``), SMS parts (``cnt``), ``cost``, error ``code`` and ``reason``."""

    state: State
    sms_id: str | None = None
    cnt: int | None = None
    cost: Decimal | None = None
    code: int | None = None
    reason: str | None = None

    @property
    def halts(self) -> bool:
        """No other batch can go either: the service refused the account (not the batch),
        or the request could not leave (the service, or the login's shared limits, cannot
        be reached, after the client's own retries)."""
        return self.code in _ACCOUNT_ERRORS or (self.state is State.NOT_SENT and self.code is None)

    @property
    def splits(self) -> bool:
        """The service refused the whole request for one of its numbers (nothing sent):
        its recipients go again one by one."""
        return self.state is State.FAILED and self.code in _NUMBER_ERRORS


def send_outcome(result: SendResult | SmscProtoError) -> Outcome:
    """The outcome of a batch's ``send``: its answer, or the error the call raised."""
    if isinstance(result, SendResult):
        sms_id = None if result.id is None else str(result.id)
        return Outcome(State.SENT, sms_id=sms_id, cnt=result.cnt, cost=result.cost)
    if isinstance(result, SmscError):  # the service answered with an API error: not sent
        # Errors of the account (credentials, money, a blocked IP) would refuse every other
        # batch too: not final for these recipients, and the run stops (``Outcome.halts``).
        # 9 is "too many requests at once" (nothing sent) or "the same message within a
        # minute" (sent before): unknown, and `status` tells which.
        if result.code == 9:
            return Outcome(State.UNKNOWN, code=9, reason=result.description)
        state = State.NOT_SENT if result.code in _ACCOUNT_ERRORS else State.FAILED
        return Outcome(state, code=result.code, reason=result.description)
    if isinstance(result, InvalidParameter):
        return Outcome(State.FAILED, reason=str(result))
    if isinstance(result, TransportError) and result.sent is False:
        return Outcome(State.NOT_SENT, reason=result.reason)
    if isinstance(result, TransportError | DecodeError):
        # It may have reached the service (a read timeout; an answer that cannot be read).
        return Outcome(State.UNKNOWN, reason=result.reason)
    return Outcome(State.UNKNOWN, reason=str(result))


def check_outcome(results: Sequence[StatusResult | SmscProtoError]) -> Outcome | None:
    """What ``Batch.statuses`` tell of a batch whose outcome was unknown: SENT (the service
    has its message, to the first and the last recipient), NOT_SENT (to neither: the
    request never arrived), or None (still unknown: a question failed, or the answers
    disagree)."""
    found = set()
    for result in results:
        if not isinstance(result, StatusResult):
            return None
        found.add(result.status != MessageStatus.NOT_FOUND)
    if found == {True}:
        return Outcome(State.SENT, reason="found by status after an unknown outcome")
    if found == {False}:
        return Outcome(State.NOT_SENT, reason="the service has no such message")
    return None


class BulkFailure(msgspec.Struct, frozen=True):
    """Recipients refused for one reason: the API's error ``code`` (None: refused before
    sending, e.g. an invalid number) and its ``reason``."""

    code: int | None
    reason: str
    recipients: int


class BulkReport(msgspec.Struct, frozen=True):
    """The totals of a bulk run's journal (every run of it so far), in recipients:
    ``sent``, ``failed`` (with ``failures`` by reason), ``not_sent`` (they never left: the
    next run sends them), ``unknown`` (they may have been sent; see the journal's
    ``unknown`` list); ``cost`` of what was sent, where the answers said it
    (``cost_unknown``: sent requests whose cost is not known, e.g. found by ``status``);
    ``requests``: ``send`` requests accepted; ``halted``: why the run stopped early."""

    sent: int = 0
    failed: int = 0
    not_sent: int = 0
    unknown: int = 0
    cost: Decimal = Decimal(0)
    cost_unknown: int = 0
    requests: int = 0
    failures: tuple[BulkFailure, ...] = ()
    halted: str | None = None

    @property
    def complete(self) -> bool:
        """Every recipient is sent or refused for good: nothing to send again or check."""
        return self.not_sent == 0 and self.unknown == 0 and self.halted is None
