"""The API's JSON parser: hostile bodies are a Chinese 400, never a 500.

Python's json module recurses once per nesting level, so a body of 5,000 nested brackets ends
in RecursionError (a 500). Depth is checked on the raw bytes before decoding, in one pass that
skips strings, and the body size is capped before it is read.
"""

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32
MAX_BYTES = 1024 * 1024

_OPEN, _CLOSE, _QUOTE, _BACKSLASH = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


def json_depth_exceeds(data: bytes, limit: int) -> bool:
    """True when arrays/objects in `data` nest deeper than `limit` (brackets inside strings
    do not count)."""
    depth = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


class SafeJSONParser(JSONParser):
    """JSON with a depth limit (`API_JSON_MAX_DEPTH`, 32) and a size limit
    (`API_JSON_MAX_BYTES`, 1 MB)."""

    def parse(self, stream, media_type=None, parser_context=None):
        max_depth = getattr(settings, "API_JSON_MAX_DEPTH", MAX_DEPTH)
        max_bytes = getattr(settings, "API_JSON_MAX_BYTES", MAX_BYTES)
        data = stream.read(max_bytes + 1) if stream is not None else b""
        if len(data) > max_bytes:
            raise ParseError(f"请求正文过大:JSON 不能超过 {max_bytes // 1024} KB。")
        if json_depth_exceeds(data, max_depth):
            raise ParseError(f"JSON 嵌套层数过多:最多 {max_depth} 层。")
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = data.decode(encoding)
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError("请求正文不是有效的 JSON,请检查格式。") from exc


def _refuse_constant(name: str):
    raise ValueError(f"JSON 不允许 {name}")
