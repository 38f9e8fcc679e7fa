"""One masking function per audience. Internal lists show 6+4 of an ID number, public pages none."""

import re

# Bound by "no digit next to it", not \b: in Chinese text such as "身份证11010519491231002X号"
# the neighbouring characters are word characters too, so \b never matches there.
ID_RE = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
PHONE_RE = re.compile(r"(?<![0-9])((?:\+?86)?1[0-9]{2})[0-9]{4}([0-9]{4})(?![0-9])")


def mask_id_internal(number: str) -> str:
    """Staff lists: first 6 and last 4 characters, e.g. 110105********002X."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_id_public(number: str) -> str:
    """Public pages show no ID number at all."""
    return ""


def mask_name_public(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the family name's first character only."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


# Two-character family names: "欧阳明" is of the 欧阳家, not the 欧家.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 长孙 宇文 司徒 端木 独孤 南宫 西门".split()
)


def family_name_public(name: str) -> str:
    """张三 → 张家, 欧阳娜娜 → 欧阳家: a household named on a public page by its head's family
    name only."""
    name = (name or "").strip()
    if not name:
        return ""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]
    return f"{surname}家"


def mask_phone_internal(phone: str) -> str:
    """138****5678."""
    if not phone or len(phone) < 7:
        return phone or ""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_text_for_audit(text: str) -> str:
    text = ID_RE.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    return PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def mask_for_audit(value):
    """Audit rows keep ID numbers and phones masked, however deep they sit in the change."""
    if isinstance(value, str):
        return mask_text_for_audit(value)
    if isinstance(value, dict):
        return {k: mask_for_audit(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_for_audit(v) for v in value]
    return value
