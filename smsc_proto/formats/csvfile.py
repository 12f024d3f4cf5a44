"""Raw CSV file bodies (``downloads.get_file``), sniffed and parsed as they stream in.

The same request answers either the file or the API's error envelope, so the start of the
body decides: ``ERROR = N (..)``, ``0,-N``, ``<result>..`` or ``{"error"..`` is an API
error; a PDF, HTML, JSON or binary body is not the file (``DecodeError``); anything else is
a CSV file whose first line is its header. The column layout is undocumented: the header
names the columns and its line chooses the delimiter (``;``, ``,`` or tab, the most
frequent outside quotes).

Memory stays flat: only the current partial line (and the lines of a record whose quoted
field spans lines) is held, each bounded by ``max_line`` characters. Text is decoded by the
Content-Type charset, else the requested one; a UTF-8 stream that turns out not to be UTF-8
continues as windows-1251, SMSC's own default (as ``http.body_text`` does for small bodies).
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from smsc_proto.decode import find_error
from smsc_proto.errors import DecodeError, status_error
from smsc_proto.formats.envelope import error_in_text
from smsc_proto.formats.incremental_text import IncrementalText
from smsc_proto.http import REQUEST_CHARSET, HttpResponse, charset_of

if TYPE_CHECKING:
    from smsc_proto.op import Op

__all__ = [
    "MAX_ENVELOPE_CHARS",
    "MAX_LINE_CHARS",
    "CsvFileDecoder",
    "CsvRow",
    "render_csv",
    "sniff_delimiter",
]

# One row of an export, keyed by the file's own header (the column layout is undocumented).
CsvRow = dict[str, str]

# One CSV record (a line, or the lines of a quoted field with line breaks) at most.
MAX_LINE_CHARS = 1 << 20
# An error envelope is a few hundred bytes; a longer non-CSV body is refused early.
MAX_ENVELOPE_CHARS = 64 * 1024

_DELIMITERS = (";", ",", "\t")
_QUOTED = re.compile(r'"[^"]*"')
# C0 controls other than tab, CR, LF: a header line holding them is binary, not CSV.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ENVELOPE_TEXT = re.compile(r"\s*ERROR\s*=", re.IGNORECASE)


class _NeedMore(Exception):
    """The lines given so far end inside a record (a quoted field spans lines)."""


def _dry() -> Iterator[str]:
    """The end of the lines fed so far: more are needed to finish the current record."""
    raise _NeedMore
    yield ""  # a generator, so that the raise happens at next(), inside csv.reader


def sniff_delimiter(header: str) -> str | None:
    """The delimiter of a CSV header line: ``;``, ``,`` or tab, whichever occurs most
    outside quotes (``;`` first on a tie, as Russian exports use it); None if none occurs.

    >>> sniff_delimiter('id;"phone, mobile";message')
    ';'
    """
    bare = _QUOTED.sub("", header)
    counts = [(bare.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    count, _, delimiter = max(counts)
    return delimiter if count else None


def _column_names(fields: list[str]) -> list[str]:
    """Header cells as row keys: stripped, empty ones named ``column<N>``, repeats suffixed."""
    names: list[str] = []
    seen: set[str] = set()
    # The last suffix tried per repeated name: a header of 100,000 equal cells stays linear.
    last_suffix: dict[str, int] = {}
    while fields and not fields[-1].strip():
        fields.pop()  # a trailing delimiter on the header line
    for i, field in enumerate(fields, 1):
        name = base = field.strip() or f"column{i}"
        while name in seen:
            last_suffix[base] = n = last_suffix.get(base, 1) + 1
            name = f"{base}_{n}"
        seen.add(name)
        names.append(name)
    return names


def _ends_quoted(line: str, delimiter: str, fields: re.Pattern[str]) -> bool:
    """Whether ``csv.reader`` (doublequote, non-strict), entering ``line`` inside a quoted
    field, is inside a quoted field at its end, so that the record goes on. The same states
    as the reader's, visited by jumps: each character is looked at once, so a record that
    grows line by line is not parsed again with every line. ``fields``: the next delimiter
    or line break."""
    pos, end = 0, len(line)
    while True:
        # Inside a quoted field: only a quote that is not doubled ends it.
        close = line.find('"', pos)
        while close >= 0 and line.startswith('"', close + 1):
            close = line.find('"', close + 2)
        if close < 0:
            return True
        pos = close + 1
        # After the field: unquoted text up to a delimiter; a quote right after a delimiter
        # opens the next quoted field; a line break (or the end) ends the record.
        while True:
            if pos < end and line[pos] == '"' and line[pos - 1] == delimiter:
                pos += 1
                break
            found = fields.search(line, pos)
            if found is None or found.group() != delimiter:
                return False
            pos = found.end()


class CsvFileDecoder:
    """``feed(chunk) -> rows``, ``close() -> rows``: the rows of a CSV file body as
    ``dict[str, str]`` keyed by the header's column names, in file order.

    >>> from smsc_proto import DownloadsGetFile, HttpResponse
    >>> op = DownloadsGetFile(id=7)
    >>> decoder = op.stream_decoder(HttpResponse(200, {"Content-Type": "text/csv"}))
    >>> decoder.feed(b'phone;message\\r\\n79991234567;"Hi; th')
    []
    >>> decoder.feed(b'ere"\\r\\n') + decoder.close()
    [{'phone': '79991234567', 'message': 'Hi; there'}]

    A row shorter than the header gets ``""`` for the missing columns; extra non-empty
    cells are kept as ``column<N>`` (N counted from 1). Blank lines are skipped. Errors:
    the API's error envelope raises the op's ``SmscError``; a body that is not a CSV file,
    a record longer than ``max_line`` characters or a file cut inside a quoted field raise
    ``DecodeError``.
    """

    def __init__(self, op: Op[Any], head: HttpResponse, *, max_line: int = MAX_LINE_CHARS) -> None:
        self._op = op
        self._status = head.status
        self._max_line = max_line
        self._text = IncrementalText(charset_of(head.header("Content-Type")), REQUEST_CHARSET)
        # The partial last line, as pieces (a long line fed in small chunks stays linear).
        self._partial: list[str] = []
        self._partial_len = 0
        self._envelope: list[str] | None = None  # collecting a non-CSV body to read at close
        self._envelope_len = 0
        self._names: list[str] | None = None
        self._delimiter = ";"
        self._fields = re.compile("[;\r\n]")
        self._carry: list[str] = []  # lines of a record not finished yet
        self._carry_len = 0
        self._line_no = 0
        self._closed = False

    @property
    def columns(self) -> list[str] | None:
        """The column names, once the header line has arrived."""
        return None if self._names is None else list(self._names)

    @property
    def delimiter(self) -> str | None:
        """The sniffed delimiter, once the header line has arrived."""
        return None if self._names is None else self._delimiter

    # -- feeding -------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> list[CsvRow]:
        if self._closed:
            raise DecodeError(self._op.op_id, "data fed after close()")
        return self._take(self._text.decode(chunk))

    def close(self) -> list[CsvRow]:
        if self._closed:
            return []
        self._closed = True
        rows = self._take(self._text.decode(b"", final=True))
        last = "".join(self._partial)
        self._partial, self._partial_len = [], 0
        if last:
            rows += self._lines([last])
        if self._envelope is not None:
            self._finish_envelope()
        if self._names is None:
            raise DecodeError(self._op.op_id, "empty body: no CSV header")
        if self._carry:
            raise DecodeError(
                self._op.op_id,
                f"file cut short: the record from line {self._line_no - len(self._carry) + 1} "
                "ends inside a quoted field",
            )
        return rows

    def _take(self, text: str) -> list[CsvRow]:
        if not text:
            return []
        if self._envelope is not None:
            self._collect(text)
            return []
        if "\n" not in text:
            self._partial.append(text)
            self._partial_len += len(text)
            self._check_partial()
            return []
        self._partial.append(text)
        lines = "".join(self._partial).split("\n")
        last = lines.pop()
        self._partial, self._partial_len = [last], len(last)
        rows = self._lines([line + "\n" for line in lines])
        self._check_partial()
        return rows

    def _check_partial(self) -> None:
        if self._partial_len > self._max_line:
            raise DecodeError(self._op.op_id, f"a line longer than {self._max_line} characters")
        if self._names is None and self._envelope is None and self._partial_len > MAX_ENVELOPE_CHARS:
            # Neither an envelope nor a header line is this long: a page or binary data.
            head = "".join(self._partial)
            self._refuse_foreign(head.lstrip())
            raise DecodeError(
                self._op.op_id,
                f"not a CSV file: no line break in the first {MAX_ENVELOPE_CHARS} characters",
                head,
            )

    def _lines(self, lines: list[str]) -> list[CsvRow]:
        if self._names is None:
            lines = self._header(lines)
            if self._names is None:
                return []
        return self._rows(lines)

    # -- the start: envelope or header ---------------------------------------------------

    def _header(self, lines: list[str]) -> list[str]:
        """Consume blank lines and the first line; set ``_names`` or start an envelope."""
        for i, line in enumerate(lines):
            self._line_no += 1
            first = line.strip().lstrip("\ufeff")
            if not first:
                continue
            if not 200 <= self._status < 300 or first[0] in "{[<" or _ENVELOPE_TEXT.match(first):
                # An envelope (or a page) in several lines: read it whole at close.
                self._envelope = []
                rest = "".join(lines[i:]) + "".join(self._partial)
                self._partial, self._partial_len = [], 0
                self._collect(rest)
                return []
            if error_in_text(first) is not None:
                self._raise_api_error(first)
            self._refuse_foreign(first)
            delimiter = sniff_delimiter(first)
            if delimiter is None:
                raise DecodeError(
                    self._op.op_id, "not a CSV file: no ';', ',' or tab in the first line", first
                )
            self._delimiter = delimiter
            self._fields = re.compile(f"[{re.escape(delimiter)}\r\n]")
            try:
                cells = next(csv.reader([first], delimiter=delimiter, strict=False))
            except csv.Error as exc:
                raise DecodeError(self._op.op_id, f"bad CSV header: {exc}", first) from None
            self._names = _column_names(cells)
            if not self._names:  # `,,,,`: delimiters and nothing else
                raise DecodeError(self._op.op_id, "not a CSV file: the first line names no column", first)
            return lines[i + 1 :]
        return []

    def _refuse_foreign(self, first: str) -> None:
        if first.startswith("%PDF"):
            raise DecodeError(self._op.op_id, "not a CSV file: a PDF document", first)
        if first.startswith(("PK\x03\x04", "\x1f\x8b")):
            raise DecodeError(self._op.op_id, "not a CSV file: a compressed archive", first)
        if _BINARY.search(first) or "\ufffd" in first:
            raise DecodeError(self._op.op_id, "not a CSV file: binary data", first)

    def _collect(self, text: str) -> None:
        assert self._envelope is not None
        self._envelope.append(text)
        self._envelope_len += len(text)
        if self._envelope_len > MAX_ENVELOPE_CHARS:
            self._finish_envelope()

    def _finish_envelope(self) -> None:
        assert self._envelope is not None
        body = "".join(self._envelope)
        self._raise_api_error(body)
        if not 200 <= self._status < 300:
            raise status_error(self._op.op_id, self._status, body)
        kind = "an HTML page" if body.lstrip()[:15].lower().startswith(("<!doctype", "<html")) else None
        if kind is None:
            kind = {"{": "JSON", "[": "JSON", "<": "XML"}.get(body.lstrip()[:1], "text")
        raise DecodeError(self._op.op_id, f"not a CSV file: {kind} that is not an API error", body)

    def _raise_api_error(self, body: str) -> None:
        error = find_error(body[:MAX_ENVELOPE_CHARS])
        if error is not None:
            raise self._op.error_for(error)

    # -- the rows ------------------------------------------------------------------------

    def _rows(self, lines: list[str]) -> list[CsvRow]:
        if not lines:
            return []
        before = self._line_no - len(self._carry)  # the lines before those parsed here
        self._line_no += len(lines)
        if self._carry:
            if all(_ends_quoted(line, self._delimiter, self._fields) for line in lines):
                # A quoted field still open: nothing to parse until a line closes it.
                self._carry += lines
                self._carry_len += sum(map(len, lines))
                self._check_carry()
                return []
            lines = self._carry + lines
        # Running dry raises _NeedMore inside the reader: a record cut at the end of the
        # lines is kept for the next feed, not taken as finished.
        source = itertools.chain(lines, _dry())
        reader = csv.reader(source, delimiter=self._delimiter, quotechar='"', doublequote=True, strict=False)
        names = self._names
        assert names is not None
        width = len(names)
        rows: list[CsvRow] = []
        append = rows.append
        done = 0  # lines consumed by complete records
        try:
            for cells in reader:
                done = reader.line_num
                if len(cells) == width and (cells[0] or any(cells)):
                    append(dict(zip(names, cells, strict=False)))
                elif any(cells):  # not a blank line, nor only delimiters
                    append(self._uneven(names, cells))
        except _NeedMore:
            pass
        except csv.Error as exc:
            raise DecodeError(self._op.op_id, f"bad CSV at line {before + reader.line_num}: {exc}") from None
        self._carry = lines[done:]
        self._carry_len = sum(map(len, self._carry))
        self._check_carry()
        return rows

    def _check_carry(self) -> None:
        if self._carry_len > self._max_line:
            raise DecodeError(
                self._op.op_id,
                f"a record longer than {self._max_line} characters (an unclosed quote?)",
            )

    @staticmethod
    def _uneven(names: list[str], cells: list[str]) -> CsvRow:
        row = dict(zip(names, cells, strict=False))
        for name in names[len(cells) :]:
            row[name] = ""
        for i in range(len(names), len(cells)):
            if cells[i]:
                row[f"column{i + 1}"] = cells[i]
        return row


def render_csv(rows: list[CsvRow], delimiter: str = ";") -> str:
    """A CSV file as the service would write it (header from the first row's keys, CRLF):
    for emulators and test doubles. A one-column file gets a trailing delimiter on every
    line, so that its delimiter can be sniffed back.

    >>> render_csv([{"id": "1", "text": "a;b"}])
    'id;text\\r\\n1;"a;b"\\r\\n'
    """
    import io

    out = io.StringIO()
    names = list(rows[0]) if rows else []
    if not names:
        raise ValueError("a CSV file needs at least one column")
    pad = [""] if len(names) == 1 else []
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(names + pad)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names] + pad)
    return out.getvalue()
