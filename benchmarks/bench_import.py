"""Import cost: ``import smsc_proto`` against ``import msgspec``, each in fresh interpreters.

    python benchmarks/bench_import.py [--runs 15]

Each run is a new process that times its one import with ``time.perf_counter``; the best run
of each is kept. Bytecode is written first (one untimed import with bytecode allowed), as an
installed package has it: a sandbox that sets PYTHONDONTWRITEBYTECODE would otherwise time
the compiler. Goal: at most 2x, with no I/O module (urllib3, aiohttp, lxml, multipart,
socket, ssl, asyncio) imported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

GOAL = 2.0
IO_MODULES = ("urllib3", "aiohttp", "lxml", "multipart", "socket", "ssl", "asyncio")
_PROBE = """
import sys, time, json
start = time.perf_counter()
import {module}
took = time.perf_counter() - start
print(json.dumps([took, [m for m in {io!r} if m in sys.modules]]))
"""


def timed(module: str, env: dict[str, str]) -> tuple[float, list[str]]:
    code = _PROBE.format(module=module, io=IO_MODULES)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    took, loaded = json.loads(out.stdout)
    return float(took), list(loaded)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for module in ("msgspec", "smsc_proto"):
        timed(module, env)  # writes the bytecode
    best = {"msgspec": float("inf"), "smsc_proto": float("inf")}
    loaded: list[str] = []
    for _ in range(args.runs):
        for module, so_far in best.items():
            took, io = timed(module, env)
            best[module] = min(so_far, took)
            if module == "smsc_proto":
                loaded = io
    ratio = best["smsc_proto"] / best["msgspec"]
    ok = ratio <= GOAL and not loaded
    print(f"import msgspec {best['msgspec'] * 1e3:.1f} ms, smsc_proto {best['smsc_proto'] * 1e3:.1f} ms")
    print(f"ratio {ratio:.2f} (goal <= {GOAL}); I/O modules loaded: {', '.join(loaded) or 'none'}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
