"""Hostile servers against both clients, on loopback: time, memory and outcome per attack.

    python benchmarks/bench_hostile_servers.py [--cap 20] [--kinds urllib3,aiohttp]

Each attack runs in a fresh worker process (its peak RSS growth is its own) against a
misbehaving server of tests/hostile_server.py run by this process. The worker imports
smsc_proto and the transports from its PYTHONPATH, so the same script measures an older
checkout too (``PYTHONPATH=/tmp/before:/tmp/before/transports``): options the checkout does
not know (``total_timeout``, ``max_body_size``) are left out there. A worker still running
after ``--cap`` seconds is stopped and reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

# name -> (server behaviour and options, what the worker calls, client options)
ATTACKS: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    "status line dripped, 1 byte / 0.5 s": (
        {"behaviour": "drip_status", "interval": 0.5},
        "balance",
        {"read_timeout": 2, "total_timeout": 5},
    ),
    "body dripped, 1 byte / 0.5 s": (
        {"behaviour": "drip_body", "interval": 0.5, "body": b'{"balance": "' + b"1" * 30 + b'"}'},
        "balance",
        {"read_timeout": 2, "total_timeout": 5},
    ),
    "200 MB answer to balance, announced": (
        {"behaviour": "huge", "size": 200 * 2**20},
        "balance",
        {},
    ),
    "200 MB answer to balance, chunked": (
        {"behaviour": "huge", "size": 200 * 2**20, "announce": False},
        "balance",
        {},
    ),
    "send: TLS handshake stalled, backup host good": (
        {"behaviour": "silent", "tls": True},
        "send",
        {"connect_timeout": 1},
    ),
    "balance: body reset mid-way, backup host good": (
        {"behaviour": "reset", "body": b'{"balance": "' + b"1" * 30 + b'"}'},
        "balance",
        {},
    ),
    "2 clients of one login, 20 calls at once": (
        {"behaviour": "slow", "interval": 0.5},
        "crowd",
        {"rate_limits": False},
    ),
}


def worker(kind: str, action: str, hosts: list[str], options: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    from smsc_proto import Balance, Credentials, Send
    from smsc_proto.policy import PolicyConfig

    known = set(getattr(PolicyConfig, "OPTIONS", ())) | {f for f in ("max_attempts", "backoff")}
    options = {k: v for k, v in options.items() if k in known or not known}
    creds = Credentials(login="bench", psw="bench-password")
    op: Any = Balance() if action != "send" else Send(phones=["79991234567"], mes="Hi")

    def rss() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    before = rss()
    start = time.monotonic()
    try:
        if kind == "urllib3":
            from smsc_urllib3 import Client

            clients = [Client(creds, hosts=hosts, **options) for _ in range(2)]
            if action == "crowd":
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(20) as pool:
                    list(pool.map(lambda i: clients[i % 2].call(op), range(20)))
                outcome = "20 results"
            else:
                outcome = type(clients[0].call(op)).__name__
        else:
            from smsc_aiohttp import AsyncClient

            async def run() -> str:
                clients = [AsyncClient(creds, hosts=hosts, **options) for _ in range(2)]
                try:
                    if action == "crowd":
                        await asyncio.gather(*(clients[i % 2].call(op) for i in range(20)))
                        return "20 results"
                    return type(await clients[0].call(op)).__name__
                finally:
                    for client in clients:
                        await client.close()

            outcome = asyncio.run(run())
    except Exception as exc:
        outcome = f"{type(exc).__name__}(sent={getattr(exc, 'sent', '-')})"
    return {"seconds": time.monotonic() - start, "rss_mb": rss() - before, "outcome": outcome}


def measure(name: str, kind: str, cap: float) -> dict[str, Any]:
    from hostile_server import HostileServer

    server_options, action, client_options = ATTACKS[name]
    server_options = dict(server_options)
    behaviour = server_options.pop("behaviour")
    tls = server_options.pop("tls", False)
    with (
        HostileServer(behaviour, **server_options) as server,
        HostileServer("slow", interval=0, body=b'{"balance": "1", "id": 5, "cnt": 1}') as backup,
    ):
        hosts = [server.tls_url if tls else server.url, backup.url]
        code = (
            f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import bench_hostile_servers as b; "
            f"print(json.dumps(b.worker({kind!r}, {action!r}, {hosts!r}, {client_options!r})))"
        )
        try:
            out = subprocess.run(
                [sys.executable, "-c", code],
                check=False,
                capture_output=True,
                text=True,
                timeout=cap,
                env=dict(os.environ),
            )
        except subprocess.TimeoutExpired:
            return {"seconds": cap, "rss_mb": float("nan"), "outcome": f"still running after {cap:g} s"}
        if out.returncode:
            return {"seconds": float("nan"), "rss_mb": float("nan"), "outcome": out.stderr.strip()[-120:]}
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        served = f"{server.requests} req, {server.most_in_flight} at once"
        result["server"] = f"{served}, {server.sent_bytes >> 20} MB out"
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cap", type=float, default=20.0)
    parser.add_argument("--kinds", default="urllib3,aiohttp")
    args = parser.parse_args()
    print(f"{'attack':48} {'client':8} {'seconds':>8} {'+MB':>7}  outcome | server side")
    for name in ATTACKS:
        for kind in args.kinds.split(","):
            r = measure(name, kind, args.cap)
            line = f"{name:48} {kind:8} {r['seconds']:8.1f} {r['rss_mb']:7.1f}  {r['outcome']}"
            print(f"{line} | {r.get('server', '')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
