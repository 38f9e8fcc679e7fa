"""The SMS provider interface: one message in, one result out, never an exception for an answer.

The outbox (issue 11) calls ``get_backend().send(SmsMessage(...))`` from its task and decides
from the ``SmsResult`` what happens next: ``ok`` → sent (keep ``message_id``, the provider's id
for delivery receipts); not ok and ``retryable`` → try again later with backoff; not ok and not
``retryable`` → failed, with ``error_message`` (Chinese, for the administrator's page) saying
what to fix. A backend makes exactly one attempt: it never retries by itself.

Settings (see ``.env.example``):

- ``SMS_BACKEND``: dotted path of the backend class. Default
  ``zhengtong.notify.sms.console.FileBackend`` (development and the demo: nothing leaves the
  machine). Real providers: ``zhengtong.notify.sms.aliyun.AliyunBackend`` (阿里云短信服务) and
  ``zhengtong.notify.sms.tencent.TencentBackend`` (腾讯云短信).
- ``SMS_SIGN_NAME``: the approved signature (签名) used when a message names none.
- ``SMS_TIMEOUT_SECONDS``: how long one request to a provider may take (default 5).

Delivery receipts (回执): ``backend.delivery_reports([SentSms(...), ...]) -> ReceiptPull`` asks the
provider what became of messages it accepted. Each ``DeliveryReport`` is final (delivered, or
failed with the carrier's reason in Chinese); a message without one is still on its way. A
provider error is in ``ReceiptPull.errors`` and never raised: the messages stay "sent" and the
next pull asks again. A backend without receipts reports nothing.

A timeout or a dropped connection is retryable, but the provider may have sent the message
before the answer was lost, so a retry after a timeout can deliver it twice. That is the
accepted trade-off for notifications (a second 受理 notice is better than none).
"""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from zhengtong.lib.masking import mask_phone_internal

logger = logging.getLogger("zhengtong.notify.sms")

DEFAULT_BACKEND = "zhengtong.notify.sms.console.FileBackend"
# A provider's answer to SendSms is a few hundred bytes; anything far larger is not one.
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class SmsMessage:
    """One text to one phone: a provider template and the values of its variables.

    ``phone`` is a mainland mobile number (``13800138000``; ``+86`` is added or removed as each
    provider wants). ``template_code`` is the provider's code of an approved template
    (阿里云 ``SMS_123456789``, 腾讯云 the numeric 模板 ID). ``params`` fills the template's
    variables by name. ``sign_name`` is the approved 签名; empty means ``SMS_SIGN_NAME``.
    """

    phone: str
    template_code: str
    params: dict[str, str] = field(default_factory=dict)
    sign_name: str = ""


@dataclass(frozen=True)
class SmsResult:
    """What became of one message. ``error_message`` is Chinese and written for a person."""

    ok: bool
    message_id: str = ""
    error_code: str = ""
    error_message: str = ""
    retryable: bool = False

    @classmethod
    def sent(cls, message_id: str) -> SmsResult:
        return cls(ok=True, message_id=message_id)

    @classmethod
    def failed(cls, error_code: str, error_message: str, *, retryable: bool) -> SmsResult:
        return cls(
            ok=False, error_code=error_code, error_message=error_message, retryable=retryable
        )


@dataclass(frozen=True)
class SentSms:
    """A message the provider accepted: its id (``SmsResult.message_id``), phone and time."""

    message_id: str
    phone: str
    sent_at: datetime


@dataclass(frozen=True)
class DeliveryReport:
    """The final word on one message: delivered, or not, with the reason in Chinese."""

    message_id: str
    delivered: bool
    reason: str = ""
    received_at: datetime | None = None


