"""Layouts of fmt=0 and fmt=1 lines: each parses one line into ``{field: text}`` and back.

An op declares its lines with these (field order, separators, which field is free text)
instead of hand-writing a parser per fmt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from smsc_proto.errors import Malformed

__all__ = ["Either", "Fields", "Layout", "LayoutError", "Pairs", "Pattern", "Token", "split_records"]


class LayoutError(Malformed):
    """A line does not have the declared layout (the op turns it into a DecodeError)."""


class Layout(Protocol):
    def parse(self, line: str) -> dict[str, str]: ...

    def render(self, record: Mapping[str, str]) -> str: ...


class Token:
    """A fixed token such as ``OK``, read as ``{field: token}``."""

    def __init__(self, token: str, field: str = "result") -> None:
        self.token = token
        self.field = field

    def parse(self, line: str) -> dict[str, str]:
        if line.strip() != self.token:
            raise LayoutError(f"expected {self.token!r}")
        return {self.field: self.token}

    def render(self, record: Mapping[str, str]) -> str:
        return self.token


class Fields:
    """``sep``-separated values in a fixed order.

    ``free`` names the one field that may itself contain ``sep`` (a message text): fields
    before it are split from the left, fields after it from the right. Records may stop
    after ``required`` fields (later fields are then absent).
    """

    def __init__(
        self,
        names: Sequence[str],
        sep: str = ",",
        *,
        free: str | None = None,
        required: int | None = None,
    ) -> None:
        self.names = tuple(names)
        self.sep = sep
        self.free = None if free is None else self.names.index(free)
        self.required = len(self.names) if required is None else required

    def split(self, line: str) -> list[str]:
        """The values of ``line`` in ``names`` order, unstripped (fewer when the record
        stops early); the free-text value holds any separators of its own."""
        raw = line.split(self.sep)
        n = len(self.names)
        free = self.free
        if len(raw) > n and free is not None:
            stop = len(raw) - (n - free - 1)
            raw = [*raw[:free], self.sep.join(raw[free:stop]), *raw[stop:]]
        if len(raw) > n:
            raise LayoutError(f"{len(raw)} fields, expected at most {n}")
        if len(raw) < self.required:
            raise LayoutError(f"{len(raw)} fields, expected at least {self.required}")
        return raw

    def parse(self, line: str) -> dict[str, str]:
        """``split``, by name, stripped but for the free text."""
        free = self.free
        return {
            name: value if i == free else value.strip()
            for i, (name, value) in enumerate(zip(self.names, self.split(line), strict=False))
        }

    def render(self, record: Mapping[str, str]) -> str:
        present = [record.get(name) for name in self.names]
        while len(present) > self.required and present[-1] is None:
            present.pop()
        return self.sep.join("" if v is None else v for v in present)


class Pairs:
    """``key = value, key = value`` (or ``KEY - value``) with known keys in a known order.

    ``keys`` maps wire keys to field names (a bare name: the same), in the order they are written. Values may
    contain the pair separator: a new pair starts only at a known key not seen yet. ``lead`` is a bare
    token that may open the line (``OK`` in ``OK, ID - 5``); ``suffixes`` strips a unit from
    a value (``1 SMS`` -> ``1``); ``open_start``: the line may start with pairs this layout
    does not know (skipped), else it starts with a known key.
    """

    def __init__(
        self,
        keys: Sequence[str | tuple[str, str]],
        *,
        kv: str = " = ",
        sep: str = ", ",
        lead: str | None = None,
        suffixes: Mapping[str, str] | None = None,
        required: Sequence[str] = (),
        open_start: bool = False,
    ) -> None:
        self.keys = tuple((k, k) if isinstance(k, str) else k for k in keys)
        self.open_start = open_start
        self.kv = kv
        self.sep = sep
        self.lead = lead
        self.suffixes = dict(suffixes or {})
        self.required = tuple(required)
        order = "|".join(re.escape(k) for k, _ in self.keys)
        kv_re = re.escape(kv.strip())
        self._key_re = re.compile(rf"(?:^|{re.escape(sep.strip())}\s*)({order})\s*{kv_re}\s?", re.IGNORECASE)
        self._index = {k.lower(): i for i, (k, _) in enumerate(self.keys)}

    def parse(self, line: str) -> dict[str, str]:
        text = line.strip()
        if self.lead is not None and text.upper().startswith(self.lead.upper()):
            rest = text[len(self.lead) :]
            if not rest or rest.lstrip().startswith(self.sep.strip()):
                text = rest.lstrip().removeprefix(self.sep.strip()).lstrip()
        starts: list[tuple[int, int, int]] = []  # (key index, match start, value start)
        seen: set[int] = set()
        for m in self._key_re.finditer(text):
            index = self._index[m.group(1).lower()]
            if index not in seen and (starts or m.start() == 0 or self.open_start):
                starts.append((index, m.start(), m.end()))
                seen.add(index)
        if not starts and text:
            raise LayoutError("no known key")
        record: dict[str, str] = {}
        for n, (index, _, value_start) in enumerate(starts):
            end = starts[n + 1][1] if n + 1 < len(starts) else len(text)
            field = self.keys[index][1]
            value = text[value_start:end].strip()
            suffix = self.suffixes.get(field)
            if suffix and value.lower().endswith(suffix.lower()):
                value = value[: -len(suffix)].strip()
            record[field] = value
        missing = [f for f in self.required if f not in record]
        if missing:
            raise LayoutError(f"missing {', '.join(missing)}")
        return record

    def render(self, record: Mapping[str, str]) -> str:
        parts = [self.lead] if self.lead is not None else []
        for key, field in self.keys:
            value = record.get(field)
            if value is None:
                continue
            suffix = self.suffixes.get(field)
            parts.append(f"{key}{self.kv}{value}{suffix or ''}")
        return self.sep.join(parts)


class Pattern:
    """A line matched by a regular expression with named groups (irregular shapes)."""

    def __init__(self, regex: str, render: Callable[[Mapping[str, str]], str]) -> None:
        self.regex = re.compile(regex)
        self._render = render

    def parse(self, line: str) -> dict[str, str]:
        m = self.regex.fullmatch(line.strip())
        if m is None:
            raise LayoutError("line does not match")
        return {k: v for k, v in m.groupdict().items() if v is not None}

    def render(self, record: Mapping[str, str]) -> str:
        return self._render(record)


class Either:
    """The first of several layouts that parses a line; renders with the first."""

    def __init__(self, *layouts: Layout) -> None:
        self.layouts = layouts

    def parse(self, line: str) -> dict[str, str]:
        problems = []
        for layout in self.layouts:
            try:
                return layout.parse(line)
            except LayoutError as exc:
                problems.append(str(exc))
        raise LayoutError(" / ".join(problems))

    def render(self, record: Mapping[str, str]) -> str:
        return self.layouts[0].render(record)


def split_records(layout: Layout, body: str) -> list[str]:
    """One record per line, except that a free-text field may hold line breaks: with
    ``Fields(free=...)``, a line short of the record's required separators continues on the
    next line (jobs.get_all messages). Linear in the body: separators are counted per line.
    Only CR LF or LF end a line: free text may hold other separators (\\x85, \\u2028)."""
    lines = (body.replace("\r\n", "\n") if "\r" in body else body).split("\n")
    if not isinstance(layout, Fields) or layout.free is None or layout.required < 2:
        return [line for line in lines if line and not line.isspace()]
    need = layout.required - 1
    sep = layout.sep
    records: list[str] = []
    pending: list[str] = []
    count = 0
    for line in lines:
        if not pending:
            if not line or line.isspace():
                continue
            count = line.count(sep)
            if count >= need:
                records.append(line)
            else:
                pending.append(line)
            continue
        pending.append(line)
        count += line.count(sep)
        if count >= need:
            records.append("\n".join(pending))
            pending = []
    if pending:
        records.append("\n".join(pending))  # short: the layout reports it
    return records
