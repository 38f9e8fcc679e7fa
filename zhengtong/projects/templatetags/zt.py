"""Template filters shared by every page: money in 万元/亿元, percentages.

{% load zt %}
{{ project.total_investment|yuan }}   → 12.50亿元 (largest unit reached)
{{ project.annual_plan|wan }}         → 8000.00万元
{{ progress.completion_pct|pct }}     → 85.3%
"""

from django import template

from zhengtong.lib.money import format_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in 元 shown in the largest unit it reaches; "—" when empty."""
    if value is None or value == "":
        return "—"
    return format_yuan(value)


@register.filter
def wan(value) -> str:
    """An amount in 元 shown in 万元, as ledgers are kept."""
    if value is None or value == "":
        return "—"
    return format_yuan(value, "万元")


@register.filter
def pct(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{value}%"
