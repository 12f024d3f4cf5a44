"""The public surface: one list of names, lazily loaded, the same for mypy and at run time;
every op registered once with a result type."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import smsc_proto
from smsc_proto.file_op import FileOp
from smsc_proto.op import REGISTRY, Op
from smsc_proto.registry import AREAS, OPS
from smsc_proto.shape import Shape

INIT = Path(smsc_proto.__file__)


def _type_checking_imports() -> dict[str, set[str]]:
    """Module -> names imported under ``if TYPE_CHECKING:`` in smsc_proto/__init__.py."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                out.setdefault(statement.module, set()).update(a.name for a in statement.names)
    return out


def test_lazy_names_are_the_names_mypy_sees() -> None:
    lazy = {module: set(names) for module, names in smsc_proto._LAZY.items()}
    assert lazy == _type_checking_imports()


def test_every_public_name_resolves() -> None:
    for name in smsc_proto.__all__:
        assert getattr(smsc_proto, name) is not None, name
    assert set(smsc_proto._WHERE) <= set(smsc_proto.__all__)
    assert sorted(dir(smsc_proto)) == sorted(smsc_proto.__all__)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        smsc_proto.Nope  # noqa: B018


def test_names_clash_with_nothing_in_the_standard_library() -> None:
    import decimal

    clashes = [n for n in smsc_proto.__all__ if n in vars(decimal) and not n.startswith("__")]
    assert clashes == []


def test_an_area_loads_on_first_use_only() -> None:
    code = (
        "import sys, smsc_proto\n"
        "assert not [m for m in sys.modules if m.startswith('smsc_proto.ops.')], sys.modules\n"
        "smsc_proto.Balance\n"
        "print(sorted(m for m in sys.modules if m.startswith('smsc_proto.ops.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['smsc_proto.ops.balance']"


def test_every_area_registers_its_ops() -> None:
    modules = {importlib.import_module(f"smsc_proto.ops.{area}").__name__ for area in AREAS}
    assert {cls.__module__ for cls in REGISTRY.values()} == modules
    assert list(OPS) == sorted(REGISTRY)


@pytest.mark.parametrize("op_id", sorted(OPS))
def test_each_op_declares_what_it_is(op_id: str) -> None:
    cls = OPS[op_id]
    assert cls.op_id == op_id
    assert cls.path.startswith(("/sys/", "/rest/"))
    assert cls.result_type is not None
    origin = typing.get_origin(cls.result_type)
    item = typing.get_args(cls.result_type)[0] if origin is list else cls.result_type
    assert isinstance(item, type) or typing.get_origin(item) is dict, cls.result_type
    if issubclass(cls, FileOp):
        return
    assert isinstance(cls.shape, Shape)
    assert cls.shape.many == (origin is list)


def test_one_op_id_may_have_two_classes_and_the_first_is_its_entry() -> None:
    from smsc_proto import Status, StatusBatch

    assert OPS["status"] is Status
    assert StatusBatch.op_id == "status"
    assert issubclass(StatusBatch, Op)


def test_the_readme_lists_every_op_with_its_class_and_result() -> None:
    import re
    import typing
    from pathlib import Path

    from smsc_proto import OPS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_.]+)` \|.*$", readme, re.MULTILINE)}
    assert set(rows) == set(OPS)
    for op_id, cls in OPS.items():
        result = cls.result_type
        item = typing.get_args(result)[0] if typing.get_origin(result) is list else result
        name = "CsvRow" if item is dict or typing.get_origin(item) is dict else item.__name__
        assert f"`{cls.__name__}`" in rows[op_id], op_id
        assert name in rows[op_id].rsplit("|", 2)[1], op_id
