"""A stateful sandbox: answers any valid request of every op as the service would, so that
users can run their code and their own tests with no network.

``Sandbox.answer(path, form)`` is the whole engine (plain data in, an ``HttpResponse`` out);
``Emulator(sandbox=Sandbox())`` serves it on 127.0.0.1, ``smsc sandbox`` from a shell, and
the ``smsc_sandbox`` pytest fixture (``pytest_plugin.py``) in a test suite.

The request is read as the service reads it: the op by its path and command flag, the
parameters by the op's own class (a bad one is error 1, in the asked fmt), the credentials
checked when the sandbox was given some (error 2). Then:

* ``send`` gives ids, prices by parts (``PRICE`` a part, 160 GSM or 70 Unicode characters,
  153/67 once a text is split) for each recipient and debits the balance; a number that is
  not 10-15 digits is error 7 (with the message's id), not enough money error 3, the same
  message to the same numbers within a minute error 9;
* ``status`` moves from waiting (-1) to delivered (1) ``deliver_after`` seconds after the
  send; an unknown message is status -3 ("not found"), as the service answers;
* mailing lists, contacts, templates and sender names keep their records (unknown ids are
  the op's "not found" error); ``downloads`` lists one export of the messages sent, as a
  CSV file; ``documents`` makes an invoice (multipart, a PDF in it) and serves its PDF;
* any other op gets the smallest valid answer of its result type (a list: one record).

Answers are rendered by the ops themselves (``op.render``), so they are the shapes the
codec reads; ``fmt`` is honoured.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import time
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec

import smsc_proto
from smsc_proto.formats.envelope import ApiError, render_error
from smsc_proto.op import CONTENT_TYPES, OkResult

__all__ = ["PRICE", "Sandbox", "SentMessage"]

PRICE = Decimal("1.40")  # one SMS part, roubles
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)
_CREDENTIALS = frozenset({"login", "psw", "apikey"})
_FILE_PART = re.compile(r"<file [^<>]*>")
# A number the sandbox delivers to: 10 to 15 digits (an e-mail with mail=1).
_NUMBER = re.compile(r"\+?[0-9]{10,15}|[^@\s]+@[^@\s]+")
_NOT_PARAMS = frozenset({"fmt", "charset"})
_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class _NotFound(Exception):
    """No such record: answered with the op's own "not found" code (3 where it has none)."""


class _Refused(Exception):
    def __init__(self, code: int, description: str, message_id: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.message_id = message_id


@dataclass
class SentMessage:
    """A message the sandbox sent, to one phone."""

    id: int | str
    phone: str
    text: str
    parts: int
    cost: Decimal
    sent_at: float
    sender: str | None = None


@dataclass
class _Store:
    """The records of one kind (jobs, contacts, templates, sender names) by id."""

    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, record: dict[str, Any]) -> int:
        new = next(self.ids)
        self.records[new] = {**record, "id": new}
        return new

    def get(self, record_id: int | None) -> dict[str, Any]:
        if record_id is None or record_id not in self.records:
            raise _NotFound
        return self.records[record_id]


