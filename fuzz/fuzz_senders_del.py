"""Fuzz the ``senders.del`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_senders_del.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("senders.del", sys.argv)
