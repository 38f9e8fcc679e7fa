from zhengtong.audit.actions import record_event
from zhengtong.audit.context import acting
from zhengtong.audit.models import Event


def make_event(
    *, actor=None, org_unit=None, action="holidays_loaded", ip="10.9.9.9", **extra
) -> Event:
    with acting(ip=ip, channel="web"):
        return record_event(
            actor=actor,
            action=action,
            target_type=extra.pop("target_type", "accounts.orgunit"),
            target_id=extra.pop("target_id", "1"),
            target_repr=extra.pop("target_repr", "对象"),
            org_unit=org_unit,
            **extra,
        )
