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


def make_id_number(
    birth: datetime.date, *, female: bool, seq: int = 1, region: str = "371524"
) -> str:
    """A checksum-valid 18-character resident ID number (GB 11643-1999) for demo and test people.

    `region` is the 6-digit address code (371524 = 东阿县), `birth` the date of birth. The
    3-digit order code is derived from `seq` (1–499) and the sex: its last digit is odd for a
    man and even for a woman, so seq 1 gives 001 (man) or 002 (woman), seq 11 gives 021 or 022.
    Different (seq, female) pairs give different numbers for the same birth date and region.
    """
    if not 1 <= seq <= 499:
        raise ValueError("seq must be between 1 and 499")
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be a 6-digit address code")
    order = seq * 2 if female else seq * 2 - 1
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    # calc_check_digit reads the first 17 characters of a full-length number.
    return body + ric.calc_check_digit(body + "0")
