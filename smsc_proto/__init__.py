"""smsc-proto: a pure, I/O-free codec for the SMSC HTTP API.

Build an op, turn it into a request, feed back the response::

    op = Send(phones=["79991234567"], mes="Hello")
    request = op.request(Credentials(login="acme", psw="..."))
    result = op.decode(HttpResponse(200, {"Content-Type": "application/json"}, body))  # SendResult

The ops of each area, the call policy and the pagers load on first use (``_LAZY``), so that
``import smsc_proto`` stays light; to mypy and IDEs every name is here as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from smsc_proto._version import __version__
from smsc_proto.credentials import Credentials
from smsc_proto.errors import (
    AuthenticationError,
    DeadlineExceeded,
    DecodeError,
    InsufficientFundsError,
    InvalidParameter,
    IpBlockedError,
    MessageRejectedError,
    NotFoundError,
    OperationFailedError,
    ParameterError,
    RateLimitedError,
    ResponseTooLarge,
    ServerError,
    SmscError,
    SmscProtoError,
    TransportError,
)
from smsc_proto.http import HttpRequest, HttpResponse
from smsc_proto.op import OkResult, Op
from smsc_proto.registry import OPS
from smsc_proto.upload import Upload

if TYPE_CHECKING:
    from smsc_proto.enums import DeliveryError, MessageStatus
    from smsc_proto.file_op import FileOp
    from smsc_proto.limits import LocalLimits, LoginLimits, login_limits
    from smsc_proto.ops.balance import Balance, BalanceResult
    from smsc_proto.ops.documents import (
        DocumentFile,
        DocumentsAddAccount,
        DocumentsGetAccount,
        DocumentsGetAct,
        InvoiceResult,
    )
    from smsc_proto.ops.downloads import CsvRow, DownloadsGetFile, DownloadsGetList, Task, TaskStatus
    from smsc_proto.ops.get import (
        GetAnswers,
        GetMegaAccounts,
        GetMessages,
        GetPrice,
        GetStat,
        IncomingMessage,
        MegaAccountStats,
        MessageStats,
        SentMessage,
        TariffZone,
    )
    from smsc_proto.ops.info import InfoOperator, OperatorInfo, TinyurlsGet, TinyUrlStats
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
    from smsc_proto.ops.misc import GetMnp, WaitCall, WaitCallNumber
    from smsc_proto.ops.operator_templates import (
        AddStatus,
        OperatorTemplateAdded,
        OperatorTemplateInfo,
        OperatorTemplatesAdd,
        OperatorTemplatesGet,
        TemplateStatus,
    )
    from smsc_proto.ops.phones import (
        BlacklistEntryCreated,
        BlockType,
        Contact,
        ContactCreated,
        ContactGroup,
        GroupCreated,
        GroupMove,
        GroupType,
        PhonesAdd,
        PhonesAddBlack,
        PhonesAddGroup,
        PhonesChg,
        PhonesChgGroup,
        PhonesDel,
        PhonesDelBlack,
        PhonesDelGroup,
        PhonesGet,
        PhonesGetGroup,
        PhonesMoveGroup,
    )
    from smsc_proto.ops.ping import Ping
    from smsc_proto.ops.receive_phones import (
        DedicatedNumber,
        ReceivePhonesBuy,
        ReceivePhonesChg,
        ReceivePhonesGet,
    )
    from smsc_proto.ops.send import PhoneInfo, Send, SendCost, SendCostResult, SendRest, SendResult
    from smsc_proto.ops.senders import (
        SenderCreated,
        SenderName,
        SendersAdd,
        SendersCheckCode,
        SendersChg,
        SendersDel,
        SendersGet,
        SendersSendCode,
        SenderStatus,
    )
    from smsc_proto.ops.status import Status, StatusBatch, StatusDel, StatusResult
    from smsc_proto.ops.templates import (
        Template,
        TemplateCreated,
        TemplateFormat,
        TemplatesAdd,
        TemplatesChg,
        TemplatesDel,
        TemplatesGet,
    )
    from smsc_proto.ops.users import (
        SubClientCreated,
        SubClientCurrency,
        SubClientStat,
        SubClientType,
        UsersAdd,
        UsersChg,
        UsersGetStat,
        UsersGetStatAll,
        UsersPay,
    )
    from smsc_proto.paging import (
        AfterIdPager,
        DateWindowPager,
        HistoryPager,
        PrevIdPager,
        SenderPager,
        TaskPager,
    )
    from smsc_proto.policy import DEFAULT_HOSTS, Attempt, Call, CallPolicy, Failure, PolicyConfig
    from smsc_proto.ratelimit import RateLimit, RateLimiter
    from smsc_proto.streaming import StreamDecoder

# Module -> the public names it gives, loaded by the first look at one of them.
_LAZY: dict[str, tuple[str, ...]] = {
    "smsc_proto.enums": ("DeliveryError", "MessageStatus"),
    "smsc_proto.file_op": ("FileOp",),
    "smsc_proto.limits": ("LocalLimits", "LoginLimits", "login_limits"),
    "smsc_proto.ops.balance": ("Balance", "BalanceResult"),
    "smsc_proto.ops.documents": (
        "DocumentFile",
        "DocumentsAddAccount",
        "DocumentsGetAccount",
        "DocumentsGetAct",
        "InvoiceResult",
    ),
    "smsc_proto.ops.downloads": ("CsvRow", "DownloadsGetFile", "DownloadsGetList", "Task", "TaskStatus"),
    "smsc_proto.ops.info": ("InfoOperator", "OperatorInfo", "TinyUrlStats", "TinyurlsGet"),
    "smsc_proto.ops.jobs": (
        "Job",
        "JobCreated",
        "JobRepeat",
        "JobsAdd",
        "JobsCancel",
        "JobsDel",
        "JobsGet",
        "JobsGetAll",
        "JobSummary",
    ),
    "smsc_proto.ops.operator_templates": (
        "AddStatus",
        "OperatorTemplateAdded",
        "OperatorTemplateInfo",
        "OperatorTemplatesAdd",
        "OperatorTemplatesGet",
        "TemplateStatus",
    ),
    "smsc_proto.ops.phones": (
        "BlacklistEntryCreated",
        "BlockType",
        "Contact",
        "ContactCreated",
        "ContactGroup",
        "GroupCreated",
        "GroupMove",
        "GroupType",
        "PhonesAdd",
        "PhonesAddBlack",
        "PhonesAddGroup",
        "PhonesChg",
        "PhonesChgGroup",
        "PhonesDel",
        "PhonesDelBlack",
        "PhonesDelGroup",
        "PhonesGet",
        "PhonesGetGroup",
        "PhonesMoveGroup",
    ),
    "smsc_proto.ops.ping": ("Ping",),
    "smsc_proto.ops.send": ("PhoneInfo", "Send", "SendCost", "SendCostResult", "SendRest", "SendResult"),
    "smsc_proto.ops.status": ("Status", "StatusBatch", "StatusDel", "StatusResult"),
    "smsc_proto.ops.templates": (
        "Template",
        "TemplateCreated",
        "TemplateFormat",
        "TemplatesAdd",
        "TemplatesChg",
        "TemplatesDel",
        "TemplatesGet",
    ),
    "smsc_proto.ops.receive_phones": (
        "DedicatedNumber",
        "ReceivePhonesBuy",
        "ReceivePhonesChg",
        "ReceivePhonesGet",
    ),
    "smsc_proto.ops.users": (
        "SubClientCreated",
        "SubClientCurrency",
        "SubClientStat",
        "SubClientType",
        "UsersAdd",
        "UsersChg",
        "UsersGetStat",
        "UsersGetStatAll",
        "UsersPay",
    ),
    "smsc_proto.ops.senders": (
        "SenderCreated",
        "SenderName",
        "SenderStatus",
        "SendersAdd",
        "SendersChg",
        "SendersCheckCode",
        "SendersDel",
        "SendersGet",
        "SendersSendCode",
    ),
    "smsc_proto.ops.get": (
        "GetAnswers",
        "GetMegaAccounts",
        "GetMessages",
        "GetPrice",
        "GetStat",
        "IncomingMessage",
        "MegaAccountStats",
        "MessageStats",
        "SentMessage",
        "TariffZone",
    ),
    "smsc_proto.ops.misc": ("GetMnp", "WaitCall", "WaitCallNumber"),
    "smsc_proto.paging": (
        "AfterIdPager",
        "DateWindowPager",
        "HistoryPager",
        "PrevIdPager",
        "SenderPager",
        "TaskPager",
    ),
    "smsc_proto.policy": ("DEFAULT_HOSTS", "Attempt", "Call", "CallPolicy", "Failure", "PolicyConfig"),
    "smsc_proto.ratelimit": ("RateLimit", "RateLimiter"),
    "smsc_proto.streaming": ("StreamDecoder",),
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "AddStatus",
    "AfterIdPager",
    "Attempt",
    "AuthenticationError",
    "Balance",
    "BalanceResult",
    "Call",
    "CallPolicy",
    "Credentials",
    "CsvRow",
    "DEFAULT_HOSTS",
    "DeadlineExceeded",
    "DecodeError",
    "DeliveryError",
    "DocumentFile",
    "DocumentsAddAccount",
    "DocumentsGetAccount",
    "DocumentsGetAct",
    "DownloadsGetFile",
    "DownloadsGetList",
    "Failure",
    "FileOp",
    "HttpRequest",
    "HttpResponse",
    "InfoOperator",
    "InsufficientFundsError",
    "InvalidParameter",
    "InvoiceResult",
    "LocalLimits",
    "LoginLimits",
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
    "OPS",
    "OkResult",
    "Op",
    "OperationFailedError",
    "OperatorInfo",
    "OperatorTemplateAdded",
    "OperatorTemplateInfo",
    "OperatorTemplatesAdd",
    "OperatorTemplatesGet",
    "ParameterError",
    "PhoneInfo",
    "Ping",
    "PolicyConfig",
    "RateLimit",
    "RateLimitedError",
    "ResponseTooLarge",
    "RateLimiter",
    "Send",
    "SendCost",
    "SendCostResult",
    "SendRest",
    "SendResult",
    "SmscError",
    "SmscProtoError",
    "Status",
    "StatusBatch",
    "StatusDel",
    "StatusResult",
    "StreamDecoder",
    "Task",
    "TaskPager",
    "TaskStatus",
    "Template",
    "TemplateCreated",
    "TemplateFormat",
    "TemplateStatus",
    "TemplatesAdd",
    "TemplatesChg",
    "TemplatesDel",
    "TemplatesGet",
    "TinyUrlStats",
    "TinyurlsGet",
    "TransportError",
    "Upload",
    "__version__",
    "login_limits",
    "BlacklistEntryCreated",
    "BlockType",
    "Contact",
    "ContactCreated",
    "ContactGroup",
    "GroupCreated",
    "GroupMove",
    "GroupType",
    "PhonesAdd",
    "PhonesAddBlack",
    "PhonesAddGroup",
    "PhonesChg",
    "PhonesChgGroup",
    "PhonesDel",
    "PhonesDelBlack",
    "PhonesDelGroup",
    "PhonesGet",
    "PhonesGetGroup",
    "PhonesMoveGroup",
    "DedicatedNumber",
    "ReceivePhonesBuy",
    "ReceivePhonesChg",
    "ReceivePhonesGet",
    "SubClientCreated",
    "SubClientCurrency",
    "SubClientStat",
    "SubClientType",
    "UsersAdd",
    "UsersChg",
    "UsersGetStat",
    "UsersGetStatAll",
    "UsersPay",
    "SenderCreated",
    "SenderName",
    "SenderStatus",
    "SendersAdd",
    "SendersChg",
    "SendersCheckCode",
    "SendersDel",
    "SendersGet",
    "SendersSendCode",
    "GetAnswers",
    "GetMegaAccounts",
    "GetMessages",
    "GetPrice",
    "GetStat",
    "IncomingMessage",
    "MegaAccountStats",
    "MessageStats",
    "SentMessage",
    "TariffZone",
    "DateWindowPager",
    "HistoryPager",
    "PrevIdPager",
    "SenderPager",
    "ServerError",
    "GetMnp",
    "WaitCall",
    "WaitCallNumber",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'smsc_proto' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next look is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
