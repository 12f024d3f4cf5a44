"""The one error hierarchy of smsc-proto.

``SmscError`` is an error the API itself returned (an ``ERROR = N`` envelope in any fmt);
its subclass says what the code means *for that op*, since the same number means different
things on different endpoints. ``DecodeError`` is a body the codec could not make sense of.
``InvalidOperation`` is bad input caught before anything is sent. ``TransportError`` is a
failure of the HTTP exchange itself (raised by transports, defined here so callers need one
import).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = [
    "AuthenticationError",
    "DecodeError",
    "InsufficientFundsError",
    "InvalidOperation",
    "IpBlockedError",
    "MessageRejectedError",
    "NotFoundError",
    "OperationFailedError",
    "ParameterError",
    "RateLimitedError",
    "SmscError",
    "SmscProtoError",
    "TransportError",
]

_EXCERPT_LIMIT = 120


class SmscProtoError(Exception):
    """Base of every error raised by smsc-proto."""


class InvalidOperation(SmscProtoError, ValueError):
    """An operation was built with a bad parameter; nothing was sent."""

    def __init__(self, op: str, field: str, value: object, reason: str) -> None:
        self.op = op
        self.field = field
        self.value = value
        self.reason = reason
        shown = repr(value)
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
        text = f"{op}: API error {code}"
        if description:
            text += f" ({description})"
        if message_id is not None:
            text += f", message id {message_id}"
        super().__init__(text)


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
        for secret in secrets:
            if not secret:
                continue
            for form in {secret, quote_plus(secret), quote(secret, safe="")}:
                self.excerpt = self.excerpt.replace(form, "<hidden>")
                self.reason = self.reason.replace(form, "<hidden>")
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
