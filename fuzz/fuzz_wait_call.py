"""Fuzz the ``wait_call`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_wait_call.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("wait_call", sys.argv)
