"""Money is integer 元 or Decimal, never float; shown as 万元 or 亿元."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def to_decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("金额不能使用浮点数。")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(f"无法识别的金额:{value}") from None


def quantize2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fen(value) -> Decimal:
    """A database sum to the fen: None (a sum over no rows) is 0.00."""
    return quantize2(to_decimal(value or 0))


def format_yuan(value, unit: str | None = None) -> str:
    """65,800,000,000 → "658.00亿元"; 71,000 → "7.10万元"; 950 → "950.00元".

    `unit` forces "亿元", "万元" or "元"; otherwise the largest unit the amount reaches is used.
    """
    if value is None:
        return "—"
    amount = to_decimal(value)
    if unit is None:
        unit = "亿元" if abs(amount) >= YI else "万元" if abs(amount) >= WAN else "元"
    divisor = {"亿元": YI, "万元": WAN, "元": Decimal(1)}[unit]
    return f"{quantize2(amount / divisor):.2f}{unit}"


def format_excess(value) -> str:
    """How much one amount exceeds another, exactly: in 万元 when the difference is whole
    hundreds of 元 (3,500 → "0.35万元"), otherwise in 元 to the fen (0.01 → "0.01元",
    12,345.67 → "12345.67元"), so a message never rounds a real difference away."""
    amount = to_decimal(value)
    if amount >= 100 and amount % 100 == 0:
        return format_yuan(amount, "万元")
    return format_yuan(amount, "元")


def wan_to_yuan(value) -> Decimal:
    """Typed 万元 (as ledgers are kept) to 元."""
    return to_decimal(value) * WAN


def percent(part, whole, places: str = "0.1") -> Decimal | None:
    """part/whole × 100, rounded half-up; None when the whole is zero."""
    whole = to_decimal(whole)
    if whole == 0:
        return None
    return (to_decimal(part) * 100 / whole).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def parse_amount(
    value,
    *,
    field: str,
    label: str,
    maximum: Decimal | None = None,
    allow_zero: bool = False,
) -> Decimal:
    """The one reader of an amount of 元 typed or sent by a person: a Decimal to the fen, or a
    ValidationError on `field` in Chinese. Floats, booleans, blanks, NaN/Infinity, negatives,
    zero (unless `allow_zero`), more than two decimals and amounts above `maximum` (default
    1 万亿元, which only a unit mistake reaches) are refused."""

    def refuse(message: str):
        raise ValidationError({field: f"{label}{message}"})

    if value is None or isinstance(value, (bool, float)) or str(value).strip() == "":
        refuse("须填写金额数字(元)。")
    try:
        amount = (
            value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
        )
    except InvalidOperation:
        refuse("不是有效的金额。")
    if not amount.is_finite():
        refuse("不是有效的金额。")
    if amount < 0 or (amount == 0 and not allow_zero):
        refuse("必须大于 0 元。" if not allow_zero else "不能小于 0 元。")
    if amount != amount.quantize(Decimal("0.01")):
        refuse("最多保留两位小数(分)。")
    if maximum is None and amount >= AMOUNT_CAP:
        refuse("过大(不能达到 1 万亿元),请核对单位。")
    if maximum is not None and amount > maximum:
        refuse(f"不能超过 {format_yuan(maximum)},请核对。")
    return quantize2(amount)


# At or above 1 万亿元 an amount is a unit mistake (万元 typed into a 元 field), not a figure.
AMOUNT_CAP = Decimal("1000000000000")
