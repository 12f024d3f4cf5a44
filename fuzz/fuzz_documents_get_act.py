"""Fuzz the ``documents.get_act`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_documents_get_act.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("documents.get_act", sys.argv)
