"""Paging: which op to send next, given the page that came back (``after_id`` forward,
``prev_id`` back through the message history and the sender names, or the next window of
dates).

Pure: the pager builds ops and reads pages; the caller does the I/O with any client. The
sync and async loops below take the client's ``call`` as a plain function.

    pager = TaskPager(cnt=100)
    op = pager.first_op()
    while op is not None:
        page = client.call(op)            # smsc_urllib3.Client, or await an AsyncClient
        for task in pager.fresh(page):
            ...
        op = pager.next_op(page)

or, the same loop written once: ``for task in TaskPager(cnt=100).iterate(client.call)``.

The API states no cap on ``cnt``, so a page shorter than ``cnt`` is not taken as the last:
paging stops at an empty page (one extra request), or when a page brings no id beyond the
last one (a server that ignores ``after_id`` cannot make it loop).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

from smsc_proto.ops.downloads import DownloadsGetList, Task
from smsc_proto.ops.get import GetMessages, SentMessage
from smsc_proto.ops.senders import SenderName, SendersGet

__all__ = ["AfterIdPager", "DateWindowPager", "HistoryPager", "PrevIdPager", "SenderPager", "TaskPager"]


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


OpT = TypeVar("OpT")
ItemT = TypeVar("ItemT", bound=_HasId)
AnyItemT = TypeVar("AnyItemT")


PageOpT = TypeVar("PageOpT")
PageItemT = TypeVar("PageItemT")


class _Pager(Generic[PageOpT, PageItemT]):
    """The page loop, sync and async, over ``first_op``, ``fresh`` and ``next_op``."""

    def first_op(self) -> PageOpT:
        raise NotImplementedError

    def fresh(self, items: Sequence[PageItemT]) -> list[PageItemT]:
        raise NotImplementedError

    def next_op(self, items: Sequence[PageItemT]) -> PageOpT | None:
        raise NotImplementedError

    def iterate(self, call: Callable[[PageOpT], Sequence[PageItemT]]) -> Iterator[PageItemT]:
        """Every item, page by page, with ``call`` (e.g. ``client.call``) doing the I/O."""
        op: PageOpT | None = self.first_op()
        while op is not None:
            page = call(op)
            yield from self.fresh(page)
            op = self.next_op(page)

    async def aiterate(
        self, call: Callable[[PageOpT], Awaitable[Sequence[PageItemT]]]
    ) -> AsyncIterator[PageItemT]:
        """``iterate`` for an async client: ``async for item in pager.aiterate(client.call)``."""
        op: PageOpT | None = self.first_op()
        while op is not None:
            page = await call(op)
            for item in self.fresh(page):
                yield item
            op = self.next_op(page)


class AfterIdPager(_Pager[OpT, ItemT]):
    """Pages of a list op that takes ``after_id``: ``make_op(after_id)`` builds the request
    for the items after ``after_id`` (None: from the start).

    >>> pager = AfterIdPager(lambda after: ("get", after))
    >>> pager.first_op()
    ('get', None)
    >>> class Item:
    ...     def __init__(self, id): self.id = id
    >>> pager.next_op([Item(3), Item(5)])
    ('get', 5)
    >>> pager.next_op([]) is None
    True
    """

    def __init__(self, make_op: Callable[[int | None], OpT], *, after_id: int | None = None) -> None:
        self._make_op = make_op
        self.after_id = after_id
        self.pages = 0
        self.done = False

    def first_op(self) -> OpT:
        """The request for the first page (after the ``after_id`` given, if any)."""
        return self._make_op(self.after_id)

    def fresh(self, items: Sequence[ItemT]) -> list[ItemT]:
        """The items of a page beyond the last page's ids (all of them, normally)."""
        if self.after_id is None:
            return list(items)
        last = self.after_id
        return [item for item in items if item.id > last]

    def next_op(self, items: Sequence[ItemT]) -> OpT | None:
        """The request for the page after ``items``, or None when ``items`` was the last."""
        self.pages += 1
        ids = [item.id for item in items]
        newest = max(ids, default=None)
        if newest is None or (self.after_id is not None and newest <= self.after_id):
            self.done = True
            return None
        self.after_id = newest
        return self._make_op(newest)


class TaskPager(AfterIdPager[DownloadsGetList, Task]):
    """Every deferred task, ``cnt`` per ``downloads.get_list`` request.

    >>> pager = TaskPager(cnt=2)
    >>> pager.first_op()
    DownloadsGetList(cnt=2)
    >>> pager.next_op([Task(id=7), Task(id=9)])
    DownloadsGetList(cnt=2, after_id=9)
    >>> pager.next_op([]) is None
    True

    With a client: ``for task in TaskPager(cnt=100).iterate(client.call): ...``, or
    ``async for task in TaskPager(cnt=100).aiterate(client.call): ...``.
    """

    def __init__(self, cnt: int | None = 100, *, after_id: int | None = None, **params: Any) -> None:
        self.cnt = cnt

        def make_op(after: int | None) -> DownloadsGetList:
            return DownloadsGetList(cnt=cnt, after_id=after, **params)

        make_op(after_id)  # check the parameters now, not at the first page
        super().__init__(make_op, after_id=after_id)


