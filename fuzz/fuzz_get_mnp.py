"""Fuzz the ``get_mnp`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_get_mnp.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("get_mnp", sys.argv)
