"""Log lines as JSON, each with the request id and the user id, ID and phone numbers masked."""

import contextvars
import json
import logging

from zhengtong.lib.masking import mask_text_for_audit

current_user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "log_user_id", default=None
)


class MaskPersonalNumbersFilter(logging.Filter):
    """Mask full ID numbers and phone numbers in the message and in every argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text_for_audit(str(record.msg))
        if isinstance(record.args, dict):
            record.args = {k: _mask(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_mask(a) for a in record.args)
        return True


def _mask(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
        masked = mask_text_for_audit(text)
        return value if masked == text else masked
    if isinstance(value, str):
        return mask_text_for_audit(value)
    return mask_text_for_audit(str(value)) if value is not None else value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from zhengtong.audit.context import current

        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current().request_id or None,
            "user_id": current_user_id.get(),
        }
        if record.exc_info:
            line["exception"] = mask_text_for_audit(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)