def parts_of(text: str) -> int:
    """SMS parts of ``text``: 160 GSM or 70 Unicode characters in one, 153 or 67 a part beyond."""
    gsm = all(ch in _GSM for ch in text)
    one, each = (160, 153) if gsm else (70, 67)
    return 1 if len(text) <= one else -(-len(text) // each)


class Sandbox:
    """The sandbox's state and its answers. Thread-safe.

    >>> sandbox = Sandbox(balance=Decimal("10.00"))
    >>> sandbox.answer("/sys/balance.php", {"login": "me", "psw": "x", "fmt": "0"}).body
    b'10.00'
    """

    def __init__(
        self,
        *,
        balance: Decimal = Decimal("1000.00"),
        deliver_after: float = 1.0,
        credentials: smsc_proto.Credentials | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.balance = balance
        self.deliver_after = deliver_after
        self._credentials = None if credentials is None else dict(credentials.form_fields())
        self._clock = clock
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1)
        self.messages: list[SentMessage] = []
        self._sent: dict[tuple[str, str], SentMessage] = {}  # (id, phone) -> the message
        self._recent: dict[tuple[str, str], float] = {}  # (phones, text) -> when sent
        self.jobs = _Store()
        self.contacts = _Store()
        self.templates = _Store()
        self.senders = _Store()
        self.invoices = _Store()

    # -- reading the request -------------------------------------------------------------

    def answer(self, path: str, form: Mapping[str, str]) -> smsc_proto.HttpResponse:
        """The answer to a POST of ``form`` to ``path``."""
        fmt = int(form["fmt"]) if form.get("fmt") in ("0", "1", "2", "3") else 0
        cls = self._op_class(path, form)
        if cls is None:
            return smsc_proto.HttpResponse(404, {"Content-Type": "text/html"}, b"<html>404 Not Found</html>")
        if not self._authorised(form):
            return _error(fmt, 2, "authorise error")
        flag = None if cls.command is None or _takes(cls, cls.command, form) else cls.command
        # Uploaded files reach the sandbox as `<file NAME>` (the emulator reads the form
        # only): the records keep no files, so they are left out.
        params = {
            k: v
            for k, v in form.items()
            if k not in _CREDENTIALS | _NOT_PARAMS and k != flag and not _FILE_PART.fullmatch(v)
        }
        if cls.command == "cost":  # send.cost is send.php with cost=1
            params.pop("cost", None)
        try:
            op = cls.from_params(params, fmt)
        except smsc_proto.InvalidParameter as exc:
            return _error(fmt, 1, f"parameters error: {exc.reason}")
        try:
            with self._lock:
                result = self._result(op)
        except _NotFound:
            code = next((c for c, (cls, _) in op.errors.items() if cls is smsc_proto.NotFoundError), 3)
            if code in op.empty_codes:
                return op.render(typing.cast(Any, []), fmt)
            return _error(fmt, code, "record not found")
        except _Refused as refused:
            if refused.code in op.empty_codes:
                return op.render(typing.cast(Any, []), fmt)
            return _error(fmt, refused.code, refused.description, refused.message_id)
        if isinstance(result, smsc_proto.HttpResponse):
            return result
        return op.render(result, fmt)

    def _op_class(self, path: str, form: Mapping[str, str]) -> type[smsc_proto.Op[Any]] | None:
        found: type[smsc_proto.Op[Any]] | None = None
        for cls in smsc_proto.OPS.values():
            if cls.path != path:
                continue
            # The command flag is `1`, or any value where it is also a field (move_group=2).
            if cls.command is not None and (form.get(cls.command) == "1" or _takes(cls, cls.command, form)):
                return cls
            if cls.command is None:
                found = cls
        return found

    def _authorised(self, form: Mapping[str, str]) -> bool:
        given = {k: v for k, v in form.items() if k in _CREDENTIALS}
        if self._credentials is not None:
            return given == self._credentials
        return bool(given.get("apikey")) or bool(given.get("login") and given.get("psw"))

    # -- the answers -----------------------------------------------------------------------

    def _result(self, op: smsc_proto.Op[Any]) -> Any:
        handler = _HANDLERS.get(type(op).__name__)
        return handler(self, op) if handler is not None else _smallest(op.result_type, self._clock())

    def _send(self, op: Any, *, cost_only: bool = False) -> Any:
        phones = list(op.phones or [])
        text = op.mes or ""
        parts = parts_of(text)
        cost = PRICE * parts * len(phones)
        if cost_only:
            return smsc_proto.SendCostResult(cost=cost, cnt=parts * len(phones))
        now = self._clock()
        if any(not _NUMBER.fullmatch(p) for p in phones if not p.startswith("G")):
            # Error 7 carries the id the message would have had, as the service's does.
            raise _Refused(7, "invalid number", op.id if isinstance(op.id, int) else next(self._message_ids))
        key = (",".join(phones), text)
        if now - self._recent.get(key, -1e9) < 60:
            raise _Refused(9, "duplicate request, wait a minute")
        if cost > self.balance:
            raise _Refused(3, "no money")
        self._recent[key] = now
        self.balance -= cost
        # The client's own id (a number, or up to 40 letters, digits, '.', '-', '_'), if given.
        message_id = op.id if op.id is not None else next(self._message_ids)
        for phone in phones:
            sent = SentMessage(message_id, phone, text, parts, PRICE * parts, now, op.sender)
            self.messages.append(sent)
            self._sent.setdefault((str(message_id), phone), sent)
        extra: dict[str, Any] = {}
        if op.cost in (2, 3):
            extra["cost"] = cost
        if op.cost == 3:
            extra["balance"] = self.balance
        return smsc_proto.SendResult(cnt=parts * len(phones), id=message_id, **extra)

    def _status_of(self, message_id: int | str, phone: str, with_id: bool) -> smsc_proto.StatusResult:
        sent = self._sent.get((str(message_id), phone))
        ident = message_id if with_id else None
        if sent is None:
            return smsc_proto.StatusResult(status=smsc_proto.MessageStatus.NOT_FOUND, id=ident)
        delivered = self._clock() - sent.sent_at >= self.deliver_after
        when = sent.sent_at + (self.deliver_after if delivered else 0)
        return smsc_proto.StatusResult(
            status=smsc_proto.MessageStatus.DELIVERED if delivered else smsc_proto.MessageStatus.WAITING,
            last_date=_local(when),
            last_timestamp=int(when),
            id=ident,
        )

    def _status(self, op: Any) -> Any:
        return self._status_of(op.id, op.phone, with_id=False)

    def _status_batch(self, op: Any) -> Any:
        phones = op.phone if len(op.phone) == len(op.id) else [op.phone[0]] * len(op.id)
        return [self._status_of(i, p, with_id=True) for i, p in zip(op.id, phones, strict=True)]

    def _balance(self, op: Any) -> Any:
        return smsc_proto.BalanceResult(balance=self.balance, currency="RUR" if op.cur == 1 else None)

    def _csv_export(self, op: Any) -> Any:
        if op.id not in (None, 1) or op.name not in (None, "export-1.csv"):
            raise _NotFound
        if not self.messages:  # a header alone (render writes rows)
            return smsc_proto.HttpResponse(200, {"Content-Type": "text/csv; charset=utf-8"}, _EXPORT_HEADER)
        return [
            {"id": str(m.id), "phone": m.phone, "message": m.text, "parts": str(m.parts), "cost": str(m.cost)}
            for m in self.messages
        ]

    def _tasks(self, op: Any) -> Any:
        now = _local(self._clock())
        task = smsc_proto.Task(
            id=1,
            name="messages",
            status=smsc_proto.TaskStatus.COMPLETED,
            created=now,
            time=now,
            file="export-1.csv",
        )
        return [task] if (op.after_id or 0) < 1 else []

    def _invoice(self, op: Any) -> Any:
        new = self.invoices.add({"sum": op.sum})
        return smsc_proto.InvoiceResult(id=new, sum=op.sum, pdf=_PDF, filename=f"invoice-{new}.pdf")

    def _invoice_pdf(self, op: Any) -> Any:
        self.invoices.get(op.id)
        return smsc_proto.DocumentFile(pdf=_PDF, filename=f"invoice-{op.id}.pdf")

    def _job_add(self, op: Any) -> Any:
        phones = list(op.phones or [])
        cost = PRICE * parts_of(op.mes or "") * len(phones)
        new = self.jobs.add({"name": op.name, "message": op.mes, "phones_cnt": len(phones), "cost": cost})
        return smsc_proto.JobCreated(id=new, cost=cost)

    def _job(self, op: Any) -> Any:
        record = self.jobs.get(op.id)
        return smsc_proto.Job(id=record["id"], name=record["name"], message=record["message"])

    def _jobs(self, op: Any) -> Any:
        return [
            smsc_proto.JobSummary(
                id=r["id"], name=r["name"], message=r["message"], phones_cnt=r["phones_cnt"], cost=r["cost"]
            )
            for r in self.jobs.records.values()
        ]

    def _contact_add(self, op: Any) -> Any:
        return smsc_proto.ContactCreated(
            id=self.contacts.add({"phone": ",".join(op.phone or []), "name": op.name})
        )

    def _contacts(self, op: Any) -> Any:
        return [
            smsc_proto.Contact(id=r["id"], phone=r["phone"], name=r["name"])
            for r in self.contacts.records.values()
        ]

    def _contact_del(self, op: Any) -> Any:
        phones = set(op.phone or [])
        gone = [i for i, r in self.contacts.records.items() if set(r["phone"].split(",")) & phones]
        if not gone:
            raise _NotFound
        for record_id in gone:
            del self.contacts.records[record_id]
        return OkResult(result="OK")

    def _template_add(self, op: Any) -> Any:
        return smsc_proto.TemplateCreated(id=self.templates.add({"name": op.name, "message": op.msg}))

    def _template_chg(self, op: Any) -> Any:
        record = self.templates.get(op.id)
        record.update({k: v for k, v in (("name", op.name), ("message", op.msg)) if v is not None})
        return OkResult(result="OK")

    def _templates(self, op: Any) -> Any:
        return [
            smsc_proto.Template(id=r["id"], name=r["name"], message=r["message"])
            for r in self.templates.records.values()
        ]

    def _sender_add(self, op: Any) -> Any:
        return smsc_proto.SenderCreated(id=self.senders.add({"sender": op.sender or op.mail}))

    def _senders(self, op: Any) -> Any:
        return [smsc_proto.SenderName(id=r["id"], sender=r["sender"]) for r in self.senders.records.values()]

    def _sender_del(self, op: Any) -> Any:
        found = [i for i, r in self.senders.records.items() if i == op.id or r["sender"] == op.sender]
        if not found:
            raise _NotFound
        del self.senders.records[found[0]]
        return OkResult(result="OK")


def _drop(store: str) -> Callable[[Sandbox, Any], Any]:
    def handler(sandbox: Sandbox, op: Any) -> Any:
        records: _Store = getattr(sandbox, store)
        records.get(op.id)
        del records.records[op.id]
        return OkResult(result="OK")

    return handler


_EXPORT_HEADER = b"id;phone;message;parts;cost\r\n"

_HANDLERS: dict[str, Callable[[Sandbox, Any], Any]] = {
    "Send": Sandbox._send,
    "SendRest": Sandbox._send,
    "SendCost": lambda sandbox, op: sandbox._send(op, cost_only=True),
    "Status": Sandbox._status,
    "StatusBatch": Sandbox._status_batch,
    "Balance": Sandbox._balance,
    "DownloadsGetList": Sandbox._tasks,
    "DownloadsGetFile": Sandbox._csv_export,
    "DocumentsAddAccount": Sandbox._invoice,
    "DocumentsGetAccount": Sandbox._invoice_pdf,
    "DocumentsGetAct": Sandbox._invoice_pdf,
    # A tiny base of ported numbers (the real one is millions of lines).
    "GetMnp": lambda sandbox, op: [
        {"number": "79161234567", "mccmnc": "25001"},
        {"number": "79031234567", "mccmnc": "25099"},
    ],
    "WaitCall": lambda sandbox, op: smsc_proto.WaitCallNumber(
        phone="74950000001", all_phones=["74950000001"]
    ),
    "JobsAdd": Sandbox._job_add,
    "JobsGet": Sandbox._job,
    "JobsGetAll": Sandbox._jobs,
    "JobsDel": _drop("jobs"),
    "JobsCancel": lambda sandbox, op: (sandbox.jobs.get(op.id), OkResult(result="OK"))[1],
    "PhonesAdd": Sandbox._contact_add,
    "PhonesGet": Sandbox._contacts,
    "PhonesDel": Sandbox._contact_del,
    "TemplatesAdd": Sandbox._template_add,
    "TemplatesGet": Sandbox._templates,
    "TemplatesChg": Sandbox._template_chg,
    "TemplatesDel": _drop("templates"),
    "SendersAdd": Sandbox._sender_add,
    "SendersGet": Sandbox._senders,
    "SendersDel": Sandbox._sender_del,
}


def _takes(cls: type[smsc_proto.Op[Any]], name: str, form: Mapping[str, str]) -> bool:
    """Whether ``name`` is given and is a field of ``cls`` (not only its command flag)."""
    return name in form and any(f.encode_name == name for f in msgspec.structs.fields(cls))


def _local(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp).replace(microsecond=0)


def _error(fmt: int, code: int, description: str, message_id: int | None = None) -> smsc_proto.HttpResponse:
    body = render_error(fmt, ApiError(code, description, message_id))
    return smsc_proto.HttpResponse(200, {"Content-Type": CONTENT_TYPES[fmt]}, body.encode("utf-8"))


def _smallest(result_type: Any, now: float) -> Any:
    """The smallest valid answer of a result type: a record with its required fields
    filled (a list holds one: some lists have no empty form)."""
    if typing.get_origin(result_type) is list:
        return [_smallest(typing.get_args(result_type)[0], now)]
    if result_type is OkResult:
        return OkResult(result="OK")
    values: dict[str, Any] = {}
    for f in msgspec.structs.fields(result_type):
        if f.required:
            values[f.name] = _smallest_value(f.type, now)
    return result_type(**values)


def _smallest_value(tp: Any, now: float) -> Any:
    kinds = [k for k in typing.get_args(tp) if k is not type(None)] or [tp]
    if typing.get_origin(tp) is typing.Annotated:
        return _smallest_value(typing.get_args(tp)[0], now)
    kind = kinds[0]
    if typing.get_origin(kind) is typing.Literal:
        return typing.get_args(kind)[0]
    if kind is int:
        return 1
    if kind is str:
        return "1"  # digits pass every layout: a number, a name, an id
    if kind is Decimal:
        return Decimal("0.00")
    if kind is bytes:
        return _PDF
    if kind is dt.datetime:
        return _local(now)
    if kind is dt.date:
        return _local(now).date()
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return _smallest(kind, now)
    if isinstance(kind, type) and issubclass(kind, int):  # an enum
        return kind(next(iter(kind)))  # type: ignore[call-overload]
    return kind()
