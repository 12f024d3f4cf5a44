"""Paging with ``after_id``: which op to send next, given the page that came back.

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

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

from smsc_proto.ops.downloads import DownloadsGetList, Task

__all__ = ["AfterIdPager", "TaskPager"]


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


OpT = TypeVar("OpT")
ItemT = TypeVar("ItemT", bound=_HasId)


class AfterIdPager(Generic[OpT, ItemT]):
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

    def iterate(self, call: Callable[[OpT], Sequence[ItemT]]) -> Iterator[ItemT]:
        """Every item, page by page, with ``call`` (e.g. ``client.call``) doing the I/O."""
        op: OpT | None = self.first_op()
        while op is not None:
            page = call(op)
            yield from self.fresh(page)
            op = self.next_op(page)

    async def aiterate(self, call: Callable[[OpT], Awaitable[Sequence[ItemT]]]) -> AsyncIterator[ItemT]:
        """``iterate`` for an async client: ``async for task in pager.aiterate(client.call)``."""
        op: OpT | None = self.first_op()
        while op is not None:
            page = await call(op)
            for item in self.fresh(page):
                yield item
            op = self.next_op(page)


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
