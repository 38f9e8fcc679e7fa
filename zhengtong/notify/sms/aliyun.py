"""阿里云短信服务 (Dysmsapi, API version 2017-05-25): the SendSms operation, signed by hand.

No SDK: one signed HTTPS POST with the standard library. The signature is the RPC-style
``Signature`` of the published document "RPC 机制 / 签名机制"
(https://help.aliyun.com/zh/sdk/product-overview/rpc-mechanism; the same text is in each RPC
product's "签名机制" page, e.g. https://help.aliyun.com/document_detail/28839.html),
SignatureMethod HMAC-SHA1, SignatureVersion 1.0:

1. 步骤一 构造规范化请求字符串: every parameter except ``Signature``, sorted by name, name and
   value percent-encoded (RFC 3986: only ``A-Z a-z 0-9 - _ . ~`` stay, space is ``%20``),
   joined as ``name=value`` with ``&``;
2. 步骤二 构造待签名字符串: ``HTTPMethod + "&" + percentEncode("/") + "&" +
   percentEncode(CanonicalizedQueryString)``;
3. 步骤三 计算签名: ``Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))``.

The document's worked example (DescribeRegions, ``testid``/``testsecret`` →
``CT9X0VtwR86fNWSnsc6v8YGOjuE=``) is a test in ``tests/test_aliyun.py``.

SendSms (https://help.aliyun.com/document_detail/55284.html): ``PhoneNumbers``, ``SignName``,
``TemplateCode``, ``TemplateParam`` (a JSON object of the template's variables). The page
warns that SendSms is not idempotent and a timed-out call may still have been sent; see
``base`` for why a timeout is retried anyway.
The answer is JSON: ``{"Code": "OK", "Message": "OK", "BizId": "…", "RequestId": "…"}``; any
other ``Code`` is a refusal (API错误码, https://help.aliyun.com/document_detail/101346.html).

Delivery receipts: QuerySendDetails (https://help.aliyun.com/document_detail/419277.html), one
call per message with ``PhoneNumber``, ``SendDate`` (yyyyMMdd, Beijing day, last 30 days),
``BizId``, ``PageSize`` and ``CurrentPage``; the answer's ``SmsSendDetailDTOs.SmsSendDetailDTO``
rows carry ``SendStatus`` (1 等待回执, 2 发送失败, 3 发送成功), ``ErrCode`` and ``ReceiveDate``.
Signed exactly as SendSms. The RAM policy needs dysms:QuerySendDetails as well.

Settings: ``SMS_ALIYUN_ACCESS_KEY_ID``, ``SMS_ALIYUN_ACCESS_KEY_SECRET`` (a RAM user's key with
AliyunDysmsFullAccess or a SendSms-only policy), ``SMS_ALIYUN_ENDPOINT`` (default
``https://dysmsapi.aliyuncs.com/``), ``SMS_ALIYUN_REGION`` (default ``cn-hangzhou``), and the
common ``SMS_SIGN_NAME`` and ``SMS_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

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

API_VERSION = "2017-05-25"
# Dysmsapi dates and times (SendDate, ReceiveDate) are Beijing time.
BEIJING = ZoneInfo("Asia/Shanghai")

# Code → (what an administrator reads, whether a later attempt may succeed).
ERRORS: dict[str, tuple[str, bool]] = {
    "isv.BUSINESS_LIMIT_CONTROL": (
        "触发阿里云短信业务限流(同一号码发送过于频繁),稍后自动重试。",
        True,
    ),
    "isv.DAY_LIMIT_CONTROL": ("已达到阿里云短信控制台设置的日发送量上限,稍后自动重试。", True),
    "isp.SYSTEM_ERROR": ("阿里云短信服务系统错误,稍后自动重试。", True),
    "ServiceUnavailable": ("阿里云短信服务暂时不可用,稍后自动重试。", True),
    "InternalError": ("阿里云短信服务内部错误,稍后自动重试。", True),
    "SignatureNonceUsed": ("请求随机数重复,稍后自动重试。", True),
    "isv.SMS_TEMPLATE_ILLEGAL": (
        "短信模板不存在或未审核通过:请核对模板编号(TemplateCode)与阿里云控制台一致。",
        False,
    ),
    "isv.SMS_SIGNATURE_ILLEGAL": (
        "短信签名不存在或未审核通过:请核对签名名称与阿里云控制台一致。",
        False,
    ),
    "isv.SMS_SIGN_ILLEGAL": ("短信签名已被禁止使用:请在阿里云控制台申请新的签名。", False),
    "isv.SIGN_STATE_ILLEGAL": ("短信签名状态为不可用:请在阿里云控制台检查签名。", False),
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL": (
        "短信签名与模板类型不匹配(验证码签名只能发送验证码模板)。",
        False,
    ),
    "isv.MOBILE_NUMBER_ILLEGAL": ("手机号码格式不正确,短信无法发送。", False),
    "isv.MOBILE_COUNT_OVER_LIMIT": ("一次发送的手机号码数量超过上限。", False),
    "isv.TEMPLATE_MISSING_PARAMETERS": ("短信缺少模板要求的变量。", False),
    "isv.INVALID_PARAMETERS": ("短信参数不合法。", False),
    "isv.INVALID_JSON_PARAM": ("模板变量格式不合法(只接受字符串值)。", False),
    "isv.PARAM_LENGTH_LIMIT": ("模板变量超出长度限制。", False),
    "isv.SMS_CONTENT_ILLEGAL": ("短信内容包含禁止发送的内容。", False),
    "isv.BLACK_KEY_CONTROL_LIMIT": ("该号码或内容被阿里云黑名单管控。", False),
    "isv.MONTH_LIMIT_CONTROL": ("已达到阿里云短信控制台设置的月发送量上限。", False),
    "isv.AMOUNT_NOT_ENOUGH": ("阿里云账户余额不足,请充值。", False),
    "isv.OUT_OF_SERVICE": ("阿里云短信业务停机(通常是余额不足),请充值。", False),
    "isv.ACCOUNT_NOT_EXISTS": ("阿里云账户不存在:请核对 AccessKey。", False),
    "isv.ACCOUNT_ABNORMAL": ("阿里云账户异常,请联系阿里云。", False),
    "isv.PRODUCT_UN_SUBSCRIPT": ("该阿里云账户未开通短信服务。", False),
    "isv.PRODUCT_UNSUBSCRIBE": ("该阿里云账户未开通短信服务。", False),
    "isp.RAM_PERMISSION_DENY": (
        "AccessKey 没有发送短信的权限:请为该 RAM 用户授予 AliyunDysmsFullAccess。",
        False,
    ),
    "SignatureDoesNotMatch": (
        "阿里云拒绝了请求签名:请核对 SMS_ALIYUN_ACCESS_KEY_SECRET。",
        False,
    ),
    "IncompleteSignature": ("阿里云拒绝了请求签名:请核对 AccessKey 配置。", False),
    "InvalidAccessKeyId.NotFound": (
        "阿里云 AccessKey ID 不存在:请核对 SMS_ALIYUN_ACCESS_KEY_ID。",
        False,
    ),
    "InvalidAccessKeyId.Inactive": ("阿里云 AccessKey 已被禁用。", False),
    "InvalidTimeStamp.Expired": ("请求时间与阿里云相差过大:请校准服务器时钟。", False),
}


def percent_encode(value: str) -> str:
    """RFC 3986 as the document asks: UTF-8, only ``A-Z a-z 0-9 - _ . ~`` left as they are.

    ``urllib.parse.quote`` with nothing extra safe does exactly that (``~`` is unreserved since
    Python 3.7, space becomes ``%20`` and ``*`` becomes ``%2A``).
    """
    return urllib.parse.quote(value, safe="")


def canonicalized_query(params: dict[str, str]) -> str:
    """步骤一: sorted by name, each ``name=value`` percent-encoded, joined with ``&``."""
    return "&".join(
        f"{percent_encode(name)}={percent_encode(value)}" for name, value in sorted(params.items())
    )


def string_to_sign(method: str, params: dict[str, str]) -> str:
    """步骤二: ``METHOD&%2F&`` + the canonicalized query, percent-encoded once more."""
    return f"{method}&{percent_encode('/')}&{percent_encode(canonicalized_query(params))}"


def signature(secret: str, method: str, params: dict[str, str]) -> str:
    """步骤三: Base64(HMAC-SHA1(secret + "&", StringToSign)). ``params`` without Signature."""
    key = f"{secret}&".encode()
    digest = hmac.new(key, string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def beijing_time(value) -> datetime | None:
    """``2026-12-02 10:15:03`` (Beijing time) as an aware datetime; None if absent or odd."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


