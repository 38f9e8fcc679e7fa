"""腾讯云短信 (SMS API 2021-01-11): the SendSms action, signed by hand with TC3-HMAC-SHA256.

No SDK: one signed HTTPS POST with the standard library, following the published "签名方法 v3"
(https://cloud.tencent.com/document/api/362/4208; each product's API docs carry the same page):

1. 拼接规范请求串 (CanonicalRequest): ``POST\\n/\\n\\n`` + the signed headers as lowercase
   ``name:value\\n`` lines sorted by name + ``\\n`` + their names joined by ``;`` + ``\\n`` +
   hex SHA-256 of the body;
2. 拼接待签名字符串 (StringToSign): ``TC3-HMAC-SHA256\\n`` + X-TC-Timestamp + ``\\n`` +
   ``<UTC date>/sms/tc3_request`` + ``\\n`` + hex SHA-256 of the CanonicalRequest;
3. 计算签名: the key chain ``HMAC("TC3" + SecretKey, date)`` → ``HMAC(·, "sms")`` →
   ``HMAC(·, "tc3_request")``, then hex ``HMAC(key, StringToSign)``;
4. 拼接 Authorization: ``TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=…,
   Signature=…``, sent with the X-TC-Action/Version/Timestamp/Region headers.

The document's worked example (DescribeInstances, timestamp 1551113065 →
``72e494ea809ad7a8…``) is a test in ``tests/test_tencent.py``.

SendSms (https://www.tencentcloud.com/document/api/382/40536): ``PhoneNumberSet`` (E.164, so
``+86`` is prefixed), ``SmsSdkAppId``, ``SignName``, ``TemplateId`` and ``TemplateParamSet``,
the template's variables as an ordered list ({1}, {2}, …), not by name. The answer is
``{"Response": {"SendStatusSet": [{"Code": "Ok", "SerialNo": "…", …}], "RequestId": "…"}}``;
a refused call answers ``{"Response": {"Error": {"Code": "…", "Message": "…"}, …}}``.

Delivery receipts: PullSmsSendStatus (https://cloud.tencent.com/document/product/382/55977),
``SmsSdkAppId`` and ``Limit`` (at most 100), signed exactly as SendSms; the answer's
``PullSmsSendStatusSet`` rows carry ``SerialNo`` (SendSms's), ``ReportStatus`` SUCCESS/FAIL,
``Description`` and ``UserReceiveTime``. The provider hands each receipt out once; the app must
have status pulling enabled and the CAM policy needs sms:PullSmsSendStatus.

Because the queue hands each receipt out once, a worker that dies between the pull and the save
loses those receipts. A message still without a receipt ``BY_PHONE_AFTER`` after it was sent is
therefore asked for by number with PullSmsSendStatusByPhoneNumber
(https://cloud.tencent.com/document/product/382/55976: ``PhoneNumber``, ``BeginTime``/``EndTime``
in Unix seconds, at most the last 7 days, ``Offset``, ``Limit``), which answers the same rows
again however often it is asked (CAM: sms:PullSmsSendStatusByPhoneNumber).

Settings: ``SMS_TENCENT_SECRET_ID``, ``SMS_TENCENT_SECRET_KEY`` (a CAM sub-user's key limited to
sms:SendSms), ``SMS_TENCENT_SDK_APP_ID`` (the 短信应用 SdkAppId, e.g. 1400006666),
``SMS_TENCENT_REGION`` (default ``ap-guangzhou``), ``SMS_TENCENT_ENDPOINT`` (default
``https://sms.tencentcloudapi.com/``) and ``SMS_TENCENT_TEMPLATE_PARAMS``: for each template
ID the names of ``SmsMessage.params`` in the template's order, e.g. in the environment
``1234567:receipt_no,due_date;2345678:receipt_no`` ({1} is the receipt number, {2} the due date).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from django.conf import settings

from .base import (
    DeliveryReport,
    ProviderUnreachable,
    ReceiptPull,
    SentSms,
    SmsBackend,
    SmsMessage,
    SmsResult,
    carrier_reason,
    endpoint_problems,
    http_post,
    logger,
    masked_phone,
    unreachable_result,
)

API_VERSION = "2021-01-11"
SERVICE = "sms"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
# Headers covered by the signature: the two the document requires, and the action, so a
# captured request cannot be replayed as another action.
SIGNED_HEADERS = ("content-type", "host", "x-tc-action")
# PullSmsSendStatus hands out at most 100 receipts a call; a run takes at most 10 pages.
PULL_LIMIT = 100
MAX_PULL_PAGES = 10
# A message with no receipt this long after it was sent is asked for by number, for at most
# BY_PHONE_MAX numbers a run (the oldest first).
BY_PHONE_AFTER = timedelta(minutes=30)
BY_PHONE_MAX = 20

# Code → (what an administrator reads, whether a later attempt may succeed). Codes starting
# with LimitExceeded., RequestLimitExceeded or InternalError are retryable (see read_answer).
ERRORS: dict[str, tuple[str, bool]] = {
    "RequestLimitExceeded": ("腾讯云短信接口请求过于频繁(限流),稍后自动重试。", True),
    "LimitExceeded.PhoneNumberThirtySecondLimit": (
        "同一号码 30 秒内发送过于频繁,稍后自动重试。",
        True,
    ),
    "LimitExceeded.PhoneNumberOneHourLimit": ("同一号码 1 小时内发送过多,稍后自动重试。", True),
    "LimitExceeded.PhoneNumberDailyLimit": ("同一号码当日发送过多,稍后自动重试。", True),
    "LimitExceeded.DeliveryFrequencyLimit": ("触发腾讯云短信发送频率限制,稍后自动重试。", True),
    "LimitExceeded.AppDailyLimit": ("已达到短信应用的日发送量上限,稍后自动重试。", True),
    "FailedOperation.TemplateIncorrectOrUnapproved": (
        "短信模板不存在或未审核通过:请核对模板 ID 与腾讯云短信控制台一致。",
        False,
    ),
    "FailedOperation.SignatureIncorrectOrUnapproved": (
        "短信签名不存在或未审核通过:请核对签名名称与腾讯云短信控制台一致。",
        False,
    ),
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": (
        "模板变量的个数与审核通过的模板不一致:请核对 SMS_TENCENT_TEMPLATE_PARAMS。",
        False,
    ),
    "InvalidParameterValue.IncorrectPhoneNumber": ("手机号码格式不正确,短信无法发送。", False),
    "FailedOperation.PhoneNumberParseFail": ("手机号码无法识别,短信无法发送。", False),
    "FailedOperation.PhoneNumberInBlacklist": ("该号码在腾讯云短信黑名单中(曾退订)。", False),
    "FailedOperation.ContainSensitiveWord": ("短信内容包含敏感词。", False),
    "FailedOperation.InsufficientBalanceInSmsPackage": ("腾讯云短信套餐包余量不足。", False),
    "InvalidParameterValue.TemplateParameterFormatError": ("模板变量格式不正确。", False),
    "InvalidParameterValue.TemplateParameterLengthLimit": ("模板变量超出长度限制。", False),
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": (
        "模板变量中不允许包含网址。",
        False,
    ),
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": (
        "短信应用 SdkAppId 校验失败:请核对 SMS_TENCENT_SDK_APP_ID。",
        False,
    ),
    "AuthFailure.SignatureFailure": (
        "腾讯云拒绝了请求签名:请核对 SMS_TENCENT_SECRET_KEY。",
        False,
    ),
    "AuthFailure.SecretIdNotFound": (
        "腾讯云 SecretId 不存在或已禁用:请核对 SMS_TENCENT_SECRET_ID。",
        False,
    ),
    "AuthFailure.SignatureExpire": ("请求时间与腾讯云相差过大:请校准服务器时钟。", False),
    "AuthFailure.UnauthorizedOperation": (
        "该腾讯云密钥没有发送短信的权限:请为子用户授予 sms:SendSms。",
        False,
    ),
}
RETRYABLE_PREFIXES = ("LimitExceeded.", "RequestLimitExceeded", "InternalError")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def utc_date(timestamp: int) -> str:
    """The credential scope's date: the UTC day of X-TC-Timestamp (never the local day)."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")


