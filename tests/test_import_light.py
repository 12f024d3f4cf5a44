import subprocess
import sys

import smsc_proto
from smsc_proto.registry import AREAS

HEAVY = ("urllib3", "aiohttp", "lxml", "multipart", "socket", "ssl", "asyncio")


def _loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after ``code`` (the test process itself
    has all of them loaded already)."""
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_import_smsc_proto_loads_no_io_or_optional_parser() -> None:
    loaded = _loaded_after("import smsc_proto")
    assert "smsc_proto" in loaded
    # msgspec itself loads the C module _socket; the socket module is another matter.
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_import_smsc_proto_loads_no_op_module() -> None:
    loaded = _loaded_after("import smsc_proto")
    assert [m for m in loaded if m.startswith("smsc_proto.ops")] == []


def _op_modules() -> dict[str, str]:
    """Public name -> the smsc_proto.ops module that defines it, one name per module."""
    out: dict[str, str] = {}
    for name in smsc_proto.__all__:
        module = getattr(getattr(smsc_proto, name), "__module__", "")
        if module.startswith("smsc_proto.ops.") and module not in out.values():
            out[name] = module
    return out


def test_an_op_module_loads_when_one_of_its_names_is_used() -> None:
    modules = _op_modules()
    assert len(modules) == len(AREAS)
    for name, module in modules.items():
        loaded = _loaded_after(f"import smsc_proto\nsmsc_proto.{name}")
        assert module in loaded, f"smsc_proto.{name} did not load {module}"
        # ... and it is the first use that loads it: `from smsc_proto import X` works as before.
        assert module in _loaded_after(f"from smsc_proto import {name}")
    assert "smsc_proto.ops.jobs" not in _loaded_after("import smsc_proto\nsmsc_proto.Balance")


def test_ops_load_on_the_first_look_at_the_registry() -> None:
    loaded = _loaded_after("import smsc_proto\nlen(smsc_proto.OPS)")
    assert {f"smsc_proto.ops.{area}" for area in AREAS} <= set(loaded)
    # Every op loaded, still no I/O and no XML or multipart parser (they load on first use).
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_every_op_is_registered_under_its_id() -> None:
    assert smsc_proto.OPS
    assert list(smsc_proto.OPS) == sorted(smsc_proto.OPS)
    for op_id, cls in smsc_proto.OPS.items():
        assert cls.op_id == op_id
        assert cls.path.startswith(("/sys/", "/rest/"))
