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
from datetime import UTC, datetime

from django.conf import settings

from .base import (
    ProviderUnreachable,
    SmsBackend,
    SmsMessage,
    SmsResult,
    endpoint_problems,
    http_post,
    logger,
    masked_phone,
    unreachable_result,
)

API_VERSION = "2017-05-25"

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

    def signed_params(self, message: SmsMessage) -> dict[str, str]:
        """Common and SendSms parameters with their ``Signature``, ready for the form body."""
        params = {
            # Common parameters (公共请求参数).
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            # SendSms.
            "PhoneNumbers": domestic_number(message.phone),
            "SignName": self.sign_name_for(message),
            "TemplateCode": message.template_code,
        }
        if message.params:
            params["TemplateParam"] = json.dumps(
                {name: str(value) for name, value in message.params.items()},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        params["Signature"] = signature(self.access_key_secret, "POST", params)
        return params

    def send(self, message: SmsMessage) -> SmsResult:
        if refusal := self.refuse_incomplete(message):
            return refusal
        params = self.signed_params(message)
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())
        try:
            answer = http_post(
                self.endpoint,
                body=body.encode("ascii"),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
                timeout=self.timeout,
            )
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
