"""``FileOp[R]``: an op whose answer is a file (a PDF, a multipart invoice, a CSV export)
rather than a record in the four fmts.

The same request answers either the file or the API's error envelope (in the fmt asked), so
a file op decodes bytes: its file when the body is one, else ``decode.not_the_file`` raises
the envelope's API error or a ``DecodeError``. It has no shape; each file op renders the
file the server would send.
"""

from __future__ import annotations

from typing import TypeVar

from smsc_proto.errors import DecodeError
from smsc_proto.http import HttpResponse
from smsc_proto.op import Op
from smsc_proto.shape import Shape

__all__ = ["FileOp"]

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
            raise DecodeError(self.op_id, f"HTTP {response.status} with a file body", response.body)
