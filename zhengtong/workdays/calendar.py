# Placeholder replaced by the real implementation.
class HolidayDataMissing(Exception):
    pass


class WorkCalendar:
    pass


def is_workday(day):
    raise NotImplementedError


def add_workdays(start, n):
    raise NotImplementedError


def workdays_between(a, b):
    raise NotImplementedError
