"""Recompute stored assessments under the 等级变更 rules and flag those whose level changes.

Used by the data migration and by `manage.py recompute_assessment_levels`; it reads only
fields, so it works on the migration's historical models too. An assessment made before the
condition fields existed has them unset; its 认知 item scored 2 (“已确诊为认知障碍”) is the
assessors' record of a confirmed diagnosis, so it sets `dementia`.
"""

from . import scales

CONFIRMED_COGNITION = 2


def conditions_of(assessment) -> dict:
    return {
        # Absent on the historical model of migrations older than the field.
        "coma": getattr(assessment, "coma", False),
        "dementia": assessment.dementia,
        "psychiatric": assessment.psychiatric,
        "incidents_30d": assessment.incidents_30d,
    }


def recompute(assessments) -> list:
    """Rescore each of `assessments` (rows with `scale` loaded); save and return the changed."""
    changed = []
    for a in assessments:
        if a.scores.get("cognition") == CONFIRMED_COGNITION and not a.dementia:
            a.dementia = True
        result = scales.score(a.scale.definition, a.scores, conditions=conditions_of(a))
        if result.level == a.level:
            if a.dementia:
                a.save(update_fields=["dementia"])
            continue
        a.level_changed_from = a.level
        a.level_change_reason = scales.adjusted_label(result.adjusted_by, a.scale.definition)[:200]
        a.level = result.level
        a.grades = result.as_grades_json()
        a.save(
            update_fields=[
                "dementia",
                "level",
                "grades",
                "level_changed_from",
                "level_change_reason",
            ]
        )
        changed.append(a)
    return changed
