"""Where the Redis server is, as redis-py itself reads its URL: what errors, logs and ``repr``
may show (host, port, db) apart from what they must never show (the URL's username and
password).

    >>> address = RedisAddress.parse("redis://worker:s3cret@10.0.0.7:6380/2")
    >>> address.where, address.db
    ('10.0.0.7:6380', 2)
    >>> "s3cret" in repr(address)
    False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis
from redis.exceptions import AuthenticationError, AuthenticationWrongNumberOfArgsError

from smsc_proto.errors import redacted

__all__ = ["RedisAddress"]

_SCHEMES = ("redis", "rediss", "unix")
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
        """Read ``url`` as redis-py does (``redis.ConnectionPool.from_url``: its query options
        checked too); ``ValueError`` saying what is wrong, never quoting the URL or a parser's
        message about it (either may hold a password). A username or password holding an
        unencoded ``#``, ``?`` or ``/`` would be read partly as the host, port or database
        (and so shown): such a URL is refused, as is any ``@`` past the host.

        >>> RedisAddress.parse("redis://:12#x@localhost:6379/0")
        Traceback (most recent call last):
        ...
        ValueError: url: an '@' past the host: percent-encode any '@', '#', '?', '/' in the credentials
        """
        if not isinstance(url, str):
            raise TypeError(f"url: a str like 'redis://127.0.0.1:6379/0', not {type(url).__name__}")
        try:
            parts = urlsplit(url)
        except ValueError:  # its message may quote a bracketed part: a password's
            raise ValueError("url: unreadable (an unencoded '[' or ']' outside an IPv6 host?)") from None
        if parts.scheme not in _SCHEMES:
            scheme = parts.scheme if parts.scheme.isalnum() and len(parts.scheme) < 12 else "?"
            raise ValueError(f"url: the scheme {scheme!r} is not one of redis://, rediss://, unix://")
        unix = parts.scheme == "unix"
        # Only an '@' ends the credentials: one past the host means they were cut short (an
        # unencoded '#', '?' or '/'), the rest read as host, port, path or query. A unix
        # socket's own path may hold one (unix:///run/redis@1.sock).
        if "@" in parts.query + parts.fragment or ("@" in parts.path and not (unix and not parts.netloc)):
            raise ValueError(
                "url: an '@' past the host: percent-encode any '@', '#', '?', '/' in the credentials"
            )
        try:
            parts.port  # noqa: B018 -- redis-py's own message would quote it
        except ValueError:
            if not unix:
                raise ValueError("url: the port is not a number from 0 to 65535") from None
        try:
            options = redis.ConnectionPool.from_url(url).connection_kwargs  # connects nothing
        except ValueError as exc:
            reason = str(exc) if "://" not in str(exc) else "redis-py cannot read it"
            raise ValueError(f"url: {reason}") from None
        path = options.get("path")
        if unix and not path:
            raise ValueError("url: unix:// needs the socket's path (unix:///run/redis.sock)")
        if not unix and "db" not in options and parts.path.strip("/"):
            raise ValueError("url: the database number (the path, or ?db=) is not a number")
        secrets = tuple(str(options[name]) for name in ("password", "username") if options.get(name))
        if unix:
            return cls(None, None, str(path), int(options.get("db", 0)), secrets)
        host, port = str(options.get("host", "localhost")), int(options.get("port", 6379))
        return cls(host, port, None, int(options.get("db", 0)), secrets)

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
