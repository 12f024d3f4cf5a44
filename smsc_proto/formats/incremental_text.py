"""A body's text as its bytes arrive, decoded as ``http.body_text`` decodes a whole body."""

from __future__ import annotations

import codecs

__all__ = ["IncrementalText"]


class IncrementalText:
    """Bytes to text, incrementally, as ``http.body_text`` decodes a whole body: valid UTF-8
    wins (a static ``charset=windows-1251`` header may sit on a UTF-8 body); on the first
    invalid byte, the declared charset takes over (windows-1251 where UTF-8 was declared)."""

    def __init__(self, charset: str | None, requested: str) -> None:
        declared = charset or _lookup(requested) or "utf-8"
        # Without a BOM, utf-16/32 decoders raise whatever the error handler: read them LE,
        # as bytes.decode does for a whole body.
        self._fallback = {"utf-8": "windows-1251", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(
            declared, declared
        )
        self._charset = declared if declared in ("utf-16", "utf-32") else "utf-8"
        self._strict = self._charset == "utf-8"
        self._decoder = codecs.getincrementaldecoder(self._charset)("strict" if self._strict else "replace")
        self._started = False
        self._head = b""

    def decode(self, data: bytes, final: bool = False) -> str:
        if not self._started:
            # A BOM decides the charset, whatever the header says; wait for enough bytes.
            self._head += data
            if len(self._head) < 3 and not final:
                return ""
            data, self._head = self._head, b""
            self._started = True
            if data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
                self._use("utf-8", strict=True)
                self._fallback = "windows-1251"  # as for a body declared UTF-8
            elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                self._use("utf-16", strict=False)
            elif self._charset in ("utf-16", "utf-32"):
                # Without a BOM their incremental decoders raise whatever the error handler;
                # bytes.decode (the whole-body path) reads them little-endian: do the same.
                self._use(f"{self._charset}-le", strict=False)
        if not self._strict:
            return self._decoder.decode(data, final)
        try:
            return self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            # exc.object is the decoder's pending bytes plus ``data``: good up to exc.start.
            raw = bytes(exc.object)
            good = raw[: exc.start].decode("utf-8")
            self._use(self._fallback, strict=False)
            return good + self._decoder.decode(raw[exc.start :], final)

    def _use(self, charset: str, *, strict: bool) -> None:
        self._charset = charset
        self._strict = strict
        self._decoder = codecs.getincrementaldecoder(charset)("strict" if strict else "replace")


def _lookup(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
