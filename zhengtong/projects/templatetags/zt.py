"""Template filters shared by every page: money in 万元/亿元, percentages, due dates.

{% load zt %}
{{ project.total_investment|yuan }}   → 12.50亿元 (largest unit reached)
{{ project.annual_plan|wan }}         → 8000.00万元
{{ progress.completion_pct|pct }}     → 85.3%
{{ event.action|action_name }}        → 查看人员档案
{{ case.due_on|due:case.due_provisional }} → 暂定 2027-01-12
"""

from django import template

from zhengtong.audit.labels import action_label, actor_label, channel_label, target_label
from zhengtong.lib.display import percent_text
from zhengtong.lib.display import show as display_show
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
    """85.25 → 85.3%: one decimal, whatever precision the value was computed with."""
    return percent_text(value)


@register.filter
def show(value) -> str:
    """Any value as a person reads it (lib.display.show): 是/否, lists joined, — for nothing."""
    return display_show(value)


@register.filter
def action_name(code: str) -> str:
    """An audit action code in Chinese: person_viewed → 查看人员档案."""
    return action_label(code)


@register.filter
def actor_name(event) -> str:
    """Who did an audited thing, in Chinese (管理命令 for a command, not "command")."""
    return actor_label(event)


@register.filter
def channel_name(channel: str) -> str:
    """An audit channel in Chinese: api → 接口."""
    return channel_label(channel)


@register.filter
def target_name(target_type: str) -> str:
    """An audit target type in Chinese: people.person → 人员."""
    return target_label(target_type)


@register.filter
def due(value, provisional=False) -> str:
    """A due date as staff see it: "暂定 2027-01-12" when it rests on a provisional year.

    {{ case.due_on|due:case.due_provisional }}; "—" when there is no date.
    """
    if value is None or value == "":
        return "—"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"暂定 {text}" if provisional else text


@register.filter
def page_numbers(page) -> list:
    """The page numbers to link: the first and last two, two on each side of the current one,
    and Paginator.ELLIPSIS between (81 pages → 1 2 … 5 6 [7] 8 9 … 80 81)."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=2))


@register.filter
def without_page(query) -> str:
    """The current query string without `page`, ready to take "page=N" ("a=1&b=2&")."""
    params = query.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""
