"""Local stand-ins for the SMS providers: an HTTP server on 127.0.0.1 (random port, a thread)
that checks each request the way the provider does and answers the way it does.

Each stand-in recomputes the signature from the published algorithm with its own code (not the
backend's), so a signing bug shared by both sides cannot pass unnoticed; the documents' worked
examples pin the backend's code separately. What the stand-in knows, like the provider's
console: the access keys, the approved signatures and templates (with their variables), and a
per-phone limit. ``mode`` makes it misbehave: "unavailable" (503, not JSON), "slow" (no answer
until the test ends), "redirect" (302 elsewhere), "throttled" (the API-level rate limit) and
"internal" (a provider error).

Both also answer their delivery-receipt call (阿里云 QuerySendDetails, 腾讯云 PullSmsSendStatus),
signed and checked the same way, for the messages they accepted: ``delivery`` maps a phone to
its carrier outcome (default: delivered) and ``None`` there means no receipt yet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
BEIJING = ZoneInfo("Asia/Shanghai")


class StandIn(ThreadingHTTPServer):
    """The server: ``url`` to point a backend at, ``requests`` it received, ``problems`` it
    found in them (a well-behaved backend leaves none, even when the answer is an error)."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], **config) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.config = config
        self.mode = config.get("mode", "")
        self.requests: list[dict] = []
        self.problems: list[str] = []
        self.sent_to: Counter[str] = Counter()
        self.nonces: set[str] = set()
        # Accepted messages (id → phone, day) and, for 腾讯云, the receipts not yet pulled.
        self.accepted: dict[str, dict] = {}
        self.receipts: list[dict] = []
        self.history: list[dict] = []  # every receipt, pulled or not (answered by number)
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


class Handler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, format, *args) -> None:  # noqa: A002  (the stdlib's name)
        pass

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, status: int, data: dict | bytes) -> None:
        body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def misbehave(self) -> bool:
        """Answer as a broken provider would, if the test asked for it."""
        if self.server.mode == "slow":
            self.server.release.wait(timeout=10)
            return True
        if self.server.mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if self.server.mode == "unavailable":
            self.answer(503, b"<html><body>503 Service Temporarily Unavailable</body></html>")
            return True
        return False

    def outcome(self, phone: str):
        return self.server.config.get("delivery", {}).get(phone, "delivered")

    def over_limit(self, phone: str) -> bool:
        with self.server.lock:
            self.server.sent_to[phone] += 1
            return self.server.sent_to[phone] > self.server.config.get("per_phone_limit", 1)


# --- 阿里云 Dysmsapi ----------------------------------------------------------------------


def aliyun_encode(value: str) -> str:
    """The document's recipe: form-encode, then + → %20, * → %2A, %7E → ~."""
    return (
        urllib.parse.quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A")
    ).replace("%7E", "~")


