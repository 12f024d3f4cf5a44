"""The one error hierarchy of smsc-proto.

``SmscError`` is an error the API itself returned (an ``ERROR = N`` envelope in any fmt);
its subclass says what the code means *for that op*, since the same number means different
things on different endpoints. ``DecodeError`` is a body the codec could not make sense of.
``InvalidParameter`` is bad input caught before anything is sent. ``TransportError`` is a
failure of the HTTP exchange itself (raised by transports, defined here so callers need one
import).

``Malformed`` is internal: the base of every error a malformed body can cause inside the
codec (layouts, JSON, XML, conversions). The decode pipeline turns it, and nothing else,
into a ``DecodeError``; a ``TypeError`` or ``KeyError`` from the codec itself is a bug and
propagates.

Every error that quotes a server's answer (a ``DecodeError`` excerpt or reason, an
``SmscError`` description, a ``TransportError`` reason) first has credential parameters
scrubbed from it by name (``scrub_credentials``): the codec knows no secret, yet a page that
echoes the request form must not show one, not even the start of one cut by the excerpt.
The transports redact the exact secrets afterwards (``redact``), as a second layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any, AnyStr, Generic

__all__ = [
    "AuthenticationError",
    "DeadlineExceeded",
    "DecodeError",
    "InsufficientFundsError",
    "InvalidParameter",
    "IpBlockedError",
    "LimiterUnavailable",
    "Malformed",
    "MessageRejectedError",
    "NotFoundError",
    "OperationFailedError",
    "ParameterError",
    "RateLimitedError",
    "ResponseTooLarge",
    "ServerError",
    "SmscError",
    "SmscProtoError",
    "TransportError",
    "excerpt",
    "redacted",
    "scrub_credentials",
    "status_error",
]

_EXCERPT_LIMIT = 120
# The longest API error description kept; the API's own are a line long.
_DESCRIPTION_LIMIT = 500
_HIDDEN = "<hidden>"


class Malformed(ValueError):
    """A body does not have the shape expected of it (becomes a ``DecodeError``)."""


class SmscProtoError(Exception):
    """Base of every error raised by smsc-proto. Every one pickles with its attributes
    (multiprocessing, Celery results), without running its constructor again."""

    def redact(self, secrets: Iterable[str]) -> None:
        """Hide ``secrets`` wherever this error quotes a server's answer (nothing here)."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls cls(*args), which these constructors do not take.
        return (_unpickled, (type(self), self.args), dict(self.__dict__))


def _unpickled(cls: type[SmscProtoError], args: tuple[Any, ...]) -> SmscProtoError:
    error = cls.__new__(cls)
    error.args = args
    return error


