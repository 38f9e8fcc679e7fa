"""Sending SMS through a provider: ``get_backend().send(SmsMessage(...)) -> SmsResult``.

See ``base`` for the interface and the settings every backend shares, ``console`` for the
development backend, ``aliyun`` and ``tencent`` for the real providers.
"""

from .base import (
    DeliveryReport,
    ReceiptPull,
    SentSms,
    SmsBackend,
    SmsMessage,
    SmsResult,
    get_backend,
)

__all__ = [
    "DeliveryReport",
    "ReceiptPull",
    "SentSms",
    "SmsBackend",
    "SmsMessage",
    "SmsResult",
    "get_backend",
]
