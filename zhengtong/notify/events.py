"""The events that send messages: their Chinese names, placeholders, sample data and texts.

A new event is one entry here plus a default text in `DEFAULT_TEXTS` (seeded by a migration,
then edited by administrators in 系统管理 → 消息模板).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EventInfo:
    label: str
    # Sample values for the template preview: every placeholder the event's context carries.
    sample: dict[str, str] = field(default_factory=dict)


CASE_SAMPLE = {
    "name": "张三丰",
    "receipt_no": "BM20261120001",
    "item": "生育登记",
    "hall": "城关镇便民服务中心",
    "window": "3 号窗口",
}

EVENTS: dict[str, EventInfo] = {
    "case_accepted": EventInfo("办件受理", {**CASE_SAMPLE, "due_on": "2026年11月27日"}),
    "case_notice": EventInfo("补正告知", {**CASE_SAMPLE, "materials": "户口簿、结婚证"}),
    "case_done": EventInfo("办件办结", {**CASE_SAMPLE, "result": "生育服务证"}),
    "case_refused": EventInfo("不予办理", {**CASE_SAMPLE, "reason": "不符合办理条件"}),
    "case_handed_over": EventInfo(
        "办件移交", {**CASE_SAMPLE, "from_user": "李四", "reason": "请假"}
    ),
    "problem_escalated": EventInfo(
        "问题升级督办",
        {"project": "中通新能源客车基地", "title": "征地拆迁未完成", "due_on": "2026年11月16日"},
    ),
    "leave_backup": EventInfo(
        "A 角请假(B 角代办)",
        {
            "name": "孙晓燕",
            "start_on": "12月1日",
            "end_on": "12月3日",
            "count": "2",
            "cases": "LJ20261120001、LJ20261120002",
        },
    ),
    "callback_scheduled": EventInfo(
        "差评回访",
        {
            "receipt_no": "LIUJI202611200001",
            "item": "生育登记",
            "rating": "不满意",
            "due_on": "2026年12月11日",
        },
    ),
    "payment_approved": EventInfo(
        "补贴审批发放",
        {"name": "王大爷", "month": "2026年11月", "amount": "100.00元", "unit": "民政局"},
    ),
    "hazard_notice": EventInfo(
        "学校安全隐患通知",
        {
            "school": "开发区实验小学",
            "organ": "社会事业局",
            "notice_no": "开发区校安〔2026〕1号",
            "inspected_on": "2026年5月6日",
            "count": "2",
            "hazards": "消防设施:灭火器三具过期(2026年5月13日前整改);"
            "用电安全:宿舍私拉电线(2026年5月11日前整改)",
            "due_on": "2026年5月11日",
        },
    ),
    "online_declined": EventInfo(
        "网上申请退回",
        {
            "name": "张三丰",
            "receipt_no": "WSLIUJI202612030001",
            "item": "生育登记",
            "reason": "上传的结婚证照片不清晰,请重新拍摄后再申请",
            "hall": "刘集镇便民服务中心",
        },
    ),
    "sms_code": EventInfo(
        "短信验证码", {"code": "123456", "minutes": "10", "purpose": "网上申请办事"}
    ),
    "reminder": EventInfo(
        "待办提醒", {"text": "【项目月报】填报2026年11月月报(中通新能源客车基地)今天到期。"}
    ),
    "leader_digest": EventInfo(
        "领导督办日报",
        {"text": "2026年12月01日督办:超期办件:计生服务窗口 3 件。"},
    ),
}


def event_label(code: str) -> str:
    info = EVENTS.get(code)
    return info.label if info else f"未登记的事件({code})"


def ensure_default_templates() -> None:
    """The seeded templates, again (for tests after a flush): the migration's texts."""
    from importlib import import_module

    from django.apps import apps

    for name in (
        "0002_default_templates",
        "0003_reminder_templates",
        "0004_hazard_notice_templates",
        "0010_verification_codes",
    ):
        import_module(f"zhengtong.notify.migrations.{name}").seed(apps, None)
