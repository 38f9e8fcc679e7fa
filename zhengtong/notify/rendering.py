"""A template's text filled with a message's context, safe for the channel it goes out on."""

import string

from zhengtong.lib.masking import ID_RE, mask_name_public

# Context keys that hold a person's full name: an SMS shows them masked (张*), as public pages do.
NAME_KEYS = frozenset({"name", "applicant", "applicant_name", "recipient_name"})


class UnsafeContent(ValueError):
    """A message's data holds a full ID number: refused, never sent nor stored."""


def check_context(context: dict) -> None:
    for key, value in context.items():
        if ID_RE.search(str(value)):
            raise UnsafeContent(f"消息内容“{key}”含完整身份证号码,不能写入消息。")


def placeholders(text: str) -> list[str]:
    """The {names} a template uses (a malformed template raises ValueError)."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return ""


def sms_values(context: dict, *, recipient_name: str = "") -> dict[str, str]:
    """The context as the values of an SMS: strings, full names masked."""
    values = {}
    for key, value in context.items():
        text = "" if value is None else str(value)
        if key in NAME_KEYS:
            text = mask_name_public(text)
        elif recipient_name and len(recipient_name) > 1:
            text = text.replace(recipient_name, mask_name_public(recipient_name))
        values[key] = text
    return values


def render(text: str, context: dict, *, channel: str, recipient_name: str = "") -> str:
    """Fill `text`; an unknown placeholder becomes empty. SMS: names masked; a full ID number
    anywhere refuses the message."""
    check_context(context)
    if channel == "sms":
        values = sms_values(context, recipient_name=recipient_name)
    else:
        values = {k: "" if v is None else str(v) for k, v in context.items()}
    rendered = string.Formatter().vformat(text, (), _Values(values))
    if ID_RE.search(rendered):
        raise UnsafeContent("消息内容含完整身份证号码,不能发送。")
    if channel == "sms" and recipient_name and len(recipient_name) > 1:
        rendered = rendered.replace(recipient_name, mask_name_public(recipient_name))
    return rendered