@dataclass
class ReceiptPull:
    """What one pull found: final reports, and the provider errors that hid the others."""

    reports: list[DeliveryReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class SmsBackend(ABC):
    """A way of sending SMS. Subclasses implement ``send`` and read their settings in ``__init__``
    (keyword arguments override the settings, which is how tests point them at a stand-in)."""

    #: The provider's name as an administrator knows it, e.g. "阿里云短信服务".
    label = ""

    def __init__(self, *, sign_name: str | None = None, timeout: float | None = None) -> None:
        self.default_sign_name = settings.SMS_SIGN_NAME if sign_name is None else sign_name
        self.timeout = settings.SMS_TIMEOUT_SECONDS if timeout is None else timeout

    @abstractmethod
    def send(self, message: SmsMessage) -> SmsResult:
        """Make one attempt to send ``message``. Never raises for what the provider answers,
        nor for a provider that cannot be reached (that is a retryable result)."""

    def delivery_reports(self, sent: Sequence[SentSms]) -> ReceiptPull:
        """The final reports the provider has for ``sent`` (and, for a provider whose receipts
        are a queue, for any other message it sent). Never raises for the provider's answer."""
        return ReceiptPull()

    def configuration_problems(self) -> list[str]:
        """What is missing or wrong in this backend's settings (the system check shows it)."""
        return []

    def sign_name_for(self, message: SmsMessage) -> str:
        return message.sign_name or self.default_sign_name

    def refuse_incomplete(self, message: SmsMessage) -> SmsResult | None:
        """A message this backend cannot send: its settings are incomplete (the system check
        says so too), or the message has no phone, no template or no signature."""
        if problems := self.configuration_problems():
            return SmsResult.failed(
                "NOT_CONFIGURED",
                f"{self.label}的设置不完整:{''.join(problems)}",
                retryable=False,
            )
        if not message.phone.strip():
            return SmsResult.failed("NO_PHONE", "短信没有收信手机号码。", retryable=False)
        if not message.template_code.strip():
            return SmsResult.failed("NO_TEMPLATE", "短信没有指定模板。", retryable=False)
        if not self.sign_name_for(message):
            return SmsResult.failed(
                "NO_SIGN_NAME",
                "短信没有签名:请在消息中指定签名,或设置 SMS_SIGN_NAME。",
                retryable=False,
            )
        return None


# The status words carriers put in receipts (CMPP/SGIP), which both providers pass on.
CARRIER_STATUS = {
    "UNDELIV": "无法送达(空号、停机或号码异常)",
    "EXPIRED": "超时未送达(手机长时间关机或不在服务区)",
    "REJECTD": "被运营商拒收",
    "REJECT": "被运营商拒收",
    "DELETED": "被运营商删除",
    "UNKNOWN": "运营商未返回送达状态",
    "BLACK": "号码在运营商黑名单中",
    "MK:0001": "无法送达(空号、停机或号码异常)",
}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def carrier_reason(code: str, description: str = "") -> str:
    """Why a message was not delivered, in Chinese, from the receipt's code and description."""
    code, description = (code or "").strip(), (description or "").strip()
    if description and _has_chinese(description):
        text = description
    elif code.upper() in CARRIER_STATUS:
        text = CARRIER_STATUS[code.upper()]
    elif description.upper() in CARRIER_STATUS:
        text = CARRIER_STATUS[description.upper()]
    else:
        text = "运营商未能送达"
    shown = code or description
    if shown and shown not in text:
        text = f"{text}(运营商回执 {shown})"
    return text[:300]


def get_backend(path: str | None = None, **options) -> SmsBackend:
    """The configured backend (``SMS_BACKEND``), or the one at ``path``, built with ``options``."""
    path = path or getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_BACKEND 无法导入:{path}({exc})") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, SmsBackend)):
        raise ImproperlyConfigured(f"SMS_BACKEND 不是短信通道类:{path}")
    return backend_class(**options)


def endpoint_problems(setting: str, url: str) -> list[str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return [f"{setting} 不是有效的网址:{url!r}。"]
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return [f"{setting} 必须使用 https(密钥签名的短信请求不应明文传输):{url}。"]
    return []


def masked_phone(phone: str) -> str:
    """What a log line may show of a phone number (the masking door)."""
    return mask_phone_internal(phone.strip())


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes


class ProviderUnreachable(Exception):
    """No answer from the provider: refused, reset, timed out, TLS failed. Always retryable."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A provider never redirects SendSms; following one would carry the signed headers to
    another address and turn the POST into a GET. The 3xx is returned as the answer instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def http_post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> HttpAnswer:
    """POST ``body`` and return the status and body, whatever the status (4xx and 5xx included).

    Raises ``ProviderUnreachable`` when no HTTP answer arrives within ``timeout`` seconds.
    Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``), as for any urllib call.
    """
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    # Built per call: the proxy handler reads the environment when it is made.
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return HttpAnswer(response.status, response.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as exc:  # an answer with an error status: still an answer
        with exc:
            return HttpAnswer(exc.code, exc.read(MAX_ANSWER_BYTES))
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        # URLError wraps refused connections and TLS errors; TimeoutError and resets are
        # OSErrors; HTTPException covers a connection closed mid-answer.
        reason = getattr(exc, "reason", exc)
        raise ProviderUnreachable(f"{type(reason).__name__}: {reason}") from exc


def unreachable_result(label: str, reason: ProviderUnreachable) -> SmsResult:
    logger.warning("短信通道 %s 无法连接:%s", label, reason)
    return SmsResult.failed(
        "NETWORK_ERROR",
        f"无法连接{label}(网络错误或超时),稍后自动重试。",
        retryable=True,
    )