class PrevIdPager(_Pager[OpT, AnyItemT]):
    """Pages of a list op that pages back by ``prev_id``: ``make_op(prev_id)`` builds the
    request for the items before ``prev_id`` (None: the newest), and ``key(item)`` is the id
    ``prev_id`` counts in (None where an item has none).

    Stops at an empty page, or at a page that brings no item older than the last (a server
    that ignores ``prev_id`` cannot make it loop).
    """

    def __init__(self, make_op: Callable[[int | None], OpT], key: Callable[[AnyItemT], int | None]) -> None:
        self._make_op = make_op
        self._key = key
        self.prev_id: int | None = None
        self.pages = 0
        self.done = False

    def first_op(self) -> OpT:
        return self._make_op(None)

    def fresh(self, items: Sequence[AnyItemT]) -> list[AnyItemT]:
        """The items of a page older than the last page's (all of them, normally)."""
        last = self.prev_id
        if last is None:
            return list(items)
        return [item for item in items if (found := self._key(item)) is not None and found < last]

    def next_op(self, items: Sequence[AnyItemT]) -> OpT | None:
        self.pages += 1
        oldest = min((found for item in items if (found := self._key(item)) is not None), default=None)
        if oldest is None or (self.prev_id is not None and oldest >= self.prev_id):
            self.done = True
            return None
        self.prev_id = oldest
        return self._make_op(oldest)


class HistoryPager(PrevIdPager[GetMessages, SentMessage]):
    """Every sent message of ``get.messages``, newest first, ``cnt`` per page: each next
    page holds the messages before the oldest ``int_id`` seen (``prev_id``).

    >>> pager = HistoryPager(cnt=2)
    >>> pager.first_op()
    GetMessages(cnt=2)
    >>> from smsc_proto import MessageStatus
    >>> sent = [SentMessage(status=MessageStatus.DELIVERED, int_id=n) for n in (90, 85)]
    >>> pager.next_op(sent)
    GetMessages(cnt=2, prev_id=85)
    >>> pager.next_op([]) is None
    True

    ``params`` are the other ``GetMessages`` parameters (``start``, ``phone``...).
    """

    def __init__(self, cnt: int | None = 1000, **params: Any) -> None:
        def make_op(prev: int | None) -> GetMessages:
            return GetMessages(cnt=cnt, prev_id=prev, **params)

        make_op(None)  # check the parameters now, not at the first page
        super().__init__(make_op, lambda message: message.int_id)


class SenderPager(PrevIdPager[SendersGet, SenderName]):
    """Every sender name of ``senders.get``, ``cnt`` per page, each next page the names
    before the lowest id seen (``prev_id``).

    >>> pager = SenderPager(cnt=50, operators=1)
    >>> pager.first_op()
    SendersGet(operators=1, cnt=50)
    >>> pager.next_op([SenderName(sender="Shop", id=12), SenderName(sender="News", id=9)])
    SendersGet(operators=1, prev_id=9, cnt=50)

    ``params`` are the other ``SendersGet`` parameters. Names without an id (a fmt=3 list
    may leave it out) cannot be paged past: a page of them is the last.
    """

    def __init__(self, cnt: int | None = 100, **params: Any) -> None:
        def make_op(prev: int | None) -> SendersGet:
            return SendersGet(cnt=cnt, prev_id=prev, **params)

        make_op(None)
        super().__init__(make_op, lambda name: name.id)


class DateWindowPager(_Pager[OpT, AnyItemT]):
    """A period cut into windows of at most ``days`` days, one request each: for the lists
    the API gives by dates (``get.stat`` month by month, ``jobs.get_all``, a sub-client's
    statistics). ``make_op(first_day, last_day)`` builds a window's request (both days
    included); each window's items are yielded as they come.

    >>> import datetime as dt
    >>> from smsc_proto import GetStat
    >>> def month(first: dt.date, last: dt.date) -> GetStat:
    ...     return GetStat(start=first, end=last)
    >>> pager = DateWindowPager(month, dt.date(2024, 1, 1), dt.date(2024, 2, 15), days=31)
    >>> pager.first_op()
    GetStat(start=datetime.date(2024, 1, 1), end=datetime.date(2024, 1, 31))
    >>> pager.next_op([])
    GetStat(start=datetime.date(2024, 2, 1), end=datetime.date(2024, 2, 15))
    >>> pager.next_op([]) is None
    True
    """

    def __init__(
        self, make_op: Callable[[dt.date, dt.date], OpT], start: dt.date, end: dt.date, *, days: int = 31
    ) -> None:
        if days < 1:
            raise ValueError(f"days={days}: a window is at least one day")
        if end < start:
            raise ValueError(f"end={end.isoformat()} is before start={start.isoformat()}")
        self._make_op = make_op
        self._days = days
        self._end = end
        self.window_start = start
        self.pages = 0
        self.done = False
        make_op(*self._window())  # check the parameters now, not at the first page

    def _window(self) -> tuple[dt.date, dt.date]:
        last = min(self.window_start + dt.timedelta(days=self._days - 1), self._end)
        return self.window_start, last

    def first_op(self) -> OpT:
        return self._make_op(*self._window())

    def fresh(self, items: Sequence[AnyItemT]) -> list[AnyItemT]:
        return list(items)  # windows do not overlap

    def next_op(self, items: Sequence[AnyItemT]) -> OpT | None:
        self.pages += 1
        last = self._window()[1]
        if last >= self._end:
            self.done = True
            return None
        self.window_start = last + dt.timedelta(days=1)
        return self._make_op(*self._window())
