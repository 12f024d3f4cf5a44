"""Run every decoder's fuzz harness for a bounded time; exit non-zero on any crash.

``python fuzz/run_all.py [--runs N] [--max-time S] [--jobs J] [--generate] [op id ...]``

One harness per op id in ``OPS``: ``fuzz/fuzz_<op id, dots as underscores>.py``, or, for an
op added since the files were generated, the generic ``fuzz/harness.py <op id>`` (say
``--generate`` to write the missing files). Each runs as its own process with ``N`` runs,
a time limit, and crash files written as ``fuzz/crash-<name>-*``. Where atheris cannot be
installed, the same harnesses run on hypothesis-mutated inputs (``without_atheris.py``, a
tenth of the runs), and the output says so: never a skip. ``make test`` runs ``--runs 3000``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

_TEMPLATE = '''"""Fuzz the ``{op_id}`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_{name}.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("{op_id}", sys.argv)
'''


@dataclass
class Outcome:
    op_id: str
    script: str
    returncode: int | None
    runs: int | None
    seconds: float
    log: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def harness_file(op_id: str) -> Path:
    return HERE / f"fuzz_{op_id.replace('.', '_')}.py"


def generate(op_ids: list[str]) -> list[Path]:
    """Write the per-op harness files that do not exist yet."""
    written = []
    for op_id in op_ids:
        path = harness_file(op_id)
        if not path.exists():
            path.write_text(_TEMPLATE.format(op_id=op_id, name=op_id.replace(".", "_")), encoding="utf-8")
            written.append(path)
    return written


def _command(op_id: str, runs: int, max_time: int) -> tuple[list[str], str]:
    name = op_id.replace(".", "_")
    flags = [
        f"-atheris_runs={runs}",
        f"-max_total_time={max_time}",
        "-timeout=20",
        "-rss_limit_mb=2048",
        "-max_len=8192",
        "-print_final_stats=1",
        f"-artifact_prefix={HERE / f'crash-{name}-'}",
    ]
    path = harness_file(op_id)
    if path.exists():
        return [sys.executable, str(path), *flags], path.name
    return [sys.executable, str(HERE / "harness.py"), op_id, *flags], f"harness.py {op_id}"


def run_one(op_id: str, runs: int, max_time: int, logs: Path) -> Outcome:
    command, script = _command(op_id, runs, max_time)
    log = logs / f"{op_id}.log"
    started = time.monotonic()
    with log.open("wb") as out:
        try:
            proc = subprocess.run(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=HERE.parent,
                timeout=max_time + 120,
                check=False,
            )
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            code = None
    text = log.read_text(encoding="utf-8", errors="replace")
    done = re.findall(r"stat::number_of_executed_units: (\d+)", text) or re.findall(
        r"Done (\d+) (?:in|runs)", text
    )
    return Outcome(op_id, script, code, int(done[-1]) if done else None, time.monotonic() - started, log)


def _atheris_installed() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("op_ids", nargs="*", help="op ids to fuzz (default: every op in OPS)")
    parser.add_argument("--runs", type=int, default=3000, help="runs per harness (default 3000)")
    parser.add_argument("--max-time", type=int, default=60, help="seconds per harness (default 60)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="harnesses at once")
    parser.add_argument("--generate", action="store_true", help="write missing fuzz_<op>.py files and exit")
    args = parser.parse_args(argv)

    if not _atheris_installed() and not args.generate:
        # macOS, Windows, no clang: the same harnesses, on hypothesis-mutated inputs.
        print(
            "fuzz: atheris is not installed here, so the harnesses run on hypothesis-mutated "
            "inputs instead (fuzz/without_atheris.py; `pip install atheris` on Linux fuzzes them)"
        )
        sys.path.insert(0, str(HERE))
        from without_atheris import main as without_atheris

        return without_atheris([*args.op_ids, "--runs", str(max(1, args.runs // 10))])

    sys.path.insert(0, str(HERE.parent))
    from smsc_proto import OPS

    op_ids = args.op_ids or list(OPS)
    unknown = [op_id for op_id in op_ids if op_id not in OPS]
    if unknown:
        print(f"fuzz: unknown op id: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.generate:
        for path in generate(op_ids):
            print(f"wrote {path.relative_to(HERE.parent)}")
        return 0

    logs = Path(tempfile.mkdtemp(prefix="smsc-fuzz-"))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda op_id: run_one(op_id, args.runs, args.max_time, logs), op_ids))
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        print(f"--- {o.op_id}: {o.script} (log {o.log}) ---")
        lines = o.log.read_text(encoding="utf-8", errors="replace").splitlines()
        print("\n".join(lines[-40:]))
    print(f"{'op':<28}{'harness':<34}{'runs':>8}{'secs':>7}  result")
    for o in outcomes:
        if o.ok:
            result = "ok"
        elif o.returncode is None:
            result = "TIME LIMIT (killed)"
        else:
            result = f"CRASH (exit {o.returncode})"
        runs = "?" if o.runs is None else str(o.runs)
        print(f"{o.op_id:<28}{o.script:<34}{runs:>8}{o.seconds:>7.1f}  {result}")
    missing = [o.op_id for o in outcomes if not harness_file(o.op_id).exists()]
    if missing:
        print(f"note: no fuzz_<op>.py for {', '.join(missing)} (ran harness.py; --generate writes them)")
    total = sum(o.runs or 0 for o in outcomes)
    print(f"{len(outcomes)} harnesses, {total} runs, {time.monotonic() - started:.1f}s")
    # The plain closing line CI reads: harnesses that ran clean and those that crashed.
    print(f"fuzz: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
