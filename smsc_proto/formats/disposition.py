"""``Content-Disposition`` file names (RFC 6266), as a safe bare name to save a file under."""

from __future__ import annotations

from urllib.parse import quote, unquote_to_bytes

__all__ = ["attachment", "filename_from_disposition"]


def attachment(filename: str | None) -> str:
    r"""The ``Content-Disposition`` a server sends with a file (for emulators): the name
    quoted and escaped, and in ``filename*`` too when it is not ASCII.

    >>> attachment('a "b".pdf')
    'attachment; filename="a \\"b\\".pdf"'
    >>> filename_from_disposition(attachment("Счёт 12.pdf"))
    'Счёт 12.pdf'
    """
    if filename is None:
        return "attachment"
    escaped = filename.replace("\\", "\\\\").replace('"', '\\"')
    if filename.isascii():
        return f'attachment; filename="{escaped}"'
    fallback = escaped.encode("ascii", "replace").decode("ascii")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def filename_from_disposition(value: str | None) -> str | None:
    """The file name of a ``Content-Disposition`` header, as a bare name.

    ``filename*`` (RFC 6266/5987, ``UTF-8''%D0%A1...``) wins over ``filename``; raw
    non-ASCII names (sent as UTF-8 or windows-1251 bytes) are recovered from the way the
    HTTP library decoded them. Directory parts and control characters are dropped so the
    name is safe to save under.

    >>> filename_from_disposition('attachment; filename="invoice 12.pdf"')
    'invoice 12.pdf'
    """
    if not value:
        return None
    plain: str | None = None
    extended: str | None = None
    for key, raw in _params(value):
        if key == "filename*":
            extended = _decode_extended(raw)
        elif key == "filename":
            plain = _repair(_unquote(raw))
    return _safe_name(extended if extended is not None else plain)


def _params(value: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    rest = value.partition(";")[2]
    while rest:
        rest = rest.lstrip(" \t;")
        key, eq, rest = rest.partition("=")
        if not eq:
            break
        rest = rest.lstrip(" \t")
        if rest.startswith('"'):
            # A quoted string: up to the next unescaped quote.
            i, chars = 1, []
            while i < len(rest) and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < len(rest):
                    i += 1
                chars.append(rest[i])
                i += 1
            raw = '"' + "".join(chars) + '"'
            rest = rest[i + 1 :]
        else:
            raw, _, rest = rest.partition(";")
        out.append((key.strip().lower(), raw.strip()))
    return out


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    return raw


def _decode_extended(raw: str) -> str | None:
    charset, sep, rest = _unquote(raw).partition("'")
    if not sep:
        return None
    _language, sep, encoded = rest.partition("'")
    if not sep:
        return None
    try:
        return unquote_to_bytes(encoded).decode(charset.strip() or "utf-8")
    except (LookupError, ValueError):  # unknown charset; bytes not in it (UnicodeError)
        return None


def _repair(name: str) -> str:
    """Undo the HTTP library's decoding of raw non-ASCII header bytes (latin-1 in
    http.client, surrogate escapes in aiohttp): UTF-8 if they are UTF-8, else
    windows-1251, SMSC's default charset."""
    if name.isascii():
        return name
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        try:
            raw = name.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return name
    for charset in ("utf-8", "cp1251"):
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            continue
    return name


def _safe_name(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name if name not in ("", ".", "..") else None
