"""Fuzz the ``documents.add_account`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_documents_add_account.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("documents.add_account", sys.argv)
