"""Incremental decoding: ``feed(chunk) -> records``, ``close() -> records``.

Transports hand body chunks to a decoder as they arrive, so memory stays flat whatever the
size of a file; ops with small answers use ``BufferedDecoder``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from smsc_proto.errors import DecodeError
from smsc_proto.http import HttpResponse

if TYPE_CHECKING:
    from smsc_proto.op import Op

__all__ = ["MAX_BUFFERED_BYTES", "BufferedDecoder", "StreamDecoder"]

T = TypeVar("T")

# A non-file answer larger than this is not an SMSC answer; refuse rather than hoard memory.
MAX_BUFFERED_BYTES = 64 * 1024 * 1024


class StreamDecoder(Protocol[T]):
    """What ``op.stream_decoder(head)`` returns and a transport drives::

    decoder = op.stream_decoder(HttpResponse(status, headers))
    for chunk in body_chunks:
        yield from decoder.feed(chunk)
    yield from decoder.close()
    """

    def feed(self, chunk: bytes) -> list[T]:
        """The records completed by ``chunk`` (possibly none); raises SmscError/DecodeError."""
        ...

    def close(self) -> list[T]:
        """The records left at the end of the body; raises DecodeError if it was cut short."""
        ...


class BufferedDecoder:
    """Collects the whole body, then decodes it: list results yield their records."""

    def __init__(self, op: Op[Any], head: HttpResponse) -> None:
        self._op = op
        self._head = head
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> list[Any]:
        self._size += len(chunk)
        if self._size > MAX_BUFFERED_BYTES:
            raise DecodeError(self._op.op_id, f"answer larger than {MAX_BUFFERED_BYTES} bytes")
        self._chunks.append(chunk)
        return []

    def close(self) -> list[Any]:
        response = HttpResponse(self._head.status, self._head.headers, b"".join(self._chunks))
        self._chunks = []
        result = self._op.decode(response)
        return list(result) if isinstance(result, list) else [result]
