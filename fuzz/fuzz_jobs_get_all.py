"""Fuzz the ``jobs.get_all`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_jobs_get_all.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("jobs.get_all", sys.argv)
