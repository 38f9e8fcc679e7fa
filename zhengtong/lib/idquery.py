"""A full ID number never travels in a URL: web servers, proxies and browsers keep URLs in
their logs and histories. Pages and endpoints that look a resident up by number take it in a
POST body; a GET that carries one is refused with this message."""

import re

from django.http import QueryDict

ID_NUMBER_IN_URL_MESSAGE = (
    "公民身份号码不能放在网址中(网址会被记入访问日志和浏览器历史)。"
    "请用 POST 方式提交查询,号码放在请求正文中。"
)

_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")


def looks_like_id_number(text: str) -> bool:
    """True for a string that is shaped like a full 18- (or old 15-) digit ID number."""
    return bool(_ID_NUMBER.fullmatch((text or "").strip()))


def id_number_in_query(query: QueryDict) -> bool:
    """True when any value of the query string is a full ID number, whatever its name."""
    return any(looks_like_id_number(v) for values in query.lists() for v in values[1])
