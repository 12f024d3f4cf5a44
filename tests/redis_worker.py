"""A worker process of the smsc_redis tests: another process (as another machine would be)
using the same Redis and login. Run as ``python redis_worker.py <mode> <json options>``;
it prints one JSON line per step on stdout.

- ``hold``: take ``slots`` leases, print ``{"held": n}``, then sleep until killed;
- ``calls``: print ``{"ready": true}``, wait for a line on stdin, then make ``rounds`` rounds
  of ``concurrent`` concurrent ``AsyncClient.call(Balance())`` and print how many succeeded
  and the errors;
- ``send``: one ``Client.call(Send(...))``; prints the error's class name (or "ok").
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from smsc_aiohttp import AsyncClient
from smsc_redis import RedisLimiter
from smsc_urllib3 import Client

from smsc_proto import Balance, Credentials, Send, SmscProtoError


def _say(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _credentials(options: dict[str, Any]) -> Credentials:
    return Credentials(login=options["login"], psw=options["psw"])


def _limiter(options: dict[str, Any]) -> RedisLimiter:
    return RedisLimiter(options["url"], prefix=options["prefix"], **options.get("limiter", {}))


def hold(options: dict[str, Any]) -> None:
    limits = _limiter(options).login(_credentials(options))
    held = sum(limits.try_slot() for _ in range(options["slots"]))
    _say(held=held)
    while True:
        time.sleep(60)


async def calls(options: dict[str, Any]) -> None:
    limiter = _limiter(options)
    client = AsyncClient(_credentials(options), hosts=[options["host"]], limiter=limiter, rate_limits=False)
    _say(ready=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    ok, errors = 0, []
    try:
        for _ in range(options["rounds"]):
            results = await asyncio.gather(
                *(client.call(Balance()) for _ in range(options["concurrent"])), return_exceptions=True
            )
            ok += sum(not isinstance(r, BaseException) for r in results)
            errors += [repr(r) for r in results if isinstance(r, BaseException)]
    finally:
        await client.close()
        await limiter.aclose()
    _say(ok=ok, errors=errors)


def send(options: dict[str, Any]) -> None:
    with Client(_credentials(options), hosts=[options["host"]], limiter=_limiter(options)) as client:
        try:
            client.call(Send(phones=[options["phone"]], mes=options["mes"]))
        except SmscProtoError as exc:
            _say(outcome=type(exc).__name__)
        else:
            _say(outcome="ok")


def main() -> None:
    mode, options = sys.argv[1], json.loads(sys.argv[2])
    if mode == "hold":
        hold(options)
    elif mode == "calls":
        asyncio.run(calls(options))
    elif mode == "send":
        send(options)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
