"""Proxies, and a caller's own pool or session: ``proxy=`` and the environment
(``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``) for both clients, against a forwarding proxy on
loopback; a ``pool_manager``/``session`` the caller owns is used and never closed."""

from __future__ import annotations

import asyncio
import base64
import logging
from typing import Any

import aiohttp
import pytest
import urllib3
from proxy_support import Proxy
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client
from transport_support import Reply, Server, refusing_host

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
    def url(options: ClientOptions, host: str, env: dict[str, str]) -> str | None:
        proxy = options.proxy_for(host, env)
        return None if proxy is None else proxy.url

    options = ClientOptions(PolicyConfig())
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2", "ALL_PROXY": "http://all:3"}
    assert url(options, "https://smsc.ru", env) == "http://lower:2"
    assert url(options, "http://smsc.ru", env) == "http://all:3"
    assert url(options, "https://smsc.ru", {**env, "NO_PROXY": "*"}) is None
    assert url(options, "https://www2.smsc.ru", {**env, "NO_PROXY": "smsc.ru"}) is None
    assert url(options, "https://notsmsc.ru", {**env, "NO_PROXY": "smsc.ru"}) == "http://lower:2"
    assert url(options, "https://smsc.ru", {**env, "NO_PROXY": "smsc.ru:443"}) is None  # the default port
    assert url(options, "https://smsc.ru:8443", {**env, "NO_PROXY": "smsc.ru:443"}) == "http://lower:2"
    assert url(options, "https://127.0.0.1:8080", env) is None
    assert url(ClientOptions(PolicyConfig(), trust_env=False), "https://smsc.ru", env) is None
    assert (
        url(ClientOptions(PolicyConfig(), proxy="http://mine:8"), "https://127.0.0.1", env) == "http://mine:8"
    )
    assert url(ClientOptions(PolicyConfig(), proxy=""), "https://smsc.ru", env) is None
    with_user = ClientOptions(PolicyConfig(), proxy="http://a%40b:p%3Aw@mine:8").proxy_for(
        "https://smsc.ru", {}
    )
    assert with_user is not None and (with_user.url, with_user.user, with_user.password) == (
        "http://mine:8",
        "a@b",
        "p:w",
    )
    assert "p:w" not in repr(with_user) and with_user.headers == {"Proxy-Authorization": "Basic YUBiOnA6dw=="}


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


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_a_proxy_s_password_is_in_no_error_and_no_log(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with refusing_host() as dead, pytest.raises(TransportError) as caught:
        _call(kind, ["https://smsc.ru"], proxy=dead.replace("http://", "http://agent:pw-secret@"))
    assert "pw-secret" not in str(caught.value) and "pw-secret" not in repr(caught.value)
    assert all("pw-secret" not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "value", ["proxy.corp:3128", "socks5://proxy:1080", "http://u:p@[bad", "http://h:99999"]
)
def test_a_malformed_proxy_in_the_environment_names_the_variable(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", value)
    for cls in (Client, AsyncClient):
        with pytest.raises(ValueError, match="HTTPS_PROXY is not an http:// or https:// proxy URL") as caught:
            cls(CREDS)
        assert value not in str(caught.value)


def test_a_caller_s_pool_manager_is_left_as_configured_and_a_send_through_it_is_not_repeated() -> None:
    from smsc_proto import Send

    manager = urllib3.PoolManager()
    classes = dict(manager.pool_classes_by_scheme)
    with Server(Reply("", stall=5), Reply('{"id": 1, "cnt": 1}')) as server:
        with Client(
            CREDS, hosts=[server.url], pool_manager=manager, read_timeout=0.3, max_attempts=2
        ) as client, pytest.raises(TransportError) as caught:
            client.call(Send(phones=["79991234567"], mes="once"))
        assert len(server.requests) == 1  # it may have been sent: never sent again
    assert caught.value.sent is None and "not retried" in str(caught.value)
    assert manager.pool_classes_by_scheme == classes