class InvalidParameter(SmscProtoError, ValueError):
    """An operation was built with a bad parameter; nothing was sent. ``field`` names the
    parameter (or ``"a or b"`` for alternatives), ``value`` what was given, ``reason`` why."""

    def __init__(self, op: str, field: str, value: object, reason: str) -> None:
        self.op = op
        self.field = field
        self.value = value
        self.reason = reason
        # List parameters are kept as tuples; show them as the lists callers write.
        shown = repr(list(value) if isinstance(value, tuple) else value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        super().__init__(f"{op}: invalid {field}={shown}: {reason}")


class SmscError(SmscProtoError):
    """An error answered by the API: ``code`` is the API's number, ``op`` the op id."""

    def __init__(
        self,
        code: int,
        description: str,
        op: str,
        *,
        message_id: int | str | None = None,
    ) -> None:
        self.code = code
        # The server may echo the request form in its description: scrubbed, then cut (a
        # hostile one may be megabytes long).
        self._cut = len(description) > _DESCRIPTION_LIMIT
        if self._cut:
            self.description = _scrubbed_head(description, _DESCRIPTION_LIMIT)[:_DESCRIPTION_LIMIT] + "..."
        else:
            self.description = scrub_credentials(description)
        self.op = op
        # send.php errors 3, 6, 7, 8 carry the id of the message they concern (as sent: a
        # text id is the server's too).
        self.message_id = scrub_credentials(message_id) if isinstance(message_id, str) else message_id
        super().__init__(self._text())

    def _text(self) -> str:
        text = f"{self.op}: API error {self.code}"
        if self.description:
            text += f" ({self.description})"
        if self.message_id is not None:
            text += f", message id {self.message_id}"
        return text

    def redact(self, secrets: Iterable[str]) -> None:
        """A server that echoes the request form may put the password in the description."""
        self.description = _scrub(self.description, secrets, cut=self._cut)
        self.args = (self._text(),)


class ParameterError(SmscError):
    """Code 1 (and op-specific format errors): the API rejected the parameters."""


class AuthenticationError(SmscError):
    """Code 2: bad login/password or API key, or the caller's IP is not allowed."""


class IpBlockedError(SmscError):
    """Code 4: the caller's IP is temporarily blocked; do not retry at once."""


class RateLimitedError(SmscError):
    """Code 9: duplicate request, per-minute limit or too many concurrent connections.

    ``retry_after`` is set (in seconds) when the limit was enforced locally, before any I/O.
    """

    def __init__(
        self,
        code: int,
        description: str,
        op: str,
        *,
        message_id: int | str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, description, op, message_id=message_id)
        self.retry_after = retry_after


class InsufficientFundsError(SmscError):
    """Not enough money on the account (send 3, users 10)."""


class NotFoundError(SmscError):
    """The addressed object does not exist (task group, task, document, sub-login...)."""


class MessageRejectedError(SmscError):
    """send.php refused the message: forbidden text/sender, bad number, undeliverable."""


class OperationFailedError(SmscError):
    """The server failed to carry out the command (saving, deleting, creating)."""


class DecodeError(SmscProtoError):
    """The body is malformed or not the shape the op expects.

    ``excerpt`` is a short, printable start of the body, for diagnosis.
    """

    def __init__(self, op: str, reason: str, body: bytes | str = b"", *, status: int | None = None) -> None:
        self.op = op
        # A reason may quote a value of the body; the excerpt is scrubbed before it is cut.
        self.reason = scrub_credentials(reason)
        self.excerpt = excerpt(body)
        # The answer's HTTP status, where the body came with one.
        self.status = status
        super().__init__(self._text())

    def _text(self) -> str:
        text = f"{self.op}: cannot decode response: {self.reason}"
        if self.excerpt:
            text += f" (body starts {self.excerpt!r})"
        return text

    def redact(self, secrets: Iterable[str]) -> None:
        """Hide ``secrets`` from the excerpt: a proxy's error page may echo the request form."""
        self.excerpt = _scrub(self.excerpt, secrets)
        self.reason = _scrub(self.reason, secrets)
        self.args = (self._text(),)


class ServerError(DecodeError):
    """The server answered 5xx without an API error envelope: the service or a proxy before
    it failed (``status`` says how). Repeatable ops were retried on 500/502/503/504 first;
    an op that sends or creates may or may not have been carried out."""


def status_error(op: str, status: int, body: bytes | str, reason: str = "") -> DecodeError:
    """The error of a non-2xx answer that carries no API error: ``ServerError`` for a 5xx."""
    cls = ServerError if 500 <= status <= 599 else DecodeError
    return cls(op, reason or f"HTTP {status} without an API error envelope", body, status=status)


class TransportError(SmscProtoError):
    """The HTTP exchange failed: connection, TLS, timeout, or a body cut off mid-read. (A
    non-2xx answer without an API envelope is a ``DecodeError``: the server did answer.)"""

    def __init__(self, op: str, reason: str, *, sent: bool | None = None) -> None:
        self.op = op
        # An HTTP library's message may quote what the server sent (a bad status line).
        self.reason = scrub_credentials(reason)
        # None: unknown whether the request reached the server.
        self.sent = sent
        super().__init__(f"{op}: {self.reason}")


class DeadlineExceeded(TransportError):
    """The call's ``total_timeout`` passed (attempts, waits, reads and decoding together);
    ``sent`` says whether the request may have reached the server."""


class LimiterUnavailable(TransportError):
    """The limits of the login are kept in a store that cannot be reached (Redis down), and
    the limiter is configured to fail closed: nothing was sent (``sent`` is False). ``op``
    is ``"limits"``: the store is asked before any op is named to it."""

    def __init__(self, reason: str) -> None:
        super().__init__("limits", reason, sent=False)


class ResponseTooLarge(TransportError):
    """The answer is larger than ``max_body_size``; it was not read further. The server did
    answer (``sent`` is True): an op that creates or sends may have done so."""


def excerpt(body: bytes | str) -> str:
    """A short printable start of a body, credential parameters scrubbed (before the cut,
    so that no start of a secret is left); never long enough to carry a whole record."""
    if isinstance(body, bytes):
        # 4 bytes per character at most: enough bytes for the characters shown.
        body = _scrubbed_head(body, _EXCERPT_LIMIT * 4)[: _EXCERPT_LIMIT * 4].decode("utf-8", "replace")
    else:
        body = _scrubbed_head(body, _EXCERPT_LIMIT)
    body = body[:_EXCERPT_LIMIT]
    return "".join(ch if ch.isprintable() else "\\x%02x" % (ord(ch) & 0xFF) for ch in body)


def redacted(text: str, secrets: Iterable[str]) -> str:
    """``text`` with credential parameters scrubbed and every spelling of ``secrets`` hidden
    (log lines)."""
    return _scrub(scrub_credentials(text), secrets, cut=False)


def _scrub(text: str, secrets: Iterable[str], *, cut: bool = True) -> str:
    """``text`` without any spelling of any secret; ``cut``: ``text`` was shortened by the
    codec (an excerpt, a quoted value), so a secret's start before a cut is hidden too."""
    for secret in secrets:
        if secret:
            for form in _spellings(secret):
                text = text.replace(form, _HIDDEN)
                if cut:
                    text = _cut_short(text, form)
    return text


def _spellings(secret: str) -> set[str]:
    """How a secret may read in a body or a message: as sent, form- or URL-encoded, escaped
    in a JSON string, or in a Python repr with either quote."""
    from urllib.parse import quote, quote_plus

    import msgspec

    escaped = secret.replace("\\", "\\\\")
    return {
        secret,
        quote_plus(secret),
        quote(secret, safe=""),
        msgspec.json.encode(secret).decode()[1:-1],
        repr(secret)[1:-1],
        escaped.replace("'", "\\'"),
        escaped.replace('"', '\\"'),
    }


def _cut_short(text: str, secret: str) -> str:
    """Hide the start of ``secret`` where a quote of it was cut: at the end of ``text`` and
    before each ``...`` (excerpts and quoted values are shortened before they are scrubbed)."""
    ends = [len(text)]
    at = text.find("...")
    while at >= 0:
        ends.append(at)
        at = text.find("...", at + 3)
    for end in sorted(set(ends), reverse=True):
        for size in range(min(len(secret) - 1, end), 2, -1):
            if text.startswith(secret[:size], end - size):
                text = text[: end - size] + _HIDDEN + text[end:]
                break
    return text


# -- credential parameters, scrubbed by name ---------------------------------------------------
#
# Names whose values are secrets: the API's ``psw`` and ``apikey``, and the password spellings
# a proxy, a framework or a debug page may echo (``password``, ``passwd``, ``pass``, ``pwd``,
# ``api_key`` also as PHP reads ``api.key``/``api key``). ``login`` is not secret: it stays, so
# that an excerpt still says whose request it was. Names match in any case and as whole names
# (``bypass=`` or ``password_hint=`` are other parameters); escaped names (``ps\u0077``) are
# left to the exact-secret layer. Every pattern below reads each position a bounded number
# of times: bounded heads, possessive values that run to the end of a text cut inside them.
#
# The names after their first letter (``p``: pass, passwd, password, pwd, psw, pswc (a
# sub-client's current password); ``a``: apikey, api_key): a scan then fails at the first
# letter of most positions.
_P_TAIL = r"(?:ass(?:w(?:or)?d)?|wd|swc?)"
_A_TAIL = r"pi[_. ]?key"
# Before a key's first letter: no letter, digit or ``_`` (a whole name), or a %XX escape (a
# form encoded twice); looked at once the first letter matched, which is cheaper.
_WORD_START = r"(?:(?<![0-9A-Za-z_].)|(?<=%[0-9A-Fa-f]{2}.))"
# An element so named (``<psw>``, ``<psw type="x">``): its value is its text.
_TAG_HEAD = r"<(?:p" + _P_TAIL + r"|a" + _A_TAIL + r")(?:[ \t\r\n][^<>]{0,200})?>"
# A key: the name, a PHP array suffix (``[]``, ``[0]``, ``%5B%5D``), a closing quote or
# bracket (JSON and repr ``"psw":``, print_r ``[psw] =>``, var_dump ``["psw"]=>``, escaped
# once or more ``\"psw\":``, ``\\"psw\\":``), then the separator: ``=``, ``%3D``, ``:``,
# ``=>`` (var_dump puts the value on the next line), the ``value=`` of an HTML input, or
# the blank line after a multipart part's ``name="psw"`` (an echoed upload).
_KEY_HEAD = (
    r"(?:p" + _WORD_START + _P_TAIL + r"|a" + _WORD_START + _A_TAIL + r")"
    r"(?:\[[^\]\r\n]{0,32}\]|%5B[^&%\s]{0,32}%5D)?(?:\\{0,4}[\"'])?\]?[ \t]{0,16}"
    r"(?:=>[ \t]{0,16}(?:\r?\n[ \t]{0,16})?|(?:=|:|%3D|value[ \t]{0,16}=)[ \t]{0,16}|\r?\n\r?\n)"
)
# Longer than any head above: a value is looked for only where a head starts.
_HEAD_MAX = 256
# Values are never empty (an empty value hides nothing, and ``<hidden>`` is then left as it
# is: scrubbing twice changes nothing). Quoted: up to the closing quote (kept), escapes
# skipped; a quote before a letter or digit does not close (``"a\\"b"``: JSON quoted in a
# repr doubles the backslashes, and the count of escape levels is not known). Element text:
# up to the next tag, CDATA sections included, and ``<hidden>`` (else a second pass reads
# ``<psw =]]><hidden>`` as the key ``psw =`` instead of the element it was). Unquoted: up
# to the end of the line or an ``&`` that starts the next ``name=`` pair (``&amp;x=`` too;
# no name holds ``<``, so that a ``<psw>`` after it stays in the value and scrubbing twice
# changes nothing); any other ``&`` is the value's own (a decoded echo of ``a&=b``, an entity
# of ``a&lt;b``). Over-hiding the rest of a line is the price of a raw echo, where a password
# may hold spaces or quotes.
_TEXT_VALUE = r"(?:[^<]++|<hidden>|<!\[CDATA\[(?:[^\]]++|\](?!\]>))*+(?:\]\]>)?)++"
_DQ_VALUE = r"(?:[^\"\\]++|\\[\s\S]?|\"(?=[0-9A-Za-z]))++"
_SQ_VALUE = r"(?:[^'\\]++|\\[\s\S]?|'(?=[0-9A-Za-z]))++"
_BARE_VALUE = r"(?:[^&\r\n]++|&(?![^&=<>\r\n]{1,64}=))++"
# Five groups (head, tag, dq, sq, value): ``split`` hands them out in this order.
_FULL = (
    r"(?P<head>(?>(?P<tag>" + _TAG_HEAD + r")|" + _KEY_HEAD + r"(?>(?P<dq>\")|(?P<sq>')|)))"
    r"(?P<value>(?(tag)"
    + _TEXT_VALUE
    + r"|(?(dq)"
    + _DQ_VALUE
    + r"|(?(sq)"
    + _SQ_VALUE
    + r"|"
    + _BARE_VALUE
    + r"))))"
)


class _Scrubber(Generic[AnyStr]):
    """The patterns for one string type (bodies come as bytes or text)."""

    __slots__ = ("empty", "full", "head", "hidden")

    def __init__(self, head: AnyStr, full: AnyStr, hidden: AnyStr, empty: AnyStr) -> None:
        flags = re.ASCII | re.IGNORECASE  # ASCII: no long s for "s", no Kelvin sign for "k"
        self.head: re.Pattern[AnyStr] = re.compile(head, flags)
        self.full: re.Pattern[AnyStr] = re.compile(full, flags)
        self.hidden: AnyStr = hidden
        self.empty: AnyStr = empty


@cache
def _scrubbers() -> tuple[_Scrubber[str], _Scrubber[bytes]]:
    head = f"{_TAG_HEAD}|{_KEY_HEAD}"
    return (
        _Scrubber(head, _FULL, _HIDDEN, ""),
        _Scrubber(head.encode(), _FULL.encode(), _HIDDEN.encode(), b""),
    )


def _scrubber(text: AnyStr) -> _Scrubber[AnyStr]:
    text_scrubber, bytes_scrubber = _scrubbers()
    return bytes_scrubber if isinstance(text, bytes) else text_scrubber


def scrub_credentials(text: AnyStr) -> AnyStr:
    """``text`` with the value of every credential parameter replaced by ``<hidden>``,
    whatever the spelling: a form (``psw=..&``, URL-encoded, ``psw[]=``), JSON or a repr
    (``"psw": ".."``), XML (``<psw>..</psw>``), ``key = value`` text, PHP dumps. Needs no
    knowledge of the secret; linear in ``text``."""
    scrubber = _scrubber(text)
    parts = scrubber.full.split(text)
    count = len(parts) // 6
    if not count:
        return text
    # [before, head, tag, dq, sq, value, before, ...]: keep the heads, hide the values.
    parts[2::6] = parts[3::6] = parts[4::6] = [scrubber.empty] * count
    parts[5::6] = [scrubber.hidden] * count
    return scrubber.empty.join(parts)


def _scrubbed_head(text: AnyStr, size: int) -> AnyStr:
    """The start of ``scrub_credentials(text)``, ``size`` long at least (or all of it), read
    from no more of ``text`` than that start needs: an excerpt of a 64 MiB body does not
    scrub it whole. Same text by construction: the values are found from their heads, and
    only heads that start before the excerpt is full can change it."""
    scrubber = _scrubber(text)
    out: list[AnyStr] = []
    length = 0
    done = 0  # text[:done] is in ``out``
    at = 0  # where the next head may start
    while length < size:
        cutoff = done + size - length  # copied as it is, text up to here fills the excerpt
        head = scrubber.head.search(text, at, cutoff + _HEAD_MAX)
        if head is None or head.start() >= cutoff:
            out.append(text[done:cutoff])
            break
        found = scrubber.full.match(text, head.start())
        if found is None:  # a head with an empty value: nothing to hide there
            at = head.start() + 1
            continue
        piece = text[done : found.start("value")]
        out += (piece, scrubber.hidden)
        length += len(piece) + len(scrubber.hidden)
        done = at = found.end()
    return scrubber.empty.join(out)
