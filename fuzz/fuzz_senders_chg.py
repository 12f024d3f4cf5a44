"""Fuzz the ``senders.chg`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_senders_chg.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("senders.chg", sys.argv)
