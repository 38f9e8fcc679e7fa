"""Helpers every case action shares: the row lock, who may act (B 代 A), the status gate, the
item's materials by code and what is still outstanding."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ..models import (
    Application,
    Material,
    NoticeItem,
    ServiceItem,
)
from ..selectors import acting_as, required_materials


def lock(application: Application) -> None:
    """Lock the case row and reload it, so concurrent actions see each other's result."""
    list(Application.objects.select_for_update().filter(pk=application.pk).values_list("pk"))
    application.refresh_from_db()


def require_actor(actor, application: Application) -> dict:
    """The on_behalf_of change for B 代 A (empty when acting for oneself); 403 otherwise."""
    mode = acting_as(actor, application)
    if mode is None:
        raise PermissionDenied(_("您不是该办件的承办人,也不是承办人请假期间的 B 角。"))
    if mode == "b_for_a":
        return {"on_behalf_of": [None, application.handler.display_name]}
    return {}


def require_status(application: Application, *statuses: str, message: str) -> None:
    if application.status not in statuses:
        raise ValidationError({"status": message})


def materials_of(item: ServiceItem, codes, *, required: bool = True) -> list[Material]:
    """The item's materials for `codes`, in guide order; unknown codes name the field."""
    if isinstance(codes, str) or not isinstance(codes, list | tuple):
        raise ValidationError({"materials": _("材料应为材料编码的列表。")})
    wanted = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
    if required and not wanted:
        raise ValidationError({"materials": _("请至少选择一项材料。")})
    by_code = {m.code: m for m in item.materials.all()}
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise ValidationError(
            {
                "materials": _("以下材料不属于事项“%(item)s”:%(codes)s。")
                % {"item": item.name, "codes": "、".join(unknown)}
            }
        )
    return sorted((by_code[c] for c in wanted), key=lambda m: (m.sort_order, m.code))


def outstanding(application: Application) -> list[Material]:
    """Materials still to hand in: those the situation requires plus any a notice cited."""
    materials = list(application.item.materials.all())
    required = {m.pk for m in required_materials(application.item, application.situation)}
    cited = set(
        NoticeItem.objects.filter(notice__application=application).values_list(
            "material_id", flat=True
        )
    )
    received = set(application.received_materials.values_list("material_id", flat=True))
    return [m for m in materials if (m.pk in required or m.pk in cited) and m.pk not in received]


def names(materials) -> list[str]:
    return [m.name for m in materials]
