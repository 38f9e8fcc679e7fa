"""Seed 2004–2026 from the chinesecalendar package (State Council notices)."""

from django.db import migrations

SEED_YEARS = range(2004, 2027)


def seed(apps, schema_editor):
    from zhengtong.workdays.seed import package_days

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    Holiday = apps.get_model("workdays", "Holiday")
    for year in SEED_YEARS:
        CalendarYear.objects.update_or_create(
            year=year, defaults={"source": "seed", "note": "chinesecalendar 内置数据"}
        )
        Holiday.objects.bulk_create(
            [
                Holiday(date=day, is_workday=is_workday, name=name, source="seed")
                for day, is_workday, name in package_days(year)
            ],
            update_conflicts=True,
            unique_fields=["date"],
            update_fields=["is_workday", "name", "source"],
        )


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    Holiday = apps.get_model("workdays", "Holiday")
    Holiday.objects.filter(source="seed", date__year__in=list(SEED_YEARS)).delete()
    CalendarYear.objects.filter(source="seed", year__in=list(SEED_YEARS)).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