def domestic_number(phone: str) -> str:
    """Dysmsapi takes mainland numbers as 11 digits; drop a ``+86``/``0086`` prefix if given."""
    phone = "".join(phone.split())
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            return phone[len(prefix) :]
    return phone


class AliyunBackend(SmsBackend):
    label = "阿里云短信服务"

    def __init__(
        self,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        endpoint: str | None = None,
        region: str | None = None,
        **options,
    ) -> None:
        super().__init__(**options)
        self.access_key_id = (
            settings.SMS_ALIYUN_ACCESS_KEY_ID if access_key_id is None else access_key_id
        )
        self.access_key_secret = (
            settings.SMS_ALIYUN_ACCESS_KEY_SECRET
            if access_key_secret is None
            else access_key_secret
        )
        self.endpoint = settings.SMS_ALIYUN_ENDPOINT if endpoint is None else endpoint
        self.region = settings.SMS_ALIYUN_REGION if region is None else region

    def configuration_problems(self) -> list[str]:
        problems = [
            f"未设置 {name}。"
            for name, value in [
                ("SMS_ALIYUN_ACCESS_KEY_ID", self.access_key_id),
                ("SMS_ALIYUN_ACCESS_KEY_SECRET", self.access_key_secret),
                ("SMS_ALIYUN_REGION", self.region),
            ]
            if not value
        ]
        return problems + endpoint_problems("SMS_ALIYUN_ENDPOINT", self.endpoint)

    def signed(self, action: str, specific: dict[str, str]) -> dict[str, str]:
        """The common parameters, the action's own, and their ``Signature``."""
        params = {
            # Common parameters (公共请求参数).
            "AccessKeyId": self.access_key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            **specific,
        }
        params["Signature"] = signature(self.access_key_secret, "POST", params)
        return params

    def signed_params(self, message: SmsMessage) -> dict[str, str]:
        """Common and SendSms parameters with their ``Signature``, ready for the form body."""
        specific = {
            "PhoneNumbers": domestic_number(message.phone),
            "SignName": self.sign_name_for(message),
            "TemplateCode": message.template_code,
        }
        if message.params:
            specific["TemplateParam"] = json.dumps(
                {name: str(value) for name, value in message.params.items()},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        return self.signed("SendSms", specific)

    def post(self, params: dict[str, str]):
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())
        return http_post(
            self.endpoint,
            body=body.encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            timeout=self.timeout,
        )

    def send(self, message: SmsMessage) -> SmsResult:
        if refusal := self.refuse_incomplete(message):
            return refusal
        try:
            answer = self.post(self.signed_params(message))
        except ProviderUnreachable as exc:
            return unreachable_result(self.label, exc)
        result = self.read_answer(answer.status, answer.body)
        if not result.ok:
            logger.warning(
                "阿里云短信未发出 → %s 模板 %s:%s(HTTP %s)",
                masked_phone(message.phone),
                message.template_code,
                result.error_code,
                answer.status,
            )
        return result

    def delivery_reports(self, sent: Sequence[SentSms]) -> ReceiptPull:
        """QuerySendDetails for each message: by phone, the Beijing day of sending and BizId.

        SendStatus 1 等待回执 (no report yet), 2 发送失败 (ErrCode says why), 3 发送成功."""
        pull = ReceiptPull()
        if self.configuration_problems():
            pull.errors.append(f"{self.label}的设置不完整,无法查询回执。")
            return pull
        for message in sent:
            params = self.signed(
                "QuerySendDetails",
                {
                    "PhoneNumber": domestic_number(message.phone),
                    "SendDate": message.sent_at.astimezone(BEIJING).strftime("%Y%m%d"),
                    "BizId": message.message_id,
                    "PageSize": "10",
                    "CurrentPage": "1",
                },
            )
            try:
                answer = self.post(params)
            except ProviderUnreachable as exc:
                logger.warning("短信通道 %s 无法连接(查询回执):%s", self.label, exc)
                pull.errors.append(f"无法连接{self.label}(网络错误或超时),稍后再查回执。")
                break  # the others would wait for the same timeout
            report = self.read_details(message, answer.status, answer.body, pull)
            if report is not None:
                pull.reports.append(report)
        return pull

    def read_details(
        self, message: SentSms, status: int, body: bytes, pull: ReceiptPull
    ) -> DeliveryReport | None:
        """The report in a QuerySendDetails answer; None while it waits (errors go to pull)."""
        try:
            data = json.loads(body.decode("utf-8"))
            code = data["Code"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            pull.errors.append(f"阿里云短信服务返回了无法识别的应答(HTTP {status})。")
            return None
        if code != "OK" or status != 200:
            if code in ERRORS:
                text = ERRORS[code][0]
            elif str(code).startswith("Throttling"):
                text = "阿里云短信服务请求过于频繁(限流)。"
            else:
                text = f"阿里云短信服务拒绝查询(错误码 {code})。"
            pull.errors.append(text)
            return None
        try:
            details = data["SmsSendDetailDTOs"]["SmsSendDetailDTO"]
        except (KeyError, TypeError):
            details = []
        if isinstance(details, dict):
            details = [details]
        for detail in details if isinstance(details, list) else []:
            try:
                send_status = int(detail.get("SendStatus") or 1)
            except (AttributeError, TypeError, ValueError):
                continue
            if send_status == 3:
                return DeliveryReport(
                    message.message_id, True, received_at=beijing_time(detail.get("ReceiveDate"))
                )
            if send_status == 2:
                err = str(detail.get("ErrCode") or "")
                reason = ERRORS[err][0] if err in ERRORS else carrier_reason(err)
                return DeliveryReport(
                    message.message_id,
                    False,
                    reason=reason,
                    received_at=beijing_time(detail.get("ReceiveDate")),
                )
        return None

    def read_answer(self, status: int, body: bytes) -> SmsResult:
        """Map the provider's answer (any HTTP status) to a result."""
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("Code"), str):
            return SmsResult.failed(
                f"HTTP_{status}",
                f"阿里云短信服务返回了无法识别的应答(HTTP {status}),稍后自动重试。",
                retryable=True,
            )
        code = data["Code"]
        if code == "OK" and status == 200:
            return SmsResult.sent(str(data.get("BizId") or data.get("RequestId") or ""))
        if code in ERRORS:
            text, retryable = ERRORS[code]
        elif code.startswith("Throttling"):
            text, retryable = "阿里云短信服务请求过于频繁(限流),稍后自动重试。", True
        else:
            provider_text = str(data.get("Message") or "")[:200]
            text = f"阿里云短信服务拒绝发送(错误码 {code}):{provider_text}"
            retryable = status >= 500
        return SmsResult.failed(code, text, retryable=retryable)
