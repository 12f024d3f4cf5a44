"""Code tables as enums that stay open: a value the API adds later decodes as itself."""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["DeliveryError", "MessageStatus", "OpenIntEnum"]


class OpenIntEnum(enum.IntEnum):
    """An IntEnum that accepts unknown integers as ``UNKNOWN_<n>`` pseudo-members."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return member
        return None


class MessageStatus(OpenIntEnum):
    """Message (or HLR request) status codes, errors.md section 2."""

    NOT_FOUND = -3
    STOPPED = -2
    WAITING = -1
    TRANSFERRED = 0
    DELIVERED = 1
    READ = 2
    EXPIRED = 3
    LINK_CLICKED = 4
    UNDELIVERABLE = 20
    WRONG_NUMBER = 22
    PROHIBITED = 23
    INSUFFICIENT_FUNDS = 24
    UNAVAILABLE_NUMBER = 25


class DeliveryError(OpenIntEnum):
    """Delivery error codes in a status (``err``), errors.md section 3."""

    NONE = 0
    NO_SUBSCRIBER = 1
    OFFLINE = 6
    SERVICE_NOT_CONNECTED = 11
    PHONE_ERROR = 12
    SUBSCRIBER_BLOCKED = 13
    SERVICE_NOT_SUPPORTED = 21
    VIRTUAL_SENDING = 200
    SIM_REPLACED = 219
    OPERATOR_QUEUE_FULL = 220
    NO_ANSWER = 237
    NO_TEMPLATE = 238
    FORBIDDEN_IP = 239
    BUSY = 240
    CONVERSION_ERROR = 241
    ANSWERING_MACHINE = 242
    NO_CONTRACT = 243
    MAILING_FORBIDDEN = 244
    STATUS_NOT_RECEIVED = 245
    TIME_RESTRICTION = 246
    MESSAGE_LIMIT = 247
    NO_ROUTE = 248
    WRONG_NUMBER_FORMAT = 249
    NUMBER_FORBIDDEN_BY_SETTINGS = 250
    PER_NUMBER_LIMIT = 251
    NUMBER_FORBIDDEN = 252
    SPAM_FILTER = 253
    UNREGISTERED_SENDER = 254
    REJECTED_BY_OPERATOR = 255
