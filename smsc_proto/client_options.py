"""What every transport's constructor shares: its options, checked once, here.

A transport takes ``**options``: the ``PolicyConfig`` options, plus ``ca_certs``,
``user_agent`` and ``chunk_size``; ``clock`` and ``sleep`` stay with the transport, since
they are I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from smsc_proto._version import __version__
from smsc_proto.http import HttpRequest
from smsc_proto.policy import PolicyConfig

__all__ = ["USER_AGENT", "ClientOptions", "failure_detail"]

USER_AGENT = f"smsc-proto/{__version__}"


class ClientOptions:
    __slots__ = ("_headers", "ca_certs", "chunk_size", "config", "user_agent")

    def __init__(
        self,
        config: PolicyConfig,
        ca_certs: str | None = None,
        user_agent: str = USER_AGENT,
        chunk_size: int = 65536,
    ) -> None:
        self.config = config
        self.ca_certs = ca_certs
        self.user_agent = user_agent
        self.chunk_size = chunk_size
        self._headers: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}

    def headers(self, request: HttpRequest) -> dict[str, str]:
        """The HTTP headers of ``request``, the user agent added; one dict per kind of body
        (every form has the same), built once. A multipart body has a boundary of its own:
        its headers are built each time, so that the cache stays bounded."""
        if request.files:
            return {**dict(request.headers), "User-Agent": self.user_agent}
        found = self._headers.get(request.headers)
        if found is None:
            found = self._headers[request.headers] = {**dict(request.headers), "User-Agent": self.user_agent}
        return found

    @classmethod
    def parse(cls, client: str, hosts: Sequence[str], options: dict[str, Any]) -> ClientOptions:
        """Split a client's ``**options`` (``clock`` and ``sleep`` already taken out);
        ``TypeError`` names an unknown option, ``ValueError`` a bad value."""
        options = dict(options)
        ca_certs = options.pop("ca_certs", None)
        user_agent = options.pop("user_agent", None) or USER_AGENT
        chunk_size = options.pop("chunk_size", 65536)
        if not isinstance(user_agent, str) or not user_agent.isascii() or not user_agent.isprintable():
            # A CR/LF would split the header; urllib3 and aiohttp would raise at call time.
            raise ValueError(f"user_agent={user_agent!r}: must be printable ASCII on one line")
        if isinstance(hosts, str):  # tuple() would split it into characters
            raise ValueError("hosts: give a sequence of base URLs, not one string")
        unknown = sorted(set(options) - set(PolicyConfig.OPTIONS))
        if unknown:
            raise TypeError(f"{client}: unknown option(s): {', '.join(unknown)}")
        if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
            raise ValueError(f"chunk_size={chunk_size!r}: must be a positive int")
        return cls(PolicyConfig(hosts=tuple(hosts), **options), ca_certs, user_agent, chunk_size)


def failure_detail(exc: BaseException) -> str:
    """An I/O exception as a short reason. HTTP libraries name the host and socket error in
    their messages; request bodies never reach them."""
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
