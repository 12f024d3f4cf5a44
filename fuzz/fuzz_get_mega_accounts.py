"""Fuzz the ``get.mega_accounts`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_get_mega_accounts.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("get.mega_accounts", sys.argv)
