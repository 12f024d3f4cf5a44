"""What ``smsc call`` writes: one result as indented JSON, a list as JSON lines while it
arrives, a file (an export, a PDF) to ``-o FILE`` with a progress bar on a terminal."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import msgspec

import smsc_proto

__all__ = ["print_records", "print_result", "write_file"]


def _plain(value: Any) -> Any:
    """Absent members stay absent: the results' many optional fields would bury the answer."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json(result: Any) -> bytes:
    # PDF bytes would be base64 in JSON: a file op's bytes go to -o FILE instead.
    return msgspec.json.encode(_plain(msgspec.to_builtins(result)))


def print_result(result: Any, out: TextIO) -> None:
    print(msgspec.json.format(_json(result), indent=2).decode("utf-8"), file=out)


def print_records(records: Iterable[Any], out: TextIO) -> int:
    """One JSON line per record, flushed as each arrives; the count."""
    count = 0
    for record in records:
        out.write(_json(record).decode("utf-8") + "\n")
        out.flush()
        count += 1
    return count


def write_file(op: smsc_proto.Op[Any], items: Iterator[Any], path: Path, progress: bool) -> int:
    """A file op's answer to ``path``: CSV rows as a ``;`` CSV file (the rows written), a PDF
    as its bytes (the bytes written)."""
    with progress_bar(progress, path) as bar:
        if _is_csv(op):
            return _write_rows(items, path, bar)
        written = 0
        with path.open("wb") as sink:
            for item in items:
                data = item.pdf if isinstance(item, smsc_proto.DocumentFile) else _json(item)
                sink.write(data)
                written += len(data)
                bar(len(data))
        return written


def _write_rows(rows: Iterator[dict[str, str]], path: Path, bar: Any) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer: csv.DictWriter[str] | None = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(sink, fieldnames=list(row), delimiter=";")
                writer.writeheader()
            writer.writerow(row)
            count += 1
            bar(1)
    return count


def _is_csv(op: smsc_proto.Op[Any]) -> bool:
    from smsc_proto.file_op import CsvFileOp

    return isinstance(op, CsvFileOp)


@contextmanager
def progress_bar(wanted: bool, path: Path, total: int | None = None, unit: str = "") -> Iterator[Any]:
    """A progress bar (tqdm, the ``cli`` extra) on a terminal; nothing otherwise."""
    if wanted and sys.stderr.isatty():
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            with tqdm(desc=path.name, total=total, unit=unit, file=sys.stderr) as bar:
                yield bar.update
            return
    yield lambda _count: None
