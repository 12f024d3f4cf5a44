"""smsc-proto: a pure, I/O-free codec for the SMSC HTTP API.

Build an op, turn it into a request, feed back the response::

    op = Send(phones=["79991234567"], mes="Hello")
    request = op.request(Credentials(login="acme", psw="..."))
    result = op.decode(HttpResponse(200, {"Content-Type": "application/json"}, body))
"""

from smsc_proto._version import __version__
from smsc_proto.credentials import Credentials
from smsc_proto.enums import DeliveryError, MessageStatus
from smsc_proto.errors import (
    AuthenticationError,
    DecodeError,
    InsufficientFundsError,
    InvalidOperation,
    IpBlockedError,
    MessageRejectedError,
    NotFoundError,
    OperationFailedError,
    ParameterError,
    RateLimitedError,
    SmscError,
    SmscProtoError,
    TransportError,
)
from smsc_proto.http import HttpRequest, HttpResponse
from smsc_proto.op import OkResult, Op
from smsc_proto.ops.balance import Balance, BalanceResult
from smsc_proto.ops.documents import (
    DocumentFile,
    DocumentsAddAccount,
    DocumentsGetAccount,
    DocumentsGetAct,
    InvoiceResult,
)
from smsc_proto.ops.downloads import DownloadsGetFile, DownloadsGetList, Task, TaskStatus
from smsc_proto.ops.jobs import (
    Job,
    JobCreated,
    JobRepeat,
    JobsAdd,
    JobsCancel,
    JobsDel,
    JobsGet,
    JobsGetAll,
    JobSummary,
)
from smsc_proto.ops.op_templates import (
    AddStatus,
    OpTemplateAdded,
    OpTemplateInfo,
    OpTemplatesAdd,
    OpTemplatesGet,
    TemplateStatus,
)
from smsc_proto.ops.ping import Ping
from smsc_proto.ops.send import PhoneInfo, Send, SendCost, SendCostResult, SendResult
from smsc_proto.ops.status import Status, StatusDel, StatusResult
from smsc_proto.paging import AfterIdPager, TaskPager
from smsc_proto.policy import (
    DEFAULT_HOSTS,
    Attempt,
    CallPolicy,
    Fail,
    Failure,
    PolicyConfig,
    Proceed,
    Wait,
)
from smsc_proto.ratelimit import RateLimit, RateLimiter
from smsc_proto.registry import OPS
from smsc_proto.streaming import StreamDecoder

__all__ = [
    "__version__",
    "DEFAULT_HOSTS",
    "OPS",
    "AddStatus",
    "AfterIdPager",
    "Attempt",
    "AuthenticationError",
    "Balance",
    "BalanceResult",
    "CallPolicy",
    "Credentials",
    "DecodeError",
    "DeliveryError",
    "DocumentFile",
    "DocumentsAddAccount",
    "DocumentsGetAccount",
    "DocumentsGetAct",
    "DownloadsGetFile",
    "DownloadsGetList",
    "Fail",
    "Failure",
    "HttpRequest",
    "HttpResponse",
    "InsufficientFundsError",
    "InvalidOperation",
    "InvoiceResult",
    "IpBlockedError",
    "Job",
    "JobCreated",
    "JobRepeat",
    "JobSummary",
    "JobsAdd",
    "JobsCancel",
    "JobsDel",
    "JobsGet",
    "JobsGetAll",
    "MessageRejectedError",
    "MessageStatus",
    "NotFoundError",
    "OkResult",
    "Op",
    "OpTemplateAdded",
    "OpTemplateInfo",
    "OpTemplatesAdd",
    "OpTemplatesGet",
    "OperationFailedError",
    "ParameterError",
    "PhoneInfo",
    "Ping",
    "PolicyConfig",
    "Proceed",
    "RateLimit",
    "RateLimitedError",
    "RateLimiter",
    "Send",
    "SendCost",
    "SendCostResult",
    "SendResult",
    "SmscError",
    "SmscProtoError",
    "Status",
    "StatusDel",
    "StatusResult",
    "StreamDecoder",
    "Task",
    "TaskPager",
    "TaskStatus",
    "TemplateStatus",
    "TransportError",
    "Wait",
]
