"""``OPS``: op id (spec/README.md catalogue) -> op class, for the CLI, conformance and docs."""

from __future__ import annotations

from types import MappingProxyType

from smsc_proto.op import Op
from smsc_proto.ops.balance import Balance
from smsc_proto.ops.documents import DocumentsAddAccount, DocumentsGetAccount, DocumentsGetAct
from smsc_proto.ops.downloads import DownloadsGetFile, DownloadsGetList
from smsc_proto.ops.jobs import JobsAdd, JobsCancel, JobsDel, JobsGet, JobsGetAll
from smsc_proto.ops.op_templates import OpTemplatesAdd, OpTemplatesGet
from smsc_proto.ops.ping import Ping
from smsc_proto.ops.send import Send, SendCost
from smsc_proto.ops.status import Status, StatusDel

__all__ = ["OPS"]

_ALL: tuple[type[Op], ...] = (
    Send,
    SendCost,
    Status,
    StatusDel,
    Balance,
    Ping,
    DocumentsAddAccount,
    DocumentsGetAccount,
    DocumentsGetAct,
    OpTemplatesAdd,
    OpTemplatesGet,
    JobsAdd,
    JobsDel,
    JobsCancel,
    JobsGet,
    JobsGetAll,
    DownloadsGetList,
    DownloadsGetFile,
)

OPS = MappingProxyType({cls.op_id: cls for cls in _ALL})
