"""Resident ID numbers (GB 11643-1999), validated by python-stdnum's `cn.ric`."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"

    @property
    def sex_display(self) -> str:
        return "男" if self.sex == "M" else "女"

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def parse_id_number(value: str) -> IdNumber:
    """Validate an 18-character ID number; lowercase x is accepted and normalised to X.

    Raises ValidationError with a Chinese message naming what is wrong.
    """
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise ValidationError("身份证号码应为 18 位。", code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("身份证号码只能由数字和末位 X 组成。", code="id_format")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_exceptions.ValidationError:
        raise ValidationError("身份证号码中的出生日期不存在。", code="id_birth_date") from None
    # Today in Asia/Shanghai, not the server's zone: a baby born today is valid from midnight.
    if birth > timezone.localdate():
        raise ValidationError("身份证号码中的出生日期晚于今天。", code="id_birth_date")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError("身份证号码校验位错误。", code="id_checksum")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number=number, birth_date=birth, sex=sex)


def validate_id_number(value: str) -> None:
    parse_id_number(value)
