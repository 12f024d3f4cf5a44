"""``FileOp[R]``: an op whose answer is a file (a PDF, a multipart invoice, a CSV export)
rather than a record in the four fmts.

The same request answers either the file or the API's error envelope (in the fmt asked), so
a file op decodes bytes: its file when the body is one, else ``decode.not_the_file`` raises
the envelope's API error or a ``DecodeError``. It has no shape; each file op renders the
file the server would send.

``CsvFileOp`` is the base of the ops whose file is CSV (``downloads.get_file``, ``get_mnp``):
it streams rows with ``formats/csvfile.py`` and renders a ``;``-separated file.
"""

from __future__ import annotations

from typing import TypeVar

from smsc_proto.errors import status_error
from smsc_proto.formats.csvfile import CsvFileDecoder, CsvRow, render_csv
from smsc_proto.http import HttpResponse
from smsc_proto.op import Op
from smsc_proto.shape import Shape

__all__ = ["CsvFileOp", "FileOp"]

R = TypeVar("R")


class FileOp(Op[R], frozen=True, kw_only=True):
    """Base of the file ops: ``decode`` reads the response's bytes, ``render`` writes them."""

    def result_shape(self) -> Shape:
        raise TypeError(f"{self.op_id} answers a file: it has no record shape")

    def decode(self, response: HttpResponse) -> R:
        raise NotImplementedError

    def decode_text(self, text: str, status: int = 200) -> R:
        return self.decode(HttpResponse(status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()))

    def render(self, result: R, fmt: int | None = None) -> HttpResponse:
        raise NotImplementedError

    def require_success(self, response: HttpResponse) -> None:
        """A file under an error status is not an answer the API documents."""
        if not response.ok:
            raise status_error(
                self.op_id, response.status, response.body, f"HTTP {response.status} with a file body"
            )


class CsvFileOp(FileOp[list[CsvRow]], frozen=True, kw_only=True):
    """Base of the ops whose file is CSV: each row a ``CsvRow`` (``dict[str, str]``) keyed by
    the file's own header. ``client.stream(op)`` yields rows as the body arrives (memory
    stays flat); ``op.decode(response)`` gives them all. The body is sniffed: the API's
    error envelope in any fmt raises the op's error; a body that is not CSV is a
    ``DecodeError`` (``formats/csvfile.py``). ``fmt`` only chooses the form of an error."""

    def stream_decoder(self, head: HttpResponse) -> CsvFileDecoder:
        """Rows as the body arrives; memory stays flat (formats/csvfile.py)."""
        return CsvFileDecoder(self, head)

    def decode(self, response: HttpResponse) -> list[CsvRow]:
        """Every row of a whole response (the file), or the API's error."""
        decoder = self.stream_decoder(response)
        return decoder.feed(response.body) + decoder.close()

    def render(self, result: list[CsvRow], fmt: int | None = None) -> HttpResponse:
        """The file the server would send for ``result`` (rows), ``;``-separated. A file
        needs at least one column (ValueError otherwise)."""
        body = render_csv([{str(k): str(v) for k, v in row.items()} for row in result])
        return HttpResponse(200, {"Content-Type": "text/csv; charset=utf-8"}, body.encode("utf-8"))
