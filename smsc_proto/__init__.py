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

from smsc_proto._version import __version__ as __version__
from smsc_proto.credentials import Credentials as Credentials
from smsc_proto.errors import (
    AuthenticationError as AuthenticationError,
    DeadlineExceeded as DeadlineExceeded,
    DecodeError as DecodeError,
    InsufficientFundsError as InsufficientFundsError,
    InvalidParameter as InvalidParameter,
    IpBlockedError as IpBlockedError,
    LimiterUnavailable as LimiterUnavailable,
    MessageRejectedError as MessageRejectedError,
    NotFoundError as NotFoundError,
    OperationFailedError as OperationFailedError,
    ParameterError as ParameterError,
    RateLimitedError as RateLimitedError,
    ResponseTooLarge as ResponseTooLarge,
    ServerError as ServerError,
    SmscError as SmscError,
    SmscProtoError as SmscProtoError,
    TransportError as TransportError,
)
from smsc_proto.http import HttpRequest as HttpRequest, HttpResponse as HttpResponse
from smsc_proto.op import OkResult as OkResult, Op as Op
from smsc_proto.registry import OPS as OPS
from smsc_proto.upload import Upload as Upload

if TYPE_CHECKING:
    from smsc_proto.enums import DeliveryError as DeliveryError, MessageStatus as MessageStatus
    from smsc_proto.file_op import FileOp as FileOp
    from smsc_proto.limits import (
        AsyncLoginLimits as AsyncLoginLimits,
        Limiter as Limiter,
        LocalLimiter as LocalLimiter,
        LocalLimits as LocalLimits,
        LoginLimits as LoginLimits,
        login_limits as login_limits,
    )
    from smsc_proto.ops.balance import Balance as Balance, BalanceResult as BalanceResult
    from smsc_proto.ops.documents import (
        DocumentFile as DocumentFile,
        DocumentsAddAccount as DocumentsAddAccount,
        DocumentsGetAccount as DocumentsGetAccount,
        DocumentsGetAct as DocumentsGetAct,
        InvoiceResult as InvoiceResult,
    )
    from smsc_proto.ops.downloads import (
        CsvRow as CsvRow,
        DownloadsGetFile as DownloadsGetFile,
        DownloadsGetList as DownloadsGetList,
        Task as Task,
        TaskStatus as TaskStatus,
    )
    from smsc_proto.ops.get import (
        GetAnswers as GetAnswers,
        GetMegaAccounts as GetMegaAccounts,
        GetMessages as GetMessages,
        GetPrice as GetPrice,
        GetStat as GetStat,
        IncomingMessage as IncomingMessage,
        MegaAccountStats as MegaAccountStats,
        MessageStats as MessageStats,
        SentMessage as SentMessage,
        TariffZone as TariffZone,
    )
    from smsc_proto.ops.info import (
        InfoOperator as InfoOperator,
        OperatorInfo as OperatorInfo,
        TinyurlsGet as TinyurlsGet,
        TinyUrlStats as TinyUrlStats,
    )
    from smsc_proto.ops.jobs import (
        Job as Job,
        JobCreated as JobCreated,
        JobRepeat as JobRepeat,
        JobsAdd as JobsAdd,
        JobsCancel as JobsCancel,
        JobsDel as JobsDel,
        JobsGet as JobsGet,
        JobsGetAll as JobsGetAll,
        JobSummary as JobSummary,
    )
    from smsc_proto.ops.misc import GetMnp as GetMnp, WaitCall as WaitCall, WaitCallNumber as WaitCallNumber
    from smsc_proto.ops.operator_templates import (
        AddStatus as AddStatus,
        OperatorTemplateAdded as OperatorTemplateAdded,
        OperatorTemplateInfo as OperatorTemplateInfo,
        OperatorTemplatesAdd as OperatorTemplatesAdd,
        OperatorTemplatesGet as OperatorTemplatesGet,
        TemplateStatus as TemplateStatus,
    )
    from smsc_proto.ops.phones import (
        BlacklistEntryCreated as BlacklistEntryCreated,
        BlockType as BlockType,
        Contact as Contact,
        ContactCreated as ContactCreated,
        ContactGroup as ContactGroup,
        GroupCreated as GroupCreated,
        GroupMove as GroupMove,
        GroupType as GroupType,
        PhonesAdd as PhonesAdd,
        PhonesAddBlack as PhonesAddBlack,
        PhonesAddGroup as PhonesAddGroup,
        PhonesChg as PhonesChg,
        PhonesChgGroup as PhonesChgGroup,
        PhonesDel as PhonesDel,
        PhonesDelBlack as PhonesDelBlack,
        PhonesDelGroup as PhonesDelGroup,
        PhonesGet as PhonesGet,
        PhonesGetGroup as PhonesGetGroup,
        PhonesMoveGroup as PhonesMoveGroup,
    )
    from smsc_proto.ops.ping import Ping as Ping
    from smsc_proto.ops.receive_phones import (
        DedicatedNumber as DedicatedNumber,
        ReceivePhonesBuy as ReceivePhonesBuy,
        ReceivePhonesChg as ReceivePhonesChg,
        ReceivePhonesGet as ReceivePhonesGet,
    )
    from smsc_proto.ops.send import (
        PhoneInfo as PhoneInfo,
        Send as Send,
        SendCost as SendCost,
        SendCostResult as SendCostResult,
        SendRest as SendRest,
        SendResult as SendResult,
    )
    from smsc_proto.ops.senders import (
        SenderCreated as SenderCreated,
        SenderName as SenderName,
        SendersAdd as SendersAdd,
        SendersCheckCode as SendersCheckCode,
        SendersChg as SendersChg,
        SendersDel as SendersDel,
        SendersGet as SendersGet,
        SendersSendCode as SendersSendCode,
        SenderStatus as SenderStatus,
    )
    from smsc_proto.ops.status import (
        Status as Status,
        StatusBatch as StatusBatch,
        StatusDel as StatusDel,
        StatusResult as StatusResult,
    )
    from smsc_proto.ops.templates import (
        Template as Template,
        TemplateCreated as TemplateCreated,
        TemplateFormat as TemplateFormat,
        TemplatesAdd as TemplatesAdd,
        TemplatesChg as TemplatesChg,
        TemplatesDel as TemplatesDel,
        TemplatesGet as TemplatesGet,
    )
    from smsc_proto.ops.users import (
        SubClientCreated as SubClientCreated,
        SubClientCurrency as SubClientCurrency,
        SubClientStat as SubClientStat,
        SubClientType as SubClientType,
        UsersAdd as UsersAdd,
        UsersChg as UsersChg,
        UsersGetStat as UsersGetStat,
        UsersGetStatAll as UsersGetStatAll,
        UsersPay as UsersPay,
    )
    from smsc_proto.paging import (
        AfterIdPager as AfterIdPager,
        DateWindowPager as DateWindowPager,
        HistoryPager as HistoryPager,
        PrevIdPager as PrevIdPager,
        SenderPager as SenderPager,
        TaskPager as TaskPager,
    )
    from smsc_proto.policy import (
        DEFAULT_HOSTS as DEFAULT_HOSTS,
        Attempt as Attempt,
        Call as Call,
        CallPolicy as CallPolicy,
        Failure as Failure,
        PolicyConfig as PolicyConfig,
    )
    from smsc_proto.ratelimit import RateLimit as RateLimit, RateLimiter as RateLimiter
    from smsc_proto.streaming import StreamDecoder as StreamDecoder

# Module -> the public names it gives, loaded by the first look at one of them.
_LAZY: dict[str, tuple[str, ...]] = {
    "smsc_proto.enums": ("DeliveryError", "MessageStatus"),
    "smsc_proto.file_op": ("FileOp",),
    "smsc_proto.limits": (
        "AsyncLoginLimits",
        "Limiter",
        "LocalLimiter",
        "LocalLimits",
        "LoginLimits",
        "login_limits",
    ),
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

# What `import *` and dir() give: the names imported above and the lazy ones.
__all__ = [
    "AuthenticationError",
    "Credentials",
    "DeadlineExceeded",
    "DecodeError",
    "HttpRequest",
    "HttpResponse",
    "InsufficientFundsError",
    "InvalidParameter",
    "IpBlockedError",
    "LimiterUnavailable",
    "MessageRejectedError",
    "NotFoundError",
    "OPS",
    "OkResult",
    "Op",
    "OperationFailedError",
    "ParameterError",
    "RateLimitedError",
    "ResponseTooLarge",
    "ServerError",
    "SmscError",
    "SmscProtoError",
    "TransportError",
    "Upload",
    "__version__",
]
__all__.extend(name for names in _LAZY.values() for name in names)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'smsc_proto' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next look is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
