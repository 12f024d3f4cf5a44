"""``OPS``: op id (the spec/README.md catalogue) -> the op class that builds it from wire
parameters, for the CLI, the conformance runner and docs.

Op classes register themselves (``Op.__init_subclass__``); the area modules load on the first
look at ``OPS``, so ``import smsc_proto`` does not pay for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from smsc_proto.op import REGISTRY, Op

__all__ = ["AREAS", "OPS"]

# One module per area of the API under smsc_proto/ops/.
AREAS = (
    "send",
    "status",
    "balance",
    "ping",
    "jobs",
    "downloads",
    "documents",
    "operator_templates",
    "templates",
    "info",
    "phones",
    "senders",
    "users",
    "receive_phones",
    "get",
    "misc",
)


class _Ops(Mapping[str, type[Op[Any]]]):
    """Read-only: every op id of every area."""

    _loaded = False

    def _all(self) -> dict[str, type[Op[Any]]]:
        if not self._loaded:
            for area in AREAS:
                importlib.import_module(f"smsc_proto.ops.{area}")
            self._loaded = True
        return REGISTRY

    def __getitem__(self, op_id: str) -> type[Op[Any]]:
        return self._all()[op_id]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._all()))

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"OPS({', '.join(self)})"


OPS: Mapping[str, type[Op[Any]]] = _Ops()
