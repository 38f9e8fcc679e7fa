"""Rows for key-project tests, written straight to the database (no audit, no validation)."""

from decimal import Decimal

from zhengtong.projects.models import KeyProject, ListEntry, ProjectLeader, ProjectList, Sector


def make_sector(code="new-energy", name="新能源汽车", oc4ids_sector="", plate=Sector.Plate.LEADING):
    sector, _ = Sector.objects.get_or_create(
        code=code, defaults={"name": name, "plate": plate, "oc4ids_sector": oc4ids_sector}
    )
    return sector


def make_list(year=2026, status=ProjectList.Status.APPROVED) -> ProjectList:
    project_list, _ = ProjectList.objects.get_or_create(
        year=year, defaults={"title": ProjectList.default_title(year), "status": status}
    )
    return project_list


def put_on_list(project, plan, *, year=None, status=ProjectList.Status.APPROVED) -> ListEntry:
    """Put `project` on the (approved) list of `year` (its own year by default) with `plan`."""
    project_list = make_list(year or project.year, status)
    last = project_list.entries.order_by("-position").values_list("position", flat=True).first()
    return ListEntry.objects.create(
        project_list=project_list,
        project=project,
        position=(last or 0) + 1,
        annual_plan=Decimal(plan),
        remaining_investment=project.total_investment,
    )


def make_project(code, org_unit, *, sector=None, total="1000000.00", plan="500000.00", **extra):
    """A project on the approved list of its year (2026 unless `year=`) with plan `plan`."""
    extra.setdefault("name", f"项目{code}")
    extra.setdefault("year", 2026)
    extra.setdefault("category", KeyProject.Category.INDUSTRY)
    leaders = extra.pop("leaders", ())
    project = KeyProject.objects.create(
        code=code,
        org_unit=org_unit,
        sector=sector or make_sector(),
        total_investment=Decimal(total),
        **extra,
    )
    put_on_list(project, plan)
    for user in leaders:
        ProjectLeader.objects.create(project=project, user=user)
    return project


def create_project(*, annual_plan, list_status=ProjectList.Status.APPROVED, **fields):
    """KeyProject.objects.create() with the plan put on the list of the project's year."""
    project = KeyProject.objects.create(**fields)
    put_on_list(project, annual_plan, status=list_status)
    return project