def canonical_request(
    *, method: str, query: str, headers: Mapping[str, str], signed: Sequence[str], payload: bytes
) -> str:
    """步骤 1. ``headers`` maps names to the values sent; ``signed`` names those to sign."""
    lowered = {name.lower(): value for name, value in headers.items()}
    names = sorted(name.lower() for name in signed)
    canonical_headers = "".join(f"{name}:{lowered[name].strip().lower()}\n" for name in names)
    return "\n".join([method, "/", query, canonical_headers, ";".join(names), sha256_hex(payload)])


def string_to_sign(*, timestamp: int, service: str, canonical: str) -> str:
    """步骤 2."""
    scope = f"{utc_date(timestamp)}/{service}/tc3_request"
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{sha256_hex(canonical.encode('utf-8'))}"


def signature(*, secret_key: str, timestamp: int, service: str, to_sign: str) -> str:
    """步骤 3: the derived key chain date → service → tc3_request, then hex HMAC-SHA256."""
    secret_date = _hmac(f"TC3{secret_key}".encode(), utc_date(timestamp))
    secret_service = _hmac(secret_date, service)
    secret_signing = _hmac(secret_service, "tc3_request")
    return hmac.new(secret_signing, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    timestamp: int,
    headers: Mapping[str, str],
    signed: Sequence[str],
    payload: bytes,
    method: str = "POST",
    query: str = "",
) -> str:
    """步骤 4: the Authorization header for a request with these headers and body."""
    canonical = canonical_request(
        method=method, query=query, headers=headers, signed=signed, payload=payload
    )
    to_sign = string_to_sign(timestamp=timestamp, service=service, canonical=canonical)
    sig = signature(secret_key=secret_key, timestamp=timestamp, service=service, to_sign=to_sign)
    scope = f"{utc_date(timestamp)}/{service}/tc3_request"
    names = ";".join(sorted(name.lower() for name in signed))
    return f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={names}, Signature={sig}"


