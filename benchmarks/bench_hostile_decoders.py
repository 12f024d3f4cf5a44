"""Hostile JSON and XML bodies of 16 MB: time and memory, against a real answer of that size.

    python benchmarks/bench_hostile_decoders.py

Each case runs in a fresh process, which reports its seconds and its peak RSS above what was
resident before the decode (libxml2's allocations included; Linux). The baseline, in the
same way, decodes a real answer of the same size and format (jobs.get_all records, rendered
by the op itself). Goals: a hostile body costs at most the time of the real one (ratio <=
1.0) and grows memory by at most 12 times its size (200 MB for 16 MB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SIZE = 16 << 20
TIME_GOAL = 1.0
MEMORY_GOAL = 12.0

CASES = {
    "json: empty objects (jobs.get_all)": ("JobsGetAll(fmt=3)", 'b"[" + b"{}," * (SIZE // 3) + b"{}]"'),
    "json: a flood in a field (balance)": (
        "Balance(fmt=3)",
        'b\'{"balance": [\' + b"{}," * (SIZE // 3) + b"{}]}"',
    ),
    "json: a flood under an escaped key": (
        "Balance(fmt=3)",
        'b\'{"\\\\u0078": [\' + b"[]," * (SIZE // 3) + b"[]]}"',
    ),
    "xml: empty elements (balance)": ("Balance(fmt=2)", 'b"<r>" + b"<a/>" * (SIZE // 4 - 2) + b"</r>"'),
    "xml: empty records (jobs.get_all)": (
        "JobsGetAll(fmt=2)",
        'b"<sms_jobs>" + b"<job/>" * (SIZE // 6 - 4) + b"</sms_jobs>"',
    ),
    "xml: one field repeated (jobs.get_all)": (
        "JobsGetAll(fmt=2)",
        'b"<sms_jobs>" + b"<id>1</id>" * (SIZE // 10 - 4) + b"</sms_jobs>"',
    ),
}

CHILD = """
import json, resource, sys, time
from smsc_proto import Balance, DecodeError, HttpResponse, JobsGetAll, SmscError
from op_samples import synth_result
SIZE = {size}
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()
def timed(op, body):
    # From what is resident now to the peak after (the body's making may have peaked higher).
    before = resident()
    start = time.perf_counter()
    try:
        op.decode(HttpResponse(200, {{}}, body))
        outcome = "result"
    except (DecodeError, SmscError) as exc:
        outcome = type(exc).__name__
    return time.perf_counter() - start, max(0, peak() - before), outcome
op = {op}
if sys.argv[1] == "baseline":
    real = JobsGetAll(fmt=op.fmt)
    one = real.render(synth_result(real.result_type) * 2000).body
    body = real.render(synth_result(real.result_type) * (2000 * SIZE // len(one))).body
    op = real
else:
    body = {body}
print(json.dumps(timed(op, body)))
"""


def run(op: str, body: str, which: str) -> tuple[float, int, str]:
    code = CHILD.format(size=SIZE, op=op, body=body)
    out = subprocess.run(
        [sys.executable, "-c", code, which],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "fuzz")},
    ).stdout
    seconds, grown, outcome = json.loads(out)
    return seconds, grown, outcome


def main() -> int:
    failed = False
    baselines = {fmt: run(f"JobsGetAll(fmt={fmt})", "b''", "baseline") for fmt in (2, 3)}
    for fmt, (seconds, grown, _) in baselines.items():
        print(f"baseline fmt={fmt}: a real 16 MB jobs.get_all answer, {seconds:.2f} s, +{grown >> 20} MB")
    print(f"{'case':42} {'s':>6} {'MB':>5} {'time ratio':>10} {'MB/MB':>6}  outcome")
    for name, (op, body) in CASES.items():
        seconds, grown, outcome = run(op, body, "hostile")
        fmt = 2 if name.startswith("xml") else 3
        ratio = seconds / baselines[fmt][0]
        growth = grown / SIZE
        ok = ratio <= TIME_GOAL and growth <= MEMORY_GOAL
        failed |= not ok
        verdict = "PASS" if ok else "FAIL"
        print(f"{name:42} {seconds:6.2f} {grown >> 20:5} {ratio:10.2f} {growth:6.1f}  {outcome} {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