def aliyun_signature(secret: str, method: str, params: dict[str, str]) -> str:
    query = "&".join(
        f"{aliyun_encode(k)}={aliyun_encode(params[k])}" for k in sorted(params) if k != "Signature"
    )
    to_sign = f"{method}&%2F&{aliyun_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunHandler(Handler):
    ACTIONS = ("SendSms", "QuerySendDetails")
    COMMON = {
        "Format": "JSON",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "Version": "2017-05-25",
    }

    def refuse(self, status: int, code: str, message: str) -> None:
        self.answer(
            status,
            {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper()},
        )

    def do_POST(self) -> None:
        raw = self.read_body().decode("ascii")
        pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
        params = dict(pairs)
        self.server.requests.append({"params": params, "headers": dict(self.headers)})
        if self.misbehave():
            return
        if len(params) != len(pairs):
            self.server.problems.append("a parameter appears twice")
        if params.get("Action") not in self.ACTIONS:
            self.server.problems.append(f"Action={params.get('Action')!r}")
            return self.refuse(400, "InvalidAction.NotFound", "Specified api is not found.")
        for name, value in self.COMMON.items():
            if params.get(name) != value:
                self.server.problems.append(f"{name}={params.get(name)!r}")
                return self.refuse(400, f"Invalid{name}", f"{name} is invalid.")
        for name in ("AccessKeyId", "SignatureNonce", "Timestamp", "Signature", "RegionId"):
            if not params.get(name):
                self.server.problems.append(f"missing {name}")
                return self.refuse(400, f"Missing{name}", f"{name} is mandatory.")
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            self.server.problems.append(f"Timestamp {params['Timestamp']!r}")
            return self.refuse(400, "InvalidTimeStamp.Format", "Timestamp format is invalid.")
        if abs((datetime.now(UTC) - stamp).total_seconds()) > 900:
            self.server.problems.append("Timestamp too far from now")
            return self.refuse(400, "InvalidTimeStamp.Expired", "Timestamp has expired.")
        secret = self.server.config["keys"].get(params["AccessKeyId"])
        if secret is None:
            return self.refuse(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        expected = aliyun_signature(secret, self.command, params)
        if not hmac.compare_digest(expected, params["Signature"]):
            return self.refuse(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        if params["SignatureNonce"] in self.server.nonces:
            self.server.problems.append("SignatureNonce reused")
            return self.refuse(
                400, "SignatureNonceUsed", "Specified signature nonce was used already."
            )
        self.server.nonces.add(params["SignatureNonce"])
        if self.server.mode == "throttled":
            return self.refuse(
                400, "Throttling.User", "Request was denied due to user flow control."
            )
        if self.server.mode == "internal":
            return self.refuse(
                500, "InternalError", "The request processing has failed due to some unknown error."
            )
        if params["Action"] == "QuerySendDetails":
            return self.query_send_details(params)
        self.send_sms(params)

    def query_send_details(self, params: dict[str, str]) -> None:
        """The documented answer: SmsSendDetailDTOs.SmsSendDetailDTO rows with SendStatus 1
        (等待回执), 2 (发送失败, ErrCode) or 3 (发送成功); no row for an unknown BizId."""
        for name in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
            if not params.get(name):
                self.server.problems.append(f"missing {name}")
                return self.refuse(400, f"Missing{name}", f"{name} is mandatory for this action.")
        if not re.fullmatch(r"\d{8}", params["SendDate"]):
            self.server.problems.append(f"SendDate {params['SendDate']!r}")
            return self.refuse(400, "isv.INVALID_PARAMETERS", "SendDate 格式不正确")
        rows = []
        sent = self.server.accepted.get(params.get("BizId", ""))
        if sent is not None:
            if sent["phone"] != params["PhoneNumber"] or sent["day"] != params["SendDate"]:
                self.server.problems.append("QuerySendDetails phone or day differs from the send")
            else:
                outcome = self.outcome(sent["phone"])
                status, err = {None: (1, ""), "delivered": (3, "DELIVERED")}.get(
                    outcome, (2, str(outcome))
                )
                rows.append(
                    {
                        "ErrCode": err,
                        "TemplateCode": sent["template"],
                        "OutId": "",
                        "ReceiveDate": sent["at"] if status != 1 else "",
                        "SendDate": sent["at"],
                        "PhoneNum": sent["phone"],
                        "Content": "【政通】……",
                        "SendStatus": status,
                    }
                )
        self.answer(
            200,
            {
                "TotalCount": len(rows),
                "Message": "OK",
                "RequestId": str(uuid.uuid4()).upper(),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": rows},
                "Code": "OK",
            },
        )

    def send_sms(self, params: dict[str, str]) -> None:
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                self.server.problems.append(f"missing {name}")
                return self.refuse(400, f"Missing{name}", f"{name} is mandatory for this action.")
        if not MOBILE_RE.match(params["PhoneNumbers"]):
            return self.refuse(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if params["SignName"] not in self.server.config["signs"]:
            return self.refuse(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        variables = self.server.config["templates"].get(params["TemplateCode"])
        if variables is None:
            return self.refuse(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            values = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return self.refuse(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法,只接受字符串值")
        if any(not isinstance(v, str) for v in values.values()):
            return self.refuse(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法,只接受字符串值")
        if missing := [name for name in variables if name not in values]:
            return self.refuse(200, "isv.TEMPLATE_MISSING_PARAMETERS", f"模板缺少变量:{missing}")
        if self.over_limit(params["PhoneNumbers"]):
            return self.refuse(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
        biz_id = f"{int(time.time() * 1000)}^{len(self.server.requests)}"
        now = datetime.now(BEIJING)
        self.server.accepted[biz_id] = {
            "phone": params["PhoneNumbers"],
            "day": now.strftime("%Y%m%d"),
            "at": now.strftime("%Y-%m-%d %H:%M:%S"),
            "template": params["TemplateCode"],
        }
        self.answer(
            200,
            {
                "Message": "OK",
                "RequestId": str(uuid.uuid4()).upper(),
                "BizId": biz_id,
                "Code": "OK",
            },
        )


def aliyun(**config) -> StandIn:
    """A 阿里云 stand-in knowing key ``LTAI-test``/``aliyun-secret``, the signature 政通 and the
    template SMS_100001 (variables receipt_no, due_date) unless told otherwise."""
    config.setdefault("keys", {"LTAI-test": "aliyun-secret"})
    config.setdefault("signs", {"政通"})
    config.setdefault("templates", {"SMS_100001": ["receipt_no", "due_date"], "SMS_100002": []})
    return StandIn(AliyunHandler, **config).start()


# --- 腾讯云 SMS 2021-01-11 ------------------------------------------------------------------

AUTH_RE = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z]+)"
    r"/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
)


def tencent_signature(secret: str, date: str, service: str, string_to_sign: str) -> str:
    def mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + secret).encode(), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class TencentHandler(Handler):
    def error(self, code: str, message: str) -> None:
        """API 3.0 answers a refused call with HTTP 200 and Response.Error."""
        self.answer(
            200,
            {
                "Response": {
                    "Error": {"Code": code, "Message": message},
                    "RequestId": str(uuid.uuid4()),
                }
            },
        )

    def do_POST(self) -> None:
        payload = self.read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            body = json.loads(payload)
        except ValueError:
            body = None
        self.server.requests.append({"body": body, "headers": headers})
        if self.misbehave():
            return
        action = headers.get("x-tc-action")
        if action not in (
            "SendSms",
            "PullSmsSendStatus",
            "PullSmsSendStatusByPhoneNumber",
        ) or headers.get("x-tc-version") != ("2021-01-11"):
            self.server.problems.append("action or version")
            return self.error("InvalidAction", "接口不存在。")
        if not headers.get("x-tc-region"):
            self.server.problems.append("no region")
            return self.error("MissingParameter", "缺少参数 Region。")
        match = AUTH_RE.match(headers.get("authorization", ""))
        if not match:
            self.server.problems.append(f"authorization {headers.get('authorization')!r}")
            return self.error("AuthFailure.InvalidAuthorization", "Authorization 格式不正确。")
        timestamp = int(headers.get("x-tc-timestamp") or 0)
        if abs(time.time() - timestamp) > 300:
            self.server.problems.append("timestamp")
            return self.error("AuthFailure.SignatureExpire", "签名过期。")
        secret = self.server.config["keys"].get(match["id"])
        if secret is None:
            return self.error("AuthFailure.SecretIdNotFound", "密钥不存在。")
        signed = match["signed"].split(";")
        utc_day = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
        if (
            "content-type" not in signed
            or "host" not in signed
            or signed != sorted(signed)
            or match["service"] != "sms"
            or match["date"] != utc_day
        ):
            self.server.problems.append(f"credential {match.groupdict()}")
            return self.error("AuthFailure.SignatureFailure", "签名错误。")
        if headers.get("content-type") != "application/json; charset=utf-8" or body is None:
            self.server.problems.append("content type or body")
        canonical = "\n".join(
            [
                "POST",
                "/",
                "",
                "".join(f"{h}:{headers.get(h, '').strip().lower()}\n" for h in signed),
                ";".join(signed),
                hashlib.sha256(payload).hexdigest(),
            ]
        )
        to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                str(timestamp),
                f"{match['date']}/sms/tc3_request",
                hashlib.sha256(canonical.encode()).hexdigest(),
            ]
        )
        expected = tencent_signature(secret, match["date"], "sms", to_sign)
        if not hmac.compare_digest(expected, match["sig"]):
            return self.error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. "
                "Please check your signature is correct.",
            )
        if self.server.mode == "throttled":
            return self.error("RequestLimitExceeded", "请求的次数超过了频率限制。")
        if self.server.mode == "internal":
            return self.error("InternalError.OtherError", "其他错误。")
        if action == "PullSmsSendStatus":
            return self.pull_status(body)
        if action == "PullSmsSendStatusByPhoneNumber":
            return self.pull_status_by_phone(body)
        self.send_sms(body)

    def pull_status(self, body: dict) -> None:
        """The documented answer: up to Limit receipts, each handed out once (a queue)."""
        if body.get("SmsSdkAppId") != self.server.config["app_id"]:
            return self.error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SdkAppId 校验失败。")
        limit = body.get("Limit")
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            self.server.problems.append(f"Limit {limit!r}")
            return self.error("InvalidParameterValue", "Limit 取值范围 1~100。")
        with self.server.lock:
            rows, self.server.receipts[:] = (
                self.server.receipts[:limit],
                self.server.receipts[limit:],
            )
        self.answer(
            200, {"Response": {"PullSmsSendStatusSet": rows, "RequestId": str(uuid.uuid4())}}
        )

    def pull_status_by_phone(self, body: dict) -> None:
        """The documented answer: every receipt of one number between BeginTime and EndTime
        (at most 7 days back), pulled from the queue or not, as often as asked."""
        if body.get("SmsSdkAppId") != self.server.config["app_id"]:
            return self.error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SdkAppId 校验失败。")
        begin, end = body.get("BeginTime"), body.get("EndTime")
        limit, offset = body.get("Limit"), body.get("Offset")
        phone = body.get("PhoneNumber")
        now = int(time.time())
        if not (
            isinstance(begin, int)
            and isinstance(end, int)
            and now - 7 * 86400 - 120 <= begin <= end <= now + 5
            and isinstance(limit, int)
            and 1 <= limit <= 100
            and isinstance(offset, int)
            and offset >= 0
            and isinstance(phone, str)
            and phone.startswith("+86")
        ):
            self.server.problems.append(f"by phone {body!r}")
            return self.error("InvalidParameterValue", "参数取值错误。")
        with self.server.lock:
            rows = [
                r
                for r in self.server.history
                if r["PhoneNumber"] == phone and begin <= r["UserReceiveTime"] <= end
            ][offset : offset + limit]
        self.answer(
            200, {"Response": {"PullSmsSendStatusSet": rows, "RequestId": str(uuid.uuid4())}}
        )

    def send_sms(self, body: dict) -> None:
        for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"):
            if not body.get(name):
                self.server.problems.append(f"missing {name}")
                return self.error("MissingParameter", f"缺少参数 {name}。")
        if body["SmsSdkAppId"] != self.server.config["app_id"]:
            return self.error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SdkAppId 校验失败。")
        if body.get("SignName") not in self.server.config["signs"]:
            return self.error(
                "FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。"
            )
        count = self.server.config["templates"].get(body["TemplateId"])
        if count is None:
            return self.error(
                "FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。"
            )
        values = body.get("TemplateParamSet") or []
        if len(values) != count or any(not isinstance(v, str) for v in values):
            return self.error(
                "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                "请求内容与审核通过的模板内容不匹配。",
            )
        statuses = []
        for phone in body["PhoneNumberSet"]:
            status = {"PhoneNumber": phone, "Fee": 0, "SessionContext": "", "IsoCode": "CN"}
            if not (phone.startswith("+86") and MOBILE_RE.match(phone[3:])):
                status.update(
                    SerialNo="",
                    Code="InvalidParameterValue.IncorrectPhoneNumber",
                    Message="手机号格式错误。",
                )
            elif self.over_limit(phone):
                status.update(
                    SerialNo="",
                    Code="LimitExceeded.PhoneNumberThirtySecondLimit",
                    Message="单个手机号30秒内下发短信条数超过设定的上限。",
                )
            else:
                status.update(
                    SerialNo=f"2640:{uuid.uuid4().int % 10**28}",
                    Fee=1,
                    Code="Ok",
                    Message="send success",
                )
                self.queue_receipt(phone, status["SerialNo"])
            statuses.append(status)
        self.answer(200, {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}})

    def queue_receipt(self, phone: str, serial_no: str) -> None:
        outcome = self.outcome(phone[3:])
        if outcome is None:
            return
        delivered = outcome == "delivered"
        with self.server.lock:
            self.server.receipts.append(
                receipt := {
                    "UserReceiveTime": int(time.time()),
                    "CountryCode": "86",
                    "SubscriberNumber": phone[3:],
                    "PhoneNumber": phone,
                    "SerialNo": serial_no,
                    "ReportStatus": "SUCCESS" if delivered else "FAIL",
                    "Description": "DELIVRD" if delivered else str(outcome),
                    "SessionContext": "",
                }
            )
            self.server.history.append(receipt)


def tencent(**config) -> StandIn:
    """A 腾讯云 stand-in knowing SecretId ``AKID-test``/``tencent-secret``, SdkAppId 1400006666,
    the signature 政通 and templates 100001 (two variables) and 100002 (none)."""
    config.setdefault("keys", {"AKID-test": "tencent-secret"})
    config.setdefault("app_id", "1400006666")
    config.setdefault("signs", {"政通"})
    config.setdefault("templates", {"100001": 2, "100002": 0})
    return StandIn(TencentHandler, **config).start()
