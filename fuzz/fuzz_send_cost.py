"""Fuzz the ``send.cost`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_send_cost.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("send.cost", sys.argv)
