"""Bulk sending that resumes without sending twice: ``send_bulk`` (a sync client),
``send_bulk_async`` (an async client), their journal (one SQLite file), and messages read
from a CSV file (``read_csv``).

    from smsc_bulk import read_csv, send_bulk

    with Client(Credentials.from_env()) as client:
        report = send_bulk(client, read_csv("recipients.csv"), "recipients.journal")
    print(report.sent, report.failed, report.unknown, report.cost)
"""

from smsc_bulk.csv_input import read_csv
from smsc_bulk.journal import Journal, JournalInUse, JournalMismatch
from smsc_bulk.run import send_bulk
from smsc_bulk.run_async import send_bulk_async
from smsc_proto.bulk import BulkFailure, BulkMessage, BulkReport

__all__ = [
    "BulkFailure",
    "BulkMessage",
    "BulkReport",
    "Journal",
    "JournalInUse",
    "JournalMismatch",
    "read_csv",
    "send_bulk",
    "send_bulk_async",
]
