"""``smsc send-bulk FILE``: a CSV file of recipients sent through ``smsc_bulk.send_bulk``,
resumable from its journal, with a progress bar on a terminal."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any, TextIO

from smsc_cli.output import print_result, progress_bar
from smsc_cli.params import UsageError

__all__ = ["EXIT_INCOMPLETE", "add_parser", "send_bulk_command"]

# Some recipients failed, were not sent (run again), or are of unknown fate.
EXIT_INCOMPLETE = 3


def add_parser(sub: Any) -> None:
    bulk = sub.add_parser(
        "send-bulk",
        help="send to every recipient of a CSV file; run it again to resume (exit 3: not all sent)",
        description="Columns: phone, text (unless --text), and any send option by its API name "
        "(sender, translit, time...). Every request is recorded in the journal before it is sent: "
        "after a crash, the same command resumes without sending anyone twice.",
    )
    bulk.add_argument("file", help="a CSV file with a header (',' or ';' between fields)")
    bulk.add_argument("--journal", metavar="PATH", help="the journal (SQLite; default FILE.journal)")
    bulk.add_argument("--text", help="the text of every message (the file then needs no text column)")
    bulk.add_argument("--concurrency", type=int, default=4, help="requests at a time (1..14, default 4)")
    bulk.add_argument(
        "--max-recipients", type=int, default=1000, help="recipients in one request (default 1000)"
    )
    bulk.add_argument(
        "--settle",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long after an unanswered request its status is believed (default 30)",
    )
    bulk.add_argument("--unknown", metavar="PATH", help="write the recipients of unknown fate here (CSV)")
    bulk.add_argument("--host", action="append", metavar="URL", help="base URL (repeatable; default smsc.ru)")
    bulk.add_argument("--timeout", type=float, metavar="SECONDS", help="the most one request may take")


def send_bulk_command(args: argparse.Namespace, client: Any, out: TextIO) -> int:
    """Run it; the report as JSON on ``out``, a summary on stderr."""
    from smsc_bulk import read_csv, send_bulk

    path = Path(args.file)
    journal = Path(args.journal) if args.journal else path.with_name(path.name + ".journal")
    try:
        with open(path, "rb") as file:
            total = max(sum(1 for _ in file) - 1, 0)
        with progress_bar(True, path, total, "recipients") as bar:
            report = send_bulk(
                client,
                read_csv(path, text=args.text),
                journal,
                concurrency=args.concurrency,
                max_recipients=args.max_recipients,
                settle=args.settle,
                progress=bar,
            )
    except (OSError, ValueError) as exc:  # a missing file, a bad column, a journal in use or not this file's
        raise UsageError(str(exc)) from None
    print_result(report, out)
    failed = ", ".join(f"{f.recipients} ({f.reason})" for f in report.failures[:5])
    print(
        f"smsc: sent {report.sent}, failed {report.failed}{f': {failed}' if failed else ''}, "
        f"not sent {report.not_sent}, unknown {report.unknown}, cost {report.cost}",
        file=sys.stderr,
    )
    if report.halted:
        print(f"smsc: halted: {report.halted}; run the same command again to go on", file=sys.stderr)
    elif report.not_sent:
        print("smsc: some requests never left: run the same command again to send them", file=sys.stderr)
    if report.unknown and args.unknown:
        _write_unknown(journal, Path(args.unknown))
        print(f"smsc: the recipients of unknown fate are in {args.unknown}", file=sys.stderr)
    return 0 if report.complete and not report.failed else EXIT_INCOMPLETE


def _write_unknown(journal: Path, path: Path) -> None:
    from smsc_bulk import Journal

    with Journal(journal) as log, open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["row", "phone"])
        writer.writerows(log.unknown())
