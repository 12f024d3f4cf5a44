"""Seed corpora for the fuzz harnesses, written from the conformance fixtures at run time.

``python fuzz/seeds.py [op_id ...]`` writes ``fuzz/corpus-<op id, dots as underscores>/``
(gitignored) for each op (all of ``OPS`` by default): every fixture response of the op, and
rendered results and error envelopes of each of its instances in every fmt, each encoded as
a fuzz input (fuzz/inputs.py). It also writes a libFuzzer dictionary of the tokens the
decoders look for, ``fuzz/corpus-dicts/<name>.dict``. Harnesses call ``write_corpus`` when
started without a corpus directory.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from inputs import encode

HERE = Path(__file__).resolve().parent

__all__ = ["corpus_dir", "dict_path", "harness_name", "write_corpus", "write_dict"]

# Tokens every decoder may meet: envelopes in all fmts, sniffed openings, number forms.
TOKENS = (
    "ERROR = ",
    ", ID - ",
    ",-",
    "0,-",
    "OK",
    "OK - ",
    " SMS",
    "<result>",
    "</result>",
    "<error>",
    "</error>",
    "<error_code>",
    "</error_code>",
    "<id>",
    "</id>",
    '{"error": "',
    '"error_code": ',
    '"id": ',
    "<?xml",
    "<!DOCTYPE",
    "<!ENTITY",
    "&amp;",
    "<![CDATA[",
    "1E+999999999",
    "\ufeff",
    "\r\n",
    "%PDF-",
    "%%EOF",
    "--",
    "Content-Type: ",
    "Content-Disposition: ",
    "application/json",
    "application/pdf",
    "filename=",
    "boundary=",
    "charset=",
)


def harness_name(op_id: str) -> str:
    """``jobs.get_all`` -> ``jobs_get_all``."""
    return op_id.replace(".", "_")


def corpus_dir(op_id: str) -> Path:
    return HERE / f"corpus-{harness_name(op_id)}"


def dict_path(op_id: str) -> Path:
    return HERE / "corpus-dicts" / f"{harness_name(op_id)}.dict"


def write_corpus(op_id: str) -> Path:
    """Write (or top up) the seed corpus of ``op_id``; returns its directory."""
    from op_samples import seed_bodies

    directory = corpus_dir(op_id)
    directory.mkdir(exist_ok=True)
    for seed in seed_bodies(op_id):
        data = encode(seed.fmt, seed.headers, seed.status, seed.body, variant=seed.variant)
        (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return directory


def _dict_entry(token: str) -> str:
    escaped = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else f"\\x{ord(ch):02x}" for ch in token)
    return f'"{escaped}"'


def write_dict(op_id: str) -> Path:
    """A libFuzzer dictionary: shared tokens plus the op's own keys and tags, and the
    member names of its result type."""
    from op_samples import is_file_op, result_fields, samples_for

    tokens = set(TOKENS)
    for sample in samples_for(op_id):
        for name in result_fields(sample.op.result_type):
            tokens.update({f'"{name}": ', f"<{name}>"})
        if is_file_op(sample.op):
            continue  # a file: no record shape
        shape = sample.op.result_shape()
        for tag in (shape.xml_root, shape.xml_item):
            if tag:
                tokens.update({f"<{tag}>", f"</{tag}>"})
        for layout in (shape.text, shape.csv):
            for attr in ("keys",):
                for key, field in getattr(layout, attr, ()) or ():
                    tokens.update({f"{key} = ", f"{key} - ", f'"{field}": '})
            for name in getattr(layout, "names", ()) or ():
                tokens.update({f'"{name}": ', f"<{name}>"})
    path = dict_path(op_id)
    path.parent.mkdir(exist_ok=True)
    lines = [_dict_entry(t.encode("utf-8").decode("latin-1")) for t in sorted(tokens) if t]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def main(argv: list[str]) -> int:
    from smsc_proto import OPS

    op_ids = argv or list(OPS)
    unknown = [op_id for op_id in op_ids if op_id not in OPS]
    if unknown:
        print(f"unknown op id: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for op_id in op_ids:
        directory = write_corpus(op_id)
        write_dict(op_id)
        print(f"{op_id}: {sum(1 for _ in directory.iterdir())} seeds in {directory.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
