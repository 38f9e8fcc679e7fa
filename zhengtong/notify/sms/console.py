"""Development and demo backend: every message becomes one JSON line in a file; nothing is sent.

``SMS_FILE_PATH`` (default ``var/sms-outbox.jsonl`` in the checkout, ignored by git) names the
file; its directory is created on the first message. Each line holds exactly what the message
carried, plus the generated id and the time::

    {"message_id": "dev-…", "sent_at": "2026-12-02T05:10:00+00:00", "phone": "13800138000",
     "sign_name": "政通", "template_code": "SMS_CASE_ACCEPTED", "params": {"receipt_no": "…"}}

The file is the demo's "phone": read it with ``tail -f var/sms-outbox.jsonl``. The log gets one
line per message with the phone masked and without the parameters (they may name a person).
Nothing is sent, so nothing waits for a carrier: a receipt pull reports each of the file's
messages delivered at once (at the time it was written).

Several workers may append at once: each line is one ``write`` to a file opened with
``O_APPEND``, which POSIX keeps whole. The file is created readable by its owner only: it
holds phone numbers.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from .base import (
    DeliveryReport,
    ReceiptPull,
    SentSms,
    SmsBackend,
    SmsMessage,
    SmsResult,
    logger,
    masked_phone,
)

ID_PREFIX = "dev-"


class FileBackend(SmsBackend):
    label = "开发用短信文件"

    def __init__(self, *, path: str | Path | None = None, **options) -> None:
        super().__init__(**options)
        self.path = Path(settings.SMS_FILE_PATH if path is None else path)

    def send(self, message: SmsMessage) -> SmsResult:
        if refusal := self.refuse_incomplete(message):
            return refusal
        message_id = f"{ID_PREFIX}{uuid.uuid4().hex}"
        line = {
            "message_id": message_id,
            "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "phone": message.phone,
            "sign_name": self.sign_name_for(message),
            "template_code": message.template_code,
            "params": dict(message.params),
        }
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:
            logger.warning("开发用短信文件 %s 无法写入:%s", self.path, exc)
            return SmsResult.failed(
                "FILE_ERROR", f"开发用短信文件无法写入:{self.path}", retryable=True
            )
        logger.info(
            "短信(开发,未发出)%s → %s 模板 %s",
            message_id,
            masked_phone(message.phone),
            message.template_code,
        )
        return SmsResult.sent(message_id)

    def delivery_reports(self, sent: Sequence[SentSms]) -> ReceiptPull:
        return ReceiptPull(
            reports=[
                DeliveryReport(message_id=m.message_id, delivered=True, received_at=m.sent_at)
                for m in sent
                if m.message_id.startswith(ID_PREFIX)
            ]
        )
