"""Proxies, and a caller's own pool or session: ``proxy=`` and the environment
(``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``) for both clients, against a forwarding proxy on
loopback; a ``pool_manager``/``session`` the caller owns is used and never closed."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp
import pytest
import urllib3
from proxy_support import Proxy
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client
from transport_support import Reply, Server

from smsc_proto import Balance, Credentials, PolicyConfig, TransportError
from smsc_proto.client_options import ClientOptions

CREDS = Credentials(apikey="k")
BALANCE = Reply('{"balance": "10.00"}')


def _call(kind: str, hosts: list[str], **options: Any) -> Any:
    if kind == "urllib3":
        with Client(CREDS, hosts=hosts, max_attempts=1, **options) as client:
            return client.call(Balance())

    async def run() -> Any:
        async with AsyncClient(CREDS, hosts=hosts, max_attempts=1, **options) as client:
            return await client.call(Balance())

    return asyncio.run(run())


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_an_explicit_proxy_carries_the_request_and_its_credentials(kind: str) -> None:
    with Server(BALANCE) as server, Proxy() as proxy:
        with_auth = proxy.url.replace("http://", "http://agent:s%3Acret@")
        assert str(_call(kind, [server.url], proxy=with_auth).balance) == "10.00"
    ((url, auth),) = proxy.seen
    assert url == f"{server.url}/sys/balance.php"
    assert auth == "Basic " + base64.b64encode(b"agent:s:cret").decode()
    assert len(server.requests) == 1 and server.requests[0].form["apikey"] == "k"


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_the_environment_s_proxy_is_used_unless_no_proxy_names_the_host(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = "http://api.smsc.invalid"  # never resolves: only the proxy can reach it
    with Server(BALANCE) as server, Proxy(route_to=server.url) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "example.com")
        assert str(_call(kind, [host]).balance) == "10.00"
        assert [url for url, _ in proxy.seen] == [f"{host}/sys/balance.php"]
        monkeypatch.setenv("no_proxy", ".smsc.invalid")  # lower case wins
        with pytest.raises(TransportError):
            _call(kind, [host])
        monkeypatch.delenv("no_proxy")
        with pytest.raises(TransportError):
            _call(kind, [host], trust_env=False)
        assert len(proxy.seen) == 1


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_loopback_is_never_sent_to_the_environment_s_proxy(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Server(BALANCE) as server, Proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        _call(kind, [server.url])
        assert proxy.seen == [] and len(server.requests) == 1


def test_which_proxy_a_host_takes() -> None:
    options = ClientOptions(PolicyConfig())
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2", "ALL_PROXY": "http://all:3"}
    assert options.proxy_for("https://smsc.ru", env) == "http://lower:2"
    assert options.proxy_for("http://smsc.ru", env) == "http://all:3"
    assert options.proxy_for("https://smsc.ru", {**env, "NO_PROXY": "*"}) is None
    assert options.proxy_for("https://www2.smsc.ru", {**env, "NO_PROXY": "smsc.ru"}) is None
    assert options.proxy_for("https://notsmsc.ru", {**env, "NO_PROXY": "smsc.ru"}) == "http://lower:2"
    assert options.proxy_for("https://smsc.ru:8443", {**env, "NO_PROXY": "smsc.ru:443"}) == "http://lower:2"
    assert options.proxy_for("https://127.0.0.1:8080", env) is None
    assert ClientOptions(PolicyConfig(), trust_env=False).proxy_for("https://smsc.ru", env) is None
    explicit = ClientOptions(PolicyConfig(), proxy="http://mine:8")
    assert explicit.proxy_for("https://127.0.0.1", env) == "http://mine:8"
    assert ClientOptions(PolicyConfig(), proxy="").proxy_for("https://smsc.ru", env) is None


@pytest.mark.parametrize(
    "proxy", ["ftp://proxy:21", "proxy:3128", "http://agent:pw-secret@", 3128, "http://p:1\r\nX: y"]
)
def test_a_bad_proxy_is_refused_without_showing_it(proxy: Any) -> None:
    for cls in (Client, AsyncClient):
        with pytest.raises(ValueError, match="proxy: give an http:// or https:// URL") as caught:
            cls(CREDS, proxy=proxy)
        assert "secret" not in str(caught.value) and "proxy:21" not in str(caught.value)


def test_the_caller_s_pool_manager_is_used_and_left_open() -> None:
    class Counting(urllib3.PoolManager):
        calls = 0

        def urlopen(self, *args: Any, **kwargs: Any) -> Any:
            Counting.calls += 1
            return super().urlopen(*args, **kwargs)

    manager = Counting()
    with Server(BALANCE, BALANCE) as server:
        with Client(CREDS, hosts=[server.url], pool_manager=manager) as client:
            client.call(Balance())
        assert Counting.calls == 1 and manager.pools  # used, and its pools not cleared
        with Client(CREDS, hosts=[server.url], pool_manager=manager) as client:
            client.call(Balance())
        assert Counting.calls == 2
    with pytest.raises(ValueError, match="pool_manager and proxy"):
        Client(CREDS, pool_manager=manager, proxy="http://p:1")


def test_the_caller_s_session_is_used_and_left_open() -> None:
    async def run() -> None:
        with Server(BALANCE) as server:
            async with aiohttp.ClientSession() as session:
                async with AsyncClient(CREDS, hosts=[server.url], session=session) as client:
                    assert str((await client.call(Balance())).balance) == "10.00"
                assert not session.closed
                assert len(server.requests) == 1

    asyncio.run(run())
