"""Fuzz the ``jobs.del`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_jobs_del.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("jobs.del", sys.argv)
