"""Memory and speed of streaming a large ``downloads.get_file`` CSV export through both clients.

    python benchmarks/bench_get_file_memory.py [--mb 300] [--clients urllib3,aiohttp]

A loopback server (its own process, 127.0.0.1) generates a CSV export of ``--mb`` megabytes
on the fly, chunked, never holding it. Each measurement runs in a fresh worker process:
the same client streams the same body twice, once read raw (bytes counted and dropped: the
baseline) and once decoded into rows with ``client.stream(DownloadsGetFile(...))``. Peak RSS
growth is measured from just before the request (the kernel's peak counter is reset there
where Linux allows) to the end. Prints the growth, rows/s, and ratios against the raw
baseline, then PASS/FAIL for growth < 64 MB. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LIMIT_MB = 64
HEADER = b"id;phone;send_date;status;cost;sender;message\r\n"


def _block() -> tuple[bytes, int]:
    """About 90 KB of rows, with separators, doubled quotes and line breaks in quoted fields."""
    lines = []
    for i in range(1000):
        message = f'Order {i}; status "shipped"' if i % 10 else f"Line one\r\nline two; {i}"
        quoted = '"' + message.replace('"', '""') + '"'
        lines.append(f"{100000 + i};7999{i:07d};01.04.2024 10:00:{i % 60:02d};1;2.40;SMSC;{quoted}\r\n")
    return "".join(lines).encode("utf-8"), len(lines)


def _body(total: int) -> Iterator[bytes]:
    block, _ = _block()
    yield HEADER
    sent = len(HEADER)
    while sent + len(block) <= total:
        yield block
        sent += len(block)


def expected_rows(total: int) -> tuple[int, int]:
    block, rows = _block()
    blocks = (total - len(HEADER)) // len(block)
    return blocks * rows, len(HEADER) + blocks * len(block)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    total = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in _body(self.total):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def serve(total: int) -> None:
    _Handler.total = total
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    print(server.server_address[1], flush=True)
    # Stop by itself in any case: bounded in time, whatever happens to the parent.
    server.timeout = 1
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        server.handle_request()


# -- worker: one client, one mode, in a fresh process --------------------------------------


def _rss_kb(field: str) -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")  # resets VmHWM, the peak RSS, on Linux >= 4.0
        return True
    except OSError:
        return False


def worker(url: str, client_name: str, mode: str) -> dict[str, Any]:
    from smsc_proto import Credentials, DownloadsGetFile, HttpResponse

    class _Count:
        """The baseline: bytes counted and dropped, nothing decoded."""

        def __init__(self) -> None:
            self.size = 0

        def feed(self, chunk: bytes) -> list[Any]:
            self.size += len(chunk)
            return []

        def close(self) -> list[Any]:
            return [self.size]

    class RawGetFile(DownloadsGetFile, frozen=True, kw_only=True):
        def stream_decoder(self, response: HttpResponse) -> Any:
            return _Count()

    op = RawGetFile(id=1) if mode == "raw" else DownloadsGetFile(id=1)
    credentials = Credentials(login="bench", psw="not-a-secret")
    options: dict[str, Any] = {"rate_limits": False, "max_attempts": 1, "read_timeout": 300.0}
    rows = 0
    size = 0

    def take(record: Any) -> None:
        nonlocal rows, size
        if mode == "raw":
            size = record
        else:
            rows += 1

    if client_name == "urllib3":
        from smsc_urllib3 import Client

        with Client(credentials, hosts=[url], **options) as client:
            reset = _reset_peak()
            start_rss = _rss_kb("VmRSS")
            started = time.perf_counter()
            for record in client.stream(op):
                take(record)
            seconds = time.perf_counter() - started
    else:
        from smsc_aiohttp import AsyncClient

        async def run() -> tuple[bool, int, float]:
            async with AsyncClient(credentials, hosts=[url], **options) as client:
                reset = _reset_peak()
                start_rss = _rss_kb("VmRSS")
                started = time.perf_counter()
                async for record in client.stream(op):
                    take(record)
                return reset, start_rss, time.perf_counter() - started

        reset, start_rss, seconds = asyncio.run(run())
    peak = _rss_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "client": client_name,
        "mode": mode,
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "growth_kb": max(0, peak - start_rss),
        "peak_reset": reset,
    }


def _run_worker(url: str, client_name: str, mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", url, client_name, mode],
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mb", type=int, default=300, help="size of the generated export (default 300)")
    parser.add_argument("--clients", default="urllib3,aiohttp", help="comma-separated: urllib3,aiohttp")
    parser.add_argument("--worker", nargs=3, metavar=("URL", "CLIENT", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, metavar="BYTES", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        serve(args.serve)
        return 0
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0

    total = args.mb * 1_000_000
    rows_expected, bytes_expected = expected_rows(total)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(total)], stdout=subprocess.PIPE, text=True
    )
    failed = False
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        print(f"get_file streaming: {bytes_expected / 1e6:.0f} MB CSV, {rows_expected:,} rows, from {url}")
        print(f"{'client':8} {'mode':7} {'seconds':>8} {'MB/s':>7} {'rows/s':>10} {'RSS growth':>11}")
        for name in args.clients.split(","):
            raw = _run_worker(url, name, "raw")
            dec = _run_worker(url, name, "decoded")
            for r in (raw, dec):
                mbps = bytes_expected / 1e6 / r["seconds"]
                rate = f"{r['rows'] / r['seconds']:,.0f}" if r["mode"] == "decoded" else "-"
                print(
                    f"{name:8} {r['mode']:7} {r['seconds']:8.2f} {mbps:7.1f} {rate:>10} "
                    f"{r['growth_kb'] / 1024:8.1f} MB"
                )
            if raw["bytes"] != bytes_expected or dec["rows"] != rows_expected:
                print(f"  MISMATCH: raw {raw['bytes']} bytes, decoded {dec['rows']} rows")
                failed = True
            growth_mb = dec["growth_kb"] / 1024
            base_mb = max(raw["growth_kb"] / 1024, 1.0)
            verdict = "PASS" if growth_mb < LIMIT_MB else "FAIL"
            failed |= growth_mb >= LIMIT_MB
            print(
                f"  {name}: decoded growth {growth_mb:.1f} MB = {growth_mb / base_mb:.2f}x the raw read's "
                f"{raw['growth_kb'] / 1024:.1f} MB; time {dec['seconds'] / raw['seconds']:.1f}x raw; "
                f"{verdict}: growth {'<' if growth_mb < LIMIT_MB else '>='} {LIMIT_MB} MB"
                + ("" if dec["peak_reset"] else " (peak not resettable: growth includes start-up)")
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
