"""One approved list per year already in the register, from today's rows; codes stay as they are."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    KeyProject = apps.get_model("projects", "KeyProject")
    ProjectList = apps.get_model("projects", "ProjectList")
    ListEntry = apps.get_model("projects", "ListEntry")
    now = timezone.now()
    years = KeyProject.objects.order_by("year").values_list("year", flat=True).distinct()
    for year in years:
        projects = KeyProject.objects.filter(year=year).order_by("code")
        project_list = ProjectList.objects.create(
            year=year,
            title=f"{year}年市级重点建设项目",
            status="approved",
            approved_at=now,
            is_example=projects.filter(is_example=True).exists(),
        )
        ListEntry.objects.bulk_create(
            ListEntry(
                project_list=project_list,
                project=project,
                position=position,
                annual_plan=project.annual_plan,
                origin="new",
                # The old constraint kept the plan within the total: the total is its ceiling.
                remaining_investment=project.total_investment,
            )
            for position, project in enumerate(projects, start=1)
        )


def backwards(apps, schema_editor):
    KeyProject = apps.get_model("projects", "KeyProject")
    ListEntry = apps.get_model("projects", "ListEntry")
    for project in KeyProject.objects.all():
        entry = ListEntry.objects.filter(project=project, project_list__year=project.year).first()
        project.annual_plan = entry.annual_plan if entry else 0
        project.save(update_fields=["annual_plan"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_yearly_lists")]

    operations = [migrations.RunPython(forwards, backwards)]
