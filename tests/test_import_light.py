import subprocess
import sys

HEAVY = ("urllib3", "aiohttp", "lxml", "multipart", "socket", "ssl", "asyncio")


def test_import_smsc_proto_loads_no_io_or_optional_parser() -> None:
    # A fresh interpreter: the test process itself has all of these loaded already.
    code = f"import sys, smsc_proto\nprint(','.join(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_op_is_registered_under_its_id() -> None:
    import smsc_proto

    assert smsc_proto.OPS
    for op_id, cls in smsc_proto.OPS.items():
        assert cls.op_id == op_id
        assert cls.path.startswith("/sys/")
