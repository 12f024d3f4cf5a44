"""Floors for decoding a 10,000-record jobs.get_all answer, one per fmt: the fastest plain code
that yields the same typed data. msgspec (fmt=3), lxml (fmt=2) or str.split (fmt=0/1) into a
Struct, dates parsed with datetime.fromisoformat on rearranged text, money as Decimal.

This is the project's reference floor (shared/bench/floors.py of the specification), kept
here with types so that a fresh clone can run the benchmark. ``bench_decode.py`` measures the
codec against it in the same process.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable

import msgspec
from lxml import etree

__all__ = ["FIELDS_TEXT", "FLOORS", "N", "Job", "bodies"]

N = 10_000
# fmt=0 '|' and fmt=1 ';' order
FIELDS_TEXT = (
    "id",
    "name",
    "changed",
    "need_date",
    "last_sent",
    "phones",
    "message",
    "phones_cnt",
    "cost",
    "status",
    "sender_id",
    "format",
)
RECORD = {
    "id": 0,
    "name": "Promo",
    "changed": "01.02.2024 10:00:00",
    "need_date": "05.02.2024 12:00:00",
    "last_sent": "06.02.2024 12:00:05",
    "phones": "79991234567,79991234568",
    "message": "Hello, world!",
    "phones_cnt": 2,
    "cost": "4.50",
    "status": 0,
    "sender_id": "SMSC",
    "format": 0,
    "sms_sent": 2,
    "sms_ok": 2,
}


def bodies(n: int = N) -> dict[int, bytes]:
    items = [dict(RECORD, id=i) for i in range(n)]
    xml = (
        "<sms_jobs>"
        + "".join("<job>" + "".join(f"<{k}>{v}</{k}>" for k, v in r.items()) + "</job>" for r in items)
        + "</sms_jobs>"
    )
    return {
        3: json.dumps(items).encode(),
        2: xml.encode(),
        1: "\n".join(";".join(str(r[k]) for k in FIELDS_TEXT) for r in items).encode(),
        0: "\n".join("|".join(str(r[k]) for k in FIELDS_TEXT) for r in items).encode(),
    }


class Job(msgspec.Struct):
    id: int
    name: str
    changed: str
    need_date: str
    last_sent: str
    phones: str
    message: str
    phones_cnt: int
    cost: decimal.Decimal
    status: int
    sender_id: str
    format: int
    sms_sent: int = 0
    sms_ok: int = 0


Typed = tuple[Job, dt.datetime | None, dt.datetime | None, dt.datetime | None]
_iso = dt.datetime.fromisoformat


def _date(s: str) -> dt.datetime | None:  # dd.mm.yyyy hh:mm:ss
    return _iso(f"{s[6:10]}-{s[3:5]}-{s[0:2]}T{s[11:]}") if s else None


def _typed(j: Job) -> Typed:
    return (j, _date(j.changed), _date(j.need_date), _date(j.last_sent))


_JSON = msgspec.json.Decoder(list[Job])


def floor_fmt3(body: bytes) -> list[Typed]:
    return [_typed(j) for j in _JSON.decode(body)]


def floor_fmt2(body: bytes) -> list[Typed]:
    out = []
    for el in etree.fromstring(body):
        x = {c.tag: (c.text or "") for c in el}
        job = Job(
            int(x["id"]),
            x["name"],
            x["changed"],
            x["need_date"],
            x["last_sent"],
            x["phones"],
            x["message"],
            int(x["phones_cnt"]),
            decimal.Decimal(x["cost"]),
            int(x["status"]),
            x["sender_id"],
            int(x["format"]),
        )
        out.append(_typed(job))
    return out


def floor_text(sep: str) -> Callable[[bytes], list[Typed]]:
    def decode(body: bytes) -> list[Typed]:
        out = []
        for line in body.decode().splitlines():
            p = line.split(sep)  # the message may hold the separator: split from both ends
            job = Job(
                int(p[0]),
                p[1],
                p[2],
                p[3],
                p[4],
                p[5],
                sep.join(p[6:-5]),
                int(p[-5]),
                decimal.Decimal(p[-4]),
                int(p[-3]),
                p[-2],
                int(p[-1]),
            )
            out.append(_typed(job))
        return out

    return decode


FLOORS: dict[int, Callable[[bytes], list[Typed]]] = {
    3: floor_fmt3,
    2: floor_fmt2,
    1: floor_text(";"),
    0: floor_text("|"),
}
