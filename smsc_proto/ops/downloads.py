"""downloads.php: deferred tasks (``downloads.get_list``) and their CSV files
(``downloads.get_file``). spec/downloads.md

Exporting a large package of sent messages runs as a deferred task; once its status is
``COMPLETED`` its CSV file can be fetched. The file streams: ``client.stream(op)`` yields
its rows as the body arrives (``formats/csvfile.py``); ``op.decode(response)`` gives them
all at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeVar

import msgspec

from smsc_proto.enums import OpenIntEnum
from smsc_proto.errors import NotFoundError
from smsc_proto.file_op import CsvFileOp
from smsc_proto.formats.csvfile import CsvRow
from smsc_proto.formats.text import Either, Fields, Pairs, Pattern
from smsc_proto.op import ErrorTable, Op
from smsc_proto.ops._checks import MAX_MESSAGE_ID, check_id, check_one_of, check_range
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shape import Shape

__all__ = ["CsvRow", "DownloadsGetFile", "DownloadsGetList", "Task", "TaskStatus"]

R = TypeVar("R")

DOWNLOADS_ERRORS: ErrorTable = {
    5: (NotFoundError, "deferred task or download file not found"),
}


class TaskStatus(OpenIntEnum):
    """Where a deferred task is; its file can be fetched once ``COMPLETED``."""

    PENDING = 0
    IN_PROGRESS = 1
    COMPLETED = 2
    CANCELLED = 3
    FAILED = 4  # "execution error"


class Task(msgspec.Struct, frozen=True):
    """One deferred task. ``created``: when it was made; ``time``: when it started;
    ``file``: its file name, usable as ``DownloadsGetFile(name=...)``."""

    id: int
    name: str | None = None
    status: TaskStatus | None = None
    created: dt.datetime | None = None
    time: dt.datetime | None = None
    file: str | None = None


class _DownloadsOp(Op[R], frozen=True, kw_only=True):
    path: ClassVar[str] = "/sys/downloads.php"
    errors: ClassVar[ErrorTable] = DOWNLOADS_ERRORS
    # More than three identical list or download requests per minute: error 9.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(3)


_TASK_FIELDS = ["id", "name", "status", "created", "time", "file"]
_DATE = r"\d{1,2}\.\d{1,2}\.\d{2,4}(?: \d{1,2}:\d{2}(?::\d{2})?)?"
# Free text of a record: anything but control characters (which no record carries).
_TEXT = r"[^\x00-\x1f\x7f-\x9f]"


def _render_csv_task(record: Any) -> str:
    return ",".join(record.get(name, "") for name in _TASK_FIELDS)


LIST_SHAPE = Shape(
    text=Pairs(_TASK_FIELDS, required=("id",)),
    # `name` and `file` may both hold commas: anchor on the status and the two dates
    # between them; failing that (dates in another form), `name` takes the extra commas.
    csv=Either(
        Pattern(
            # The lookahead checks the whole line once, so that `file` cannot fail late
            # for each comma `name` might end at (linear time).
            rf"(?={_TEXT}*+\Z)(?P<id>\d++),(?P<name>.*?),(?P<status>-?\d++),"
            rf"(?P<created>{_DATE}|),(?P<time>{_DATE}|),(?P<file>.*)",
            _render_csv_task,
        ),
        Fields(_TASK_FIELDS, free="name", required=1),
    ),
    xml_root="list",
    xml_item="task",
    many=True,
    # No tasks: fmt=0/1 have nothing to write (inferred; fmt=2/3 give `<list/>`, `[]`).
    empty_list=True,
)


class DownloadsGetList(_DownloadsOp[list[Task]], frozen=True, kw_only=True):
    """The deferred tasks: at most ``cnt`` of them, those after task ``after_id``.

    >>> DownloadsGetList(cnt=100, after_id=41).params()[:3]
    [('get_list', '1'), ('cnt', '100'), ('after_id', '41')]

    An empty answer is an empty list. To walk every task, see ``smsc_proto.paging.TaskPager``.
    """

    cnt: int | None = None
    after_id: int | None = None

    op_id: ClassVar[str] = "downloads.get_list"
    command: ClassVar[str | None] = "get_list"
    shape: ClassVar[Shape] = LIST_SHAPE

    def validate(self) -> None:
        # No maximum is documented for cnt; both stay within the API's integers.
        check_range(self, "cnt", self.cnt, 1, MAX_MESSAGE_ID)
        check_range(self, "after_id", self.after_id, 0, MAX_MESSAGE_ID)


class DownloadsGetFile(_DownloadsOp[list[CsvRow]], CsvFileOp, frozen=True, kw_only=True):
    """The CSV file of deferred task ``id``, or the file called ``name`` (exactly one).

    >>> DownloadsGetFile(id=42).params()[:2]
    [('get_file', '1'), ('id', '42')]

    The answer is a list of rows, each a ``CsvRow`` (``dict[str, str]``) keyed by the file's
    header (the column layout is undocumented, so it is not typed further). Stream a large
    file::

        for row in client.stream(DownloadsGetFile(id=42)):
            ...

    ``fmt`` only chooses the form of an error answer; the file is CSV whatever it is.
    """

    id: int | None = None
    name: str | None = None

    op_id: ClassVar[str] = "downloads.get_file"
    command: ClassVar[str | None] = "get_file"

    def validate(self) -> None:
        check_one_of(self, ("id", "name"), (self.id, self.name))
        check_id(self, "id", self.id)
        if self.name is not None and not self.name.strip():
            raise self.invalid("name", self.name, "must not be empty")
