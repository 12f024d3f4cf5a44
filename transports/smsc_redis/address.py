"""Where the Redis server is, read once from its URL: what errors, logs and ``repr`` may show
(host, port, db) apart from what they must never show (the URL's username and password).

    >>> address = RedisAddress.parse("redis://worker:s3cret@10.0.0.7:6380/2")
    >>> address.where, address.db
    ('10.0.0.7:6380', 2)
    >>> "s3cret" in repr(address)
    False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from redis.exceptions import AuthenticationError, AuthenticationWrongNumberOfArgsError

from smsc_proto.errors import redacted

__all__ = ["RedisAddress"]

_SCHEMES = ("redis", "rediss", "unix")
_DEFAULT_PORT = 6379
# The most of a Redis client's message an error quotes: enough to tell refused from timeout.
_MESSAGE_LIMIT = 200
_AUTHENTICATION = (AuthenticationError, AuthenticationWrongNumberOfArgsError)


@dataclass(frozen=True)
class RedisAddress:
    """The server a ``RedisLimiter`` talks to: ``host``/``port`` (TCP) or ``path`` (a unix
    socket), the database number, and, kept out of ``repr``, the URL's username and password
    so that they can be hidden from any message that might quote them.

    >>> RedisAddress.parse("unix:///run/redis.sock?db=1").where
    'unix:/run/redis.sock'
    """

    host: str | None
    port: int | None
    path: str | None
    db: int
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def parse(cls, url: str) -> RedisAddress:
        """Read ``url`` (``redis://``, ``rediss://`` or ``unix://``); ``ValueError`` saying what
        is wrong with it, never quoting it (it may hold a password).

        >>> RedisAddress.parse("http://127.0.0.1:6379")
        Traceback (most recent call last):
        ...
        ValueError: url: the scheme 'http' is not one of redis://, rediss://, unix://
        """
        if not isinstance(url, str):
            raise TypeError(f"url: a str like 'redis://127.0.0.1:6379/0', not {type(url).__name__}")
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            scheme = parts.scheme if parts.scheme.isalnum() and len(parts.scheme) < 12 else "?"
            raise ValueError(f"url: the scheme {scheme!r} is not one of redis://, rediss://, unix://")
        secrets = tuple(unquote(s) for s in (parts.password, parts.username) if s)
        query = parse_qs(parts.query)
        db_text = query.get("db", [""])[0]
        if parts.scheme == "unix":
            if not parts.path:
                raise ValueError("url: unix:// needs the socket's path (unix:///run/redis.sock)")
            host, port, path = None, None, unquote(parts.path)
        else:
            try:
                port = parts.port or _DEFAULT_PORT
            except ValueError:
                raise ValueError("url: the port is not a number from 0 to 65535") from None
            host, path = parts.hostname or "localhost", None
            if not db_text:
                db_text = parts.path.lstrip("/")
        if db_text and not db_text.isdigit():
            raise ValueError("url: the database number (the path, or ?db=) is not a number")
        return cls(host, port, path, int(db_text or 0), secrets)

    @property
    def where(self) -> str:
        """``host:port`` or ``unix:path``: how messages name the server."""
        if self.path is not None:
            return f"unix:{self.path}"
        host = f"[{self.host}]" if self.host and ":" in self.host else self.host
        return f"{host}:{self.port}"

    def describe(self, exc: BaseException) -> str:
        """Why the server could not be used, from a Redis client's exception: its class and
        message, any spelling of the URL's username or password hidden (a client may quote
        its connection settings)."""
        if isinstance(exc, _AUTHENTICATION):
            # In our words: the client's own ("invalid username-password pair") says nothing
            # more, and would quote words a password may share.
            message = "the server refused the credentials of the URL"
        else:
            message = redacted(str(exc), self.secrets)[:_MESSAGE_LIMIT]
        detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
        return f"Redis at {self.where} unreachable ({detail})"
