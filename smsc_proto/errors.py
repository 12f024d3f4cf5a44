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
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AuthenticationError",
    "DecodeError",
    "InsufficientFundsError",
    "InvalidParameter",
    "IpBlockedError",
    "Malformed",
    "MessageRejectedError",
    "NotFoundError",
    "OperationFailedError",
    "ParameterError",
    "RateLimitedError",
    "SmscError",
    "SmscProtoError",
    "TransportError",
    "excerpt",
]

_EXCERPT_LIMIT = 120
_HIDDEN = "<hidden>"


class Malformed(ValueError):
    """A body does not have the shape expected of it (becomes a ``DecodeError``)."""


class SmscProtoError(Exception):
    """Base of every error raised by smsc-proto."""

    def redact(self, secrets: Iterable[str]) -> None:
        """Hide ``secrets`` wherever this error quotes a server's answer (nothing here)."""


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
        self.description = description
        self.op = op
        # send.php errors 3, 6, 7, 8 carry the id of the message they concern.
        self.message_id = message_id
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
        self.description = _scrub(self.description, secrets, cut=False)
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

    def __init__(self, op: str, reason: str, body: bytes | str = b"") -> None:
        self.op = op
        self.reason = reason
        self.excerpt = excerpt(body)
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


class TransportError(SmscProtoError):
    """The HTTP exchange failed: connection, TLS, timeout, or a body cut off mid-read. (A
    non-2xx answer without an API envelope is a ``DecodeError``: the server did answer.)"""

    def __init__(self, op: str, reason: str, *, sent: bool | None = None) -> None:
        self.op = op
        self.reason = reason
        # None: unknown whether the request reached the server.
        self.sent = sent
        super().__init__(f"{op}: {reason}")


def excerpt(body: bytes | str) -> str:
    """A short printable start of a body; never long enough to carry a whole record."""
    if isinstance(body, bytes):
        body = body[: _EXCERPT_LIMIT * 4].decode("utf-8", "replace")
    body = body[:_EXCERPT_LIMIT]
    return "".join(ch if ch.isprintable() else "\\x%02x" % (ord(ch) & 0xFF) for ch in body)


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
