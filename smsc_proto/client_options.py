"""What every transport's constructor shares: its options, checked once, here.

A transport takes ``**options``: the ``PolicyConfig`` options, plus ``ca_certs``,
``user_agent``, ``chunk_size``, ``proxy`` and ``trust_env``; ``clock`` and ``sleep`` stay
with the transport, since they are I/O, and so do a caller's own connection pool or
session.

Which proxy a host is reached through is decided here, once for both transports
(``proxy_for``): the ``proxy`` option (``""``: none), else, with ``trust_env``, the
environment's ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` unless ``NO_PROXY`` names the
host. A loopback host is never sent to an environment's proxy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from smsc_proto._version import __version__
from smsc_proto.http import HttpRequest
from smsc_proto.policy import PolicyConfig

__all__ = ["USER_AGENT", "ClientOptions", "Proxy", "failure_detail"]

USER_AGENT = f"smsc-proto/{__version__}"


class ClientOptions:
    __slots__ = ("_headers", "ca_certs", "chunk_size", "config", "proxy", "trust_env", "user_agent")

    def __init__(
        self,
        config: PolicyConfig,
        ca_certs: str | None = None,
        user_agent: str = USER_AGENT,
        chunk_size: int = 65536,
        *,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        self.config = config
        self.ca_certs = ca_certs
        self.user_agent = user_agent
        self.chunk_size = chunk_size
        self.proxy = proxy
        self.trust_env = trust_env
        self._headers: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}

    def proxies(self, environ: Mapping[str, str]) -> dict[str, Proxy | None]:
        """The proxy of each of the configured hosts (None: direct), as ``proxy_for``."""
        return {host: self.proxy_for(host, environ) for host in self.config.hosts}

    def proxy_for(self, host: str, environ: Mapping[str, str]) -> Proxy | None:
        """The proxy to reach base URL ``host`` through, or None (``environ``: the process
        environment, which the transport reads). A malformed value in the environment is a
        ``ValueError`` naming the variable, not its value (it may hold a password).

        >>> options = ClientOptions(PolicyConfig())
        >>> options.proxy_for("https://smsc.ru", {"HTTPS_PROXY": "http://u:pw@proxy:3128"})
        Proxy(url='http://proxy:3128', user='u', password=<hidden>)
        >>> options.proxy_for("https://smsc.ru", {"https_proxy": "http://proxy:3128", "no_proxy": "smsc.ru"})
        """
        if self.proxy is not None:
            return Proxy.parse(self.proxy) if self.proxy else None
        if not self.trust_env:
            return None
        parts = urlsplit(host)
        hostname = parts.hostname or ""
        if hostname in {"localhost", "::1"} or hostname.startswith("127."):
            return None
        # A lower-case name wins over its upper-case twin, as curl and urllib read them.
        ordered = sorted(environ.items(), key=lambda item: item[0].islower())
        found = {name.lower(): (name, value) for name, value in ordered}
        name, value = found.get(f"{parts.scheme}_proxy") or found.get("all_proxy") or ("", "")
        if not value:
            return None
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        if _bypassed(hostname, port, found.get("no_proxy", ("", ""))[1]):
            return None
        if not _is_proxy_url(value):
            raise ValueError(f"{name} is not an http:// or https:// proxy URL")
        return Proxy.parse(value)

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
        proxy = options.pop("proxy", None)
        trust_env = options.pop("trust_env", True)
        if proxy is not None and not _is_proxy_url(proxy):
            # The value is not shown: a proxy URL may hold a password.
            raise ValueError('proxy: give an http:// or https:// URL (or "" for none)')
        if not isinstance(trust_env, bool):
            raise ValueError(f"trust_env={trust_env!r}: must be True or False")
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
        config = PolicyConfig(hosts=tuple(hosts), **options)
        return cls(config, ca_certs, user_agent, chunk_size, proxy=proxy, trust_env=trust_env)


def _bypassed(hostname: str, port: int | None, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` names the host: ``*``, the name, a domain it is in (``.smsc.ru``
    or ``smsc.ru``), with a port only that port."""
    for entry in no_proxy.replace(" ", "").lower().split(","):
        name, _, entry_port = entry.partition(":")
        name = name.lstrip(".")
        if entry == "*" or (
            name
            and (hostname == name or hostname.endswith("." + name))
            and (not entry_port or entry_port == str(port))
        ):
            return True
    return False


def _is_proxy_url(value: object) -> bool:
    if value == "":
        return True
    if not isinstance(value, str) or not value.isprintable() or not value.isascii():
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError when out of range
    except ValueError:  # a bad IPv6 address, a port beyond 65535
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class Proxy:
    """A proxy: its ``url`` without credentials, and ``user``/``password`` apart, so that the
    password never travels in a URL an HTTP library may quote in its errors."""

    __slots__ = ("password", "url", "user")

    def __init__(self, url: str, user: str | None = None, password: str | None = None) -> None:
        self.url = url
        self.user = user
        self.password = password

    @classmethod
    def parse(cls, value: str) -> Proxy:
        parts = urlsplit(value)
        bare = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        if parts.username is None:
            return cls(bare)
        return cls(bare, unquote(parts.username), unquote(parts.password or ""))

    @property
    def headers(self) -> dict[str, str]:
        """``Proxy-Authorization`` (basic) when the proxy has a user, else nothing."""
        if self.user is None:
            return {}
        import base64

        pair = f"{self.user}:{self.password or ''}".encode()
        return {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def __repr__(self) -> str:
        hidden = "" if self.password is None else ", password=<hidden>"
        user = "" if self.user is None else f", user={self.user!r}"
        return f"Proxy(url={self.url!r}{user}{hidden})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Proxy):
            return NotImplemented
        return (self.url, self.user, self.password) == (other.url, other.user, other.password)

    def __hash__(self) -> int:
        return hash((self.url, self.user, self.password))


def failure_detail(exc: BaseException) -> str:
    """An I/O exception as a short reason. HTTP libraries name the host and socket error in
    their messages; request bodies never reach them."""
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
