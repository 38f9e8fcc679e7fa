"""Rows for key-project tests, written straight to the database (no audit, no validation)."""

from decimal import Decimal

from zhengtong.projects.models import KeyProject, ProjectLeader, Sector


def make_sector(code="new-energy", name="新能源汽车", oc4ids_sector="", plate=Sector.Plate.LEADING):
    sector, _ = Sector.objects.get_or_create(
        code=code, defaults={"name": name, "plate": plate, "oc4ids_sector": oc4ids_sector}
    )
    return sector


def make_project(code, org_unit, *, sector=None, total="1000000.00", plan="500000.00", **extra):
    extra.setdefault("name", f"项目{code}")
    extra.setdefault("year", 2026)
    extra.setdefault("category", KeyProject.Category.INDUSTRY)
    leaders = extra.pop("leaders", ())
    project = KeyProject.objects.create(
        code=code,
        org_unit=org_unit,
        sector=sector or make_sector(),
        total_investment=Decimal(total),
        annual_plan=Decimal(plan),
        **extra,
    )
    for user in leaders:
        ProjectLeader.objects.create(project=project, user=user)
    return project
