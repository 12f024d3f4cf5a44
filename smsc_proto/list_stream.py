"""A list answer's records as its body arrives, in flat memory (``stream()`` of every list op).

The start of the body is held until it decides the way (``HEAD_CHARS``): a body that ends
before is decoded whole, exactly as ``op.decode`` does, so every irregular answer (an error
envelope, error 3 meaning "none", an object where a list was asked) keeps its meaning. A
longer body is a long list: a JSON array, a list root of XML items, or records in lines.
Its records are cut out as they complete and decoded in batches by the op's own
``ShapeDecoder`` (``BATCH_CHARS`` of records at a time), so that the typed result of each
record is the one ``decode`` gives. Memory holds one batch, one chunk and one record in
progress; a record still not complete after ``MAX_RECORD_CHARS`` (or an XML item of more
than ``MAX_ITEM_ELEMENTS``) is a ``DecodeError``. Anything else that is long (an object, a
page with no list) is buffered up to ``MAX_BUFFERED_BYTES`` and decoded whole. A body whose
charset is UTF-16 or UTF-32 is always decoded whole (``http.body_text`` reads it as UTF-8
when it is valid UTF-8, which only the whole body can tell).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from smsc_proto.decode import find_error
from smsc_proto.errors import DecodeError, Malformed
from smsc_proto.formats.incremental_text import IncrementalText
from smsc_proto.formats.text import Layout, LayoutError, split_records
from smsc_proto.formats.xml import PARSER_OPTIONS, XmlError, strip_prolog
from smsc_proto.http import REQUEST_CHARSET, HttpResponse, charset_of
from smsc_proto.shape import ShapeError
from smsc_proto.streaming import MAX_BUFFERED_BYTES

if TYPE_CHECKING:
    from lxml import etree

    from smsc_proto.op import Op
    from smsc_proto.shape import ShapeDecoder

__all__ = ["BATCH_CHARS", "HEAD_CHARS", "MAX_RECORD_CHARS", "ListStreamDecoder"]

# Bodies shorter than this are decoded whole (every answer but a long list is).
HEAD_CHARS = 64 * 1024
# Records decoded together: large enough that msgspec and lxml do the work.
BATCH_CHARS = 64 * 1024
# One record of any list; a history line is a few hundred characters.
MAX_RECORD_CHARS = 1 << 20
# The elements in one XML item: its fields, and the records it holds.
MAX_ITEM_ELEMENTS = 4096

# Cutting a JSON array into its elements looks at brackets, and at commas between elements;
# a run of anything else, complete strings included, is skipped at once (possessive: linear,
# and a string not complete yet is left for the next piece). Inside an element:
_SKIP_INSIDE = re.compile(r'(?:[^"\[\]{}]++|"(?:[^"\\]++|\\[\s\S])*+")*+')
# Between elements:
_SKIP_BETWEEN = re.compile(r'(?:[^"\[\]{},]++|"(?:[^"\\]++|\\[\s\S])*+")*+')
# A run of complete objects with no nested brackets, each with its comma: a history page.
_FLAT_OBJECT = r'\{(?:[^"\[\]{}]++|"(?:[^"\\]++|\\[\s\S])*+")*+\}'
_FLAT_RUN = re.compile(rf"(?:\s*+{_FLAT_OBJECT}\s*+,)++")
# The rest of a string up to its closing quote (not included) or the end of the piece.
_STRING_BODY = re.compile(r'(?:[^"\\]++|\\[\s\S])*+')
# The tag an XML body's root opens with.
_ROOT_TAG = re.compile(r"\s*<([A-Za-z_][\w.-]{0,100})[\s/>]")


class ListStreamDecoder:
    """``feed(chunk) -> records``, ``close() -> records`` for an op whose result is a list."""

    def __init__(
        self, op: Op[Any], head: HttpResponse, *, head_chars: int = HEAD_CHARS, batch_chars: int = BATCH_CHARS
    ) -> None:
        self._op = op
        self._head = head
        self._decoder: ShapeDecoder[Any] = op.result_shape().decoder(op.result_type)
        self._charset = charset_of(head.header("Content-Type"))
        self._text: IncrementalText | None = None  # from the start of a chosen way
        self._next_try = head_chars  # the bytes held before a way is looked for
        self._batch_chars = batch_chars
        # The body so far, kept until a way is chosen and its first record confirms it.
        self._held: list[bytes] = []
        self._held_size = 0
        self._way: _Way | None = None
        self._whole = False  # not a long list: decoded whole at the end

    def feed(self, chunk: bytes) -> list[Any]:
        if chunk and (self._held or self._way is None):
            self._held.append(chunk)
            self._held_size += len(chunk)
            if self._held_size > MAX_BUFFERED_BYTES:
                raise DecodeError(self._op.op_id, f"answer larger than {MAX_BUFFERED_BYTES} bytes")
        if self._way is None:
            if self._whole or self._held_size < self._next_try or not chunk:
                return []
            return self._start()
        return self._through_way(self._text_of(chunk))

    def close(self) -> list[Any]:
        if self._way is None:
            # Decoded as ``decode`` decodes it, bytes and all.
            body = b"".join(self._held)
            self._held = []
            return list(self._op.decode(HttpResponse(self._head.status, self._head.headers, body)))
        records = self._through_way(self._text_of(b"", final=True))
        way = self._way
        if way is None:  # the end showed it is not the list
            return self.close()
        try:
            return records + self._guarded(way.close)
        except _NotAList:
            self._way = None
            return self.close()

    def _text_of(self, chunk: bytes, *, final: bool = False) -> str:
        assert self._text is not None  # a way is chosen
        return self._text.decode(chunk, final)

    def _start(self) -> list[Any]:
        """Look for the way of the body held so far; feed it what is held once found."""
        if self._charset is not None and self._charset.startswith(("utf-16", "utf-32")):
            # Decoded whole, body_text reads such a body as UTF-8 when it is valid UTF-8:
            # only the whole body can tell.
            self._whole = True
            return []
        text = IncrementalText(self._charset, REQUEST_CHARSET)
        start = text.decode(b"".join(self._held))
        self._way = self._choose(start)
        if self._way is None:
            # Not decided (a first line not complete yet): look again once the body held
            # has doubled (it is read a bounded number of times), and once it is longer
            # than a record may be.
            doubled = 2 * self._held_size
            self._next_try = (
                doubled if self._held_size > MAX_RECORD_CHARS else min(doubled, MAX_RECORD_CHARS + 1)
            )
            return []
        self._text = text
        return self._through_way(start)

    def _through_way(self, text: str) -> list[Any]:
        way = self._way
        if way is None or not text:
            return []
        try:
            records = self._guarded(lambda: way.feed(text))
        except _NotAList:
            self._way = None
            self._whole = True
            return []
        if way.confirmed:
            self._held = []
            self._held_size = 0
        return records

    def _choose(self, start: str) -> _Way | None:
        """The way of a long body; None while the start cannot tell, and for what is not a
        list (decoded whole at the end, ``_whole``)."""
        body = start.lstrip()
        first = body[:1]
        if not first:
            return None
        self._whole = True
        if not self._head.ok:
            return None
        if first == "[":
            way: _Way = _JsonArray(self._decoder, self._batch_chars)
        elif first == "<":
            shape = self._decoder.shape
            if _XmlList.root_tag(body) != shape.xml_root or shape.xml_item is None:
                return None
            way = _XmlList(self._decoder, self._batch_chars, shape.xml_item)
        elif first == "{":
            return None
        else:
            line_end = body.find("\n")
            if line_end < 0:
                if len(body) > MAX_RECORD_CHARS:
                    raise DecodeError(self._op.op_id, str(_too_long(len(body))))
                self._whole = False
                return None  # the first line decides: wait for it
            if find_error(body[:line_end]) is not None:
                return None
            way = _Lines(self._decoder, self._op.fmt, self._batch_chars)
        self._whole = False
        return way

    def _guarded(self, step: Any) -> list[Any]:
        try:
            return list(step())
        except Malformed as exc:
            raise DecodeError(self._op.op_id, str(exc)[:200]) from None


class _NotAList(Exception):
    """The first record shows the body is something else (an XML error envelope)."""


class _Way:
    # Whether the body is known to be the list (the text held until then can go).
    confirmed = True

    def feed(self, text: str) -> list[Any]:
        raise NotImplementedError

    def close(self) -> list[Any]:
        raise NotImplementedError


class _RecordTooLong(Malformed):
    pass


def _too_long(size: int) -> _RecordTooLong:
    return _RecordTooLong(f"a record longer than {MAX_RECORD_CHARS} characters ({size} so far)")


class _JsonArray(_Way):
    """The elements of a top-level JSON array, cut at the commas between them. The state
    (depth, inside a string, after a backslash) carries from one piece of text to the next,
    so that each character is looked at once however the body is cut."""

    def __init__(self, decoder: ShapeDecoder[Any], batch_chars: int) -> None:
        self._decoder = decoder
        self._batch_chars = batch_chars
        self._depth = 0  # 0 before the array, 1 inside it, more inside an element
        self._in_string = False
        self._escaped = False  # a string's backslash ended the last piece
        self._done = False  # the array's `]` was read
        self._element: list[str] = []  # the pieces of the element in progress
        self._element_size = 0
        self._count = 0
        self._batch: list[str] = []
        self._batch_size = 0

    def feed(self, text: str) -> list[Any]:
        self._cut(text)
        return self._flush() if self._batch_size >= self._batch_chars else []

    def close(self) -> list[Any]:
        if not self._done:
            raise Malformed("the JSON array ends before its closing bracket")
        return self._flush()

    def _cut(self, text: str) -> None:
        at = 0  # where reading goes on
        start = 0  # where this piece of the element in progress starts
        end = len(text)
        while at < end:
            if self._done:
                if text[at:].strip():
                    raise Malformed("text after the JSON array")
                return
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                    at += 1
                    continue
                at = _STRING_BODY.match(text, at).end()  # type: ignore[union-attr]
                if at == end:
                    break
                if text[at] == "\\":  # the piece ends inside an escape
                    self._escaped = True
                    at = end
                    break
                self._in_string = False  # the closing quote
                at += 1
                continue
            if self._depth == 1 and at == start and not self._element:
                # A run of complete flat objects, each with its comma (a history page is
                # nothing else): one match, and they go to the batch as one piece.
                run = _FLAT_RUN.match(text, at)
                if run is not None:
                    self._add_elements(text[start : run.end() - 1])
                    at = start = run.end()
                    continue
            # Whole strings and everything else that cannot end an element are skipped in
            # C: inside an element, all but brackets; between elements, all but brackets
            # and commas.
            at = (_SKIP_INSIDE if self._depth > 1 else _SKIP_BETWEEN).match(text, at).end()  # type: ignore[union-attr]
            if at == end:
                break
            here = at
            mark = text[here]
            at += 1
            if mark == '"':  # a string the piece ends inside
                self._in_string = True
            elif self._depth == 0:
                if mark != "[" or text[start:here].strip():
                    raise Malformed("expected a JSON array")
                self._depth = 1
                start = at
            elif mark in "[{":
                self._depth += 1
            elif self._depth > 1:
                if mark in "]}":
                    self._depth -= 1
            elif mark == ",":
                self._end_element(text[start:here], last=False)
                start = at
            elif mark == "]":
                self._end_element(text[start:here], last=True)
                self._done = True
                start = at
            else:
                raise Malformed("unbalanced JSON")
        if not self._done and self._depth:
            self._add_piece(text[start:end])

    def _add_elements(self, elements: str) -> None:
        self._count += 1
        self._batch.append(elements)
        self._batch_size += len(elements)

    def _add_piece(self, piece: str) -> None:
        if not piece:
            return
        self._element.append(piece)
        self._element_size += len(piece)
        if self._element_size > MAX_RECORD_CHARS:
            raise _too_long(self._element_size)

    def _end_element(self, piece: str, *, last: bool) -> None:
        self._add_piece(piece)
        element = "".join(self._element)
        self._element = []
        self._element_size = 0
        if not element.strip():
            if last and not self._count:
                return  # `[]`
            raise Malformed("an empty element in the JSON array")
        self._add_elements(element)

    def _flush(self) -> list[Any]:
        if not self._batch:
            return []
        text = "[" + ",".join(self._batch) + "]"
        self._batch = []
        self._batch_size = 0
        return list(self._decoder.from_json(text))


class _Lines(_Way):
    """Records in lines (fmt=0/1), cut as ``split_records`` cuts them; the last record of
    each batch is held back, since free text may carry it on to the lines to come."""

    def __init__(self, decoder: ShapeDecoder[Any], fmt: int, batch_chars: int) -> None:
        self._decoder = decoder
        self._batch_chars = batch_chars
        self._layouts = decoder.shape.layouts(fmt)
        # The layout the first batch was read with: the rest keeps to it, as a whole body
        # is read with one layout (a batch it does not fit is a DecodeError).
        self._layout: Layout | None = None
        self._pieces: list[str] = []
        self._fresh = 0  # characters fed since the last batch
        self._line = 0  # characters since the last line break

    def feed(self, text: str) -> list[Any]:
        self._pieces.append(text)
        self._fresh += len(text)
        newline = text.rfind("\n")
        self._line = len(text) - newline - 1 if newline >= 0 else self._line + len(text)
        if self._line > MAX_RECORD_CHARS:
            raise _too_long(self._line)
        if self._fresh < self._batch_chars:
            return []
        self._fresh = 0
        text = "".join(self._pieces)
        cut = text.rfind("\n")
        if cut < 0:
            self._pieces = [text]
            return []
        records = split_records(self._layout or self._layouts[0], text[:cut])
        # Hold back the last record (free text may go on below) with the lines after it;
        # blank lines are dropped, so that what is held is one record at most.
        held = records.pop() if records else ""
        if len(held) > MAX_RECORD_CHARS:
            raise _too_long(len(held))
        self._pieces = [held, text[cut:]]
        return self._read("\n".join(records)) if records else []

    def close(self) -> list[Any]:
        text = "".join(self._pieces).strip()
        self._pieces = []
        return self._read(text) if text else []

    def _read(self, text: str) -> list[Any]:
        if self._layout is not None:
            return list(self._decoder.from_layout(self._layout, text))
        problems = []
        for layout in self._layouts:
            try:
                records = list(self._decoder.from_layout(layout, text))
            except LayoutError as exc:
                problems.append(str(exc))
                continue
            self._layout = layout
            return records
        raise ShapeError("; ".join(problems))


class _XmlList(_Way):
    """The items under a list root, each taken out of the tree once it ends."""

    def __init__(self, decoder: ShapeDecoder[Any], batch_chars: int, item: str) -> None:
        from lxml import etree

        self._decoder = decoder
        self._batch_chars = batch_chars
        self._item = item
        self.confirmed = False  # by the first item: an error envelope has other children
        self._parser = etree.XMLPullParser(events=("start", "end"), **PARSER_OPTIONS)
        self._root: etree._Element | None = None
        self._depth = 0
        self._batch: list[etree._Element] = []
        self._batch_size = 0
        self._since_item = 0  # characters fed since an item last ended
        self._in_item = 0  # elements in the item in progress
        self._started = False

    @staticmethod
    def root_tag(body: str) -> str | None:
        """The tag the body's root opens with (None: no plain root, or a DTD, which the
        whole decode refuses)."""
        try:
            found = _ROOT_TAG.match(strip_prolog(body))
        except XmlError:
            return None
        return found.group(1) if found else None

    def feed(self, text: str) -> list[Any]:
        if not self._started:
            self._started = True
            text = strip_prolog(text)  # the way was chosen on a start holding the root
        self._since_item += len(text)
        self._parse(text)
        if self._since_item > MAX_RECORD_CHARS:
            raise _too_long(self._since_item)
        return self._flush() if self._batch_size >= self._batch_chars else []

    def close(self) -> list[Any]:
        from lxml import etree

        try:
            self._parser.close()
        except etree.XMLSyntaxError as exc:
            raise Malformed(f"XML: {exc}") from None
        self._collect()
        return self._flush()

    def _parse(self, text: str) -> None:
        from lxml import etree

        try:
            self._parser.feed(text)
        except etree.XMLSyntaxError as exc:
            raise Malformed(f"XML: {exc}") from None
        self._collect()

    def _collect(self) -> None:
        for event, found in self._parser.read_events():
            element = cast("etree._Element", found)  # start and end events give elements
            if event == "start":
                if self._root is None:
                    self._root = element
                self._depth += 1
                if self._depth > 2:
                    # lxml spends about 120 bytes on a node: an item is a record, not a flood.
                    self._in_item += 1
                    if self._in_item > MAX_ITEM_ELEMENTS:
                        raise Malformed(f"an item of more than {MAX_ITEM_ELEMENTS} elements")
                continue
            self._depth -= 1
            if self._depth == 1:  # an item of the root ended: move it to the batch
                if self._root is not None:
                    self._root.text = None  # text between items: not kept (decode ignores it)
                if not self.confirmed:
                    if element.tag != self._item:
                        raise _NotAList
                    self.confirmed = True
                self._batch.append(element)
                self._batch_size += self._since_item
                self._since_item = 0
                self._in_item = 0

    def _flush(self) -> list[Any]:
        from lxml import etree

        if not self._batch or self._root is None:
            return []
        holder = etree.Element(self._root.tag)
        holder.attrib.update(self._root.attrib)
        for element in self._batch:
            holder.append(element)  # taken out of the tree being parsed: memory stays flat
        self._batch = []
        self._batch_size = 0
        return list(self._decoder.from_xml(holder))