def e164(phone: str) -> str:
    """``13800138000`` → ``+8613800138000``; a number already in E.164 stays as it is."""
    phone = "".join(phone.split())
    if phone.startswith("+"):
        return phone
    if phone.startswith("0086"):
        return "+" + phone[2:]
    if phone.startswith("86") and len(phone) == 13:
        return "+" + phone
    return "+86" + phone


class TencentBackend(SmsBackend):
    label = "腾讯云短信"

    def __init__(
        self,
        *,
        secret_id: str | None = None,
        secret_key: str | None = None,
        sdk_app_id: str | None = None,
        region: str | None = None,
        endpoint: str | None = None,
        template_params: Mapping[str, Sequence[str]] | None = None,
        **options,
    ) -> None:
        super().__init__(**options)
        self.secret_id = settings.SMS_TENCENT_SECRET_ID if secret_id is None else secret_id
        self.secret_key = settings.SMS_TENCENT_SECRET_KEY if secret_key is None else secret_key
        self.sdk_app_id = settings.SMS_TENCENT_SDK_APP_ID if sdk_app_id is None else sdk_app_id
        self.region = settings.SMS_TENCENT_REGION if region is None else region
        self.endpoint = settings.SMS_TENCENT_ENDPOINT if endpoint is None else endpoint
        self.template_params = (
            settings.SMS_TENCENT_TEMPLATE_PARAMS if template_params is None else template_params
        )

    def configuration_problems(self) -> list[str]:
        problems = [
            f"未设置 {name}。"
            for name, value in [
                ("SMS_TENCENT_SECRET_ID", self.secret_id),
                ("SMS_TENCENT_SECRET_KEY", self.secret_key),
                ("SMS_TENCENT_SDK_APP_ID", self.sdk_app_id),
                ("SMS_TENCENT_REGION", self.region),
            ]
            if not value
        ]
        return problems + endpoint_problems("SMS_TENCENT_ENDPOINT", self.endpoint)

    def param_list(self, message: SmsMessage) -> list[str] | SmsResult:
        """The template's variables in the template's order, or the reason there are none."""
        order = self.template_params.get(message.template_code)
        if order is None:
            if not message.params:
                return []
            return SmsResult.failed(
                "TEMPLATE_PARAMS_ORDER_MISSING",
                f"腾讯云短信模板 {message.template_code} 的变量顺序未配置"
                "(SMS_TENCENT_TEMPLATE_PARAMS),短信无法发送。",
                retryable=False,
            )
        missing = [name for name in order if name not in message.params]
        if missing:
            return SmsResult.failed(
                "TEMPLATE_PARAMS_MISSING",
                f"短信缺少模板 {message.template_code} 要求的变量:{'、'.join(missing)}。",
                retryable=False,
            )
        return [str(message.params[name]) for name in order]

    def signed_request(
        self, action: str, body: dict, timestamp: int
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a signed call of ``action``."""
        payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Host": urllib.parse.urlsplit(self.endpoint).netloc,
            "X-TC-Action": action,
            "X-TC-Version": API_VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
            "X-TC-Language": "zh-CN",
        }
        headers["Authorization"] = authorization(
            secret_id=self.secret_id,
            secret_key=self.secret_key,
            service=SERVICE,
            timestamp=timestamp,
            headers=headers,
            signed=SIGNED_HEADERS,
            payload=payload,
        )
        return payload, headers

    def request(
        self, message: SmsMessage, params: list[str], timestamp: int
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the signed SendSms call."""
        body = {
            "PhoneNumberSet": [e164(message.phone)],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": self.sign_name_for(message),
            "TemplateId": message.template_code,
            "TemplateParamSet": params,
        }
        return self.signed_request("SendSms", body, timestamp)

    def delivery_reports(self, sent: Sequence[SentSms]) -> ReceiptPull:
        """PullSmsSendStatus: the receipts the provider holds for the app, ``PULL_LIMIT`` at a
        time, until a short page. The provider hands each receipt out once (a queue), so the
        reports are for any message of the app, not only ``sent``."""
        pull = ReceiptPull()
        if self.configuration_problems():
            pull.errors.append(f"{self.label}的设置不完整,无法拉取回执。")
            return pull
        for _page in range(MAX_PULL_PAGES):
            body = {"SmsSdkAppId": self.sdk_app_id, "Limit": PULL_LIMIT}
            payload, headers = self.signed_request("PullSmsSendStatus", body, int(time.time()))
            try:
                answer = http_post(
                    self.endpoint, body=payload, headers=headers, timeout=self.timeout
                )
            except ProviderUnreachable as exc:
                logger.warning("短信通道 %s 无法连接(拉取回执):%s", self.label, exc)
                pull.errors.append(f"无法连接{self.label}(网络错误或超时),稍后再拉取回执。")
                break
            rows = self.read_statuses(answer.status, answer.body, pull)
            if rows is None:
                break
            pull.reports.extend(rows)
            if len(rows) < PULL_LIMIT:
                break
        if not pull.errors:
            self.pull_by_phone(sent, pull)
        return pull

    def pull_by_phone(self, sent: Sequence[SentSms], pull: ReceiptPull) -> None:
        """Ask by number for the messages sent over ``BY_PHONE_AFTER`` ago that the queue gave
        no receipt for: the receipts a crashed run took from the queue and never saved."""
        now = datetime.now(tz=UTC)
        answered = {report.message_id for report in pull.reports}
        overdue: dict[str, list[SentSms]] = {}
        for message in sorted(sent, key=lambda m: m.sent_at):
            if message.message_id in answered or now - message.sent_at < BY_PHONE_AFTER:
                continue
            overdue.setdefault(message.phone, []).append(message)
        for phone, messages in list(overdue.items())[:BY_PHONE_MAX]:
            wanted = {m.message_id for m in messages}
            begin = max(messages[0].sent_at, now - timedelta(days=7)) - timedelta(minutes=1)
            body = {
                "SmsSdkAppId": self.sdk_app_id,
                "PhoneNumber": e164(phone),
                "BeginTime": int(begin.timestamp()),
                "EndTime": int(now.timestamp()),
                "Offset": 0,
                "Limit": PULL_LIMIT,
            }
            payload, headers = self.signed_request(
                "PullSmsSendStatusByPhoneNumber", body, int(time.time())
            )
            try:
                answer = http_post(
                    self.endpoint, body=payload, headers=headers, timeout=self.timeout
                )
            except ProviderUnreachable as exc:
                logger.warning("短信通道 %s 无法连接(按号码拉取回执):%s", self.label, exc)
                pull.errors.append(f"无法连接{self.label}(网络错误或超时),稍后再拉取回执。")
                return
            rows = self.read_statuses(answer.status, answer.body, pull)
            if rows is None:
                return
            pull.reports.extend(r for r in rows if r.message_id in wanted)

    def read_statuses(
        self, status: int, body: bytes, pull: ReceiptPull
    ) -> list[DeliveryReport] | None:
        """The reports of one PullSmsSendStatus answer; None after an error (put in pull)."""
        try:
            response = json.loads(body.decode("utf-8"))["Response"]
            if "Error" in response:
                code = str(response["Error"]["Code"])
                text = ERRORS.get(code, (f"腾讯云短信拒绝拉取回执(错误码 {code})。", False))[0]
                pull.errors.append(text)
                return None
            rows = response["PullSmsSendStatusSet"] or []
            reports = []
            for row in rows:
                delivered = row["ReportStatus"] == "SUCCESS"
                reason = "" if delivered else carrier_reason("", str(row.get("Description") or ""))
                received = row.get("UserReceiveTime")
                reports.append(
                    DeliveryReport(
                        message_id=str(row["SerialNo"]),
                        delivered=delivered,
                        reason=reason,
                        received_at=(
                            datetime.fromtimestamp(int(received), tz=UTC) if received else None
                        ),
                    )
                )
            return reports
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            pull.errors.append(f"腾讯云短信返回了无法识别的应答(HTTP {status})。")
            return None

    def send(self, message: SmsMessage) -> SmsResult:
        if refusal := self.refuse_incomplete(message):
            return refusal
        params = self.param_list(message)
        if isinstance(params, SmsResult):
            return params
        payload, headers = self.request(message, params, int(time.time()))
        try:
            answer = http_post(self.endpoint, body=payload, headers=headers, timeout=self.timeout)
        except ProviderUnreachable as exc:
            return unreachable_result(self.label, exc)
        result = self.read_answer(answer.status, answer.body)
        if not result.ok:
            logger.warning(
                "腾讯云短信未发出 → %s 模板 %s:%s(HTTP %s)",
                masked_phone(message.phone),
                message.template_code,
                result.error_code,
                answer.status,
            )
        return result

    def read_answer(self, status: int, body: bytes) -> SmsResult:
        """Map the provider's answer (any HTTP status) to a result."""
        try:
            data = json.loads(body.decode("utf-8"))
            response = data["Response"]
            if "Error" in response:
                code = str(response["Error"]["Code"])
                provider_text = str(response["Error"].get("Message") or "")
            else:
                first = response["SendStatusSet"][0]
                code = str(first["Code"])
                provider_text = str(first.get("Message") or "")
                if code == "Ok":
                    return SmsResult.sent(str(first.get("SerialNo") or response["RequestId"]))
        except (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError):
            return SmsResult.failed(
                f"HTTP_{status}",
                f"腾讯云短信返回了无法识别的应答(HTTP {status}),稍后自动重试。",
                retryable=True,
            )
        if code in ERRORS:
            text, retryable = ERRORS[code]
        elif code.startswith(RETRYABLE_PREFIXES):
            text = f"腾讯云短信暂时无法发送(错误码 {code}),稍后自动重试。"
            retryable = True
        else:
            text = f"腾讯云短信拒绝发送(错误码 {code}):{provider_text[:200]}"
            retryable = status >= 500
        return SmsResult.failed(code, text, retryable=retryable)
