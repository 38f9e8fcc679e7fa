"""The population import as actions: create a job from an upload, and process a job.

A job of persons is processed in one pass over the streamed file: every row is checked and,
when it is right, staged in a temporary table (COPY on PostgreSQL, 1,000 rows a batch), with
the progress written to the job as it goes. Then, in ONE transaction, the ID numbers already
registered are found by a join of the staging table with the persons' blind index, and every
row is written with one INSERT … SELECT, together with the job's final state and one audit
event. Any error (or a dry run) ends the job without that write. The unique index and the
foreign keys stay in force; two imports of the same numbers take turns for their write (an
advisory lock), so the second one reports the numbers the first registered, row by row. A
crash (even kill -9) mid-way leaves nothing, because the database never commits a part of it.

A job of floating records is processed in two passes: the first checks every row and stores
the errors; the second writes every row in ONE transaction with `bulk_create` in batches of
1,000 (a row may register a person, a floating record and a certificate).

Audit: a 100,000-row import would need 100,000 audit rows if each person were logged on its
own, which costs as much as the import itself. Each job records one summary event instead
(`population_import_done`, channel "import", target the job, with the kind, the row count and
the number of persons and floating records created); the job row keeps the file, so the audit
trail reaches every imported row through the job id.
"""

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import unit_paths
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.context import acting
from zhengtong.audit.models import Event
from zhengtong.jobs.enqueue import enqueue_on_commit
from zhengtong.lib import imports as framework
from zhengtong.lib.encrypted import found_values
from zhengtong.lib.files import original_file_name
from zhengtong.lib.imports import Row, RowError, StagingTable
from zhengtong.people.models import Person

from .. import imports
from ..models import FloatingRecord, ImportJob, MarriageCertificate
from ..selectors import POPULATION_ROLES

logger = logging.getLogger(__name__)

# How often (in rows) the first pass writes its progress to the job row.
PROGRESS_EVERY = 1000


def importer_unit(user) -> OrgUnit | None:
    """The broadest unit where `user` may import population rows (their job's org unit)."""
    paths = unit_paths(user, POPULATION_ROLES)
    if not paths:
        return None
    return OrgUnit.objects.filter(path=min(paths, key=len)).first()


@audited_atomic
def import_job_create(*, actor, kind: str, upload, dry_run: bool) -> ImportJob:
    """Store the uploaded file as a queued job; processing starts after the commit."""
    if kind not in imports.IMPORTERS:
        raise ValidationError({"kind": "导入类别不正确。"})
    unit = importer_unit(actor)
    if unit is None:
        raise PermissionDenied
    try:
        imports.IMPORTERS[kind].validate_upload(upload)
    except imports.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    job = ImportJob(
        kind=kind,
        dry_run=dry_run,
        org_unit=unit,
        created_by=actor,
        original_name=original_file_name(upload.name),
    )
    # Stored as imports/<random>.xlsx (StoredName): the uploader's name is kept as data only.
    job.file.save(upload.name, upload, save=False)
    job.save()
    record_event(
        actor=actor,
        action="population_import_queued",
        kind=Event.Kind.CREATE,
        target=job,
        changes={
            "kind": [None, kind],
            "dry_run": [None, dry_run],
            "file": [None, job.file.name],
            "original_name": [None, job.original_name],
        },
    )
    _enqueue(job.pk)
    return job


@audited_atomic
def import_job_rerun(*, actor, job: ImportJob) -> ImportJob:
    """A real run of a file whose dry run passed: a new job on the same stored file."""
    if not (job.dry_run and job.status == ImportJob.Status.DONE):
        raise ValidationError({"job": "只有检查通过的试导入才能转为正式导入。"})
    new = ImportJob.objects.create(
        kind=job.kind,
        dry_run=False,
        org_unit=job.org_unit,
        created_by=actor,
        file=job.file.name,
        original_name=job.original_name,
    )
    record_event(
        actor=actor,
        action="population_import_queued",
        kind=Event.Kind.CREATE,
        target=new,
        changes={"kind": [None, new.kind], "dry_run": [None, False], "from_job": [None, job.pk]},
    )
    _enqueue(new.pk)
    return new


def _enqueue(job_id: int) -> None:
    """Run the job on the worker once the upload commits (`zhengtong.jobs`)."""
    from ..tasks import run_import

    enqueue_on_commit(run_import, job_id)


class ImportCancelled(Exception):
    """The job was cancelled while it ran; nothing was written."""


@audited_atomic
def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    """Stop a queued job, or one still checking its rows. Once the rows are being written (one
    transaction, a matter of seconds) the job can no longer be cancelled."""
    writing = ImportJob.objects.filter(
        pk=job.pk,
        status=ImportJob.Status.RUNNING,
        dry_run=False,
        total_rows__gt=0,
        processed_rows__gte=F("total_rows"),
    )
    if writing.exists():
        raise ValidationError({"job": "检查已完成,正在写入数据(单一事务),不能再取消。"})
    changed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.CANCELLED, finished_at=timezone.now())
    if not changed:
        raise ValidationError({"job": "该导入已经结束,不能取消。"})
    job.refresh_from_db()
    record_event(
        actor=actor,
        action="population_import_cancelled",
        kind=Event.Kind.UPDATE,
        target=job,
        changes={"status": ["running", "cancelled"], "processed_rows": job.processed_rows},
    )
    return job


@audited_atomic
def import_job_retry(*, actor, job: ImportJob) -> ImportJob:
    """A cancelled job, or one that failed (a worker cut off, a wrong row since fixed in the
    file on disk is not possible: the same stored file), run again as a new job."""
    if not retryable(job):
        raise ValidationError(
            {"job": "只有已取消、或因中断而失败的导入才能重新运行;有错误的行请修改文件后重新上传。"}
        )
    new = ImportJob.objects.create(
        kind=job.kind,
        dry_run=job.dry_run,
        org_unit=job.org_unit,
        created_by=actor,
        file=job.file.name,
        original_name=job.original_name,
    )
    record_event(
        actor=actor,
        action="population_import_queued",
        kind=Event.Kind.CREATE,
        target=new,
        changes={
            "kind": [None, new.kind],
            "dry_run": [None, new.dry_run],
            "from_job": [None, job.pk],
        },
    )
    _enqueue(new.pk)
    return new


def retryable(job: ImportJob) -> bool:
    """Cancelled, or failed for a reason that is not a row of the file (a worker cut off, an
    unexpected error): running the same stored file again may succeed."""
    if job.status == ImportJob.Status.CANCELLED:
        return True
    return job.status == ImportJob.Status.FAILED and all(
        (e or {}).get("row") is None for e in job.errors or [{}]
    )


def import_job_lost(job_id: int) -> None:
    """The worker running the job died twice (the engine gave up): the job ends failed with the
    reason; nothing was written (the rows are written in one transaction)."""
    from zhengtong.jobs.errors import LOST_REASON

    with transaction.atomic():
        changed = ImportJob.objects.filter(
            pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
        ).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            errors=[{"row": None, "field": "", "message": f"{LOST_REASON};未写入任何数据。"}],
        )
        if changed:
            job = ImportJob.objects.select_related("created_by").get(pk=job_id)
            with acting(channel="job"):
                record_event(
                    actor=None,
                    action="population_import_failed",
                    kind=Event.Kind.UPDATE,
                    target=job,
                    changes={"rows": job.total_rows, "errors": 1, "dry_run": job.dry_run},
                )


def claim(job_id: int, *, resume: bool = False) -> bool:
    """Mark a queued job running; False when another worker took it first. `resume` also takes
    a job left running by a worker that died (the engine runs it again: nothing was written)."""
    states = (
        [ImportJob.Status.QUEUED, ImportJob.Status.RUNNING] if resume else [ImportJob.Status.QUEUED]
    )
    return bool(
        ImportJob.objects.filter(pk=job_id, status__in=states).update(
            status=ImportJob.Status.RUNNING, processed_rows=0
        )
    )


def process_job(
    job_id: int, *, progress: Callable[[int, int], None] | None = None, resume: bool = False
) -> ImportJob:
    """Check, and unless it is a dry run or a row is wrong, write the job's file.

    `progress(processed, total)` is called as the first pass goes (tests use it to see that
    rows are handled one by one). Returns the job in its final state.
    """
    if not claim(job_id, resume=resume):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    actor = job.created_by
    with acting(channel="import"):
        try:
            return _process(job, actor, progress)
        except ImportCancelled:
            return ImportJob.objects.get(pk=job.pk)
        except imports.ImportFileError as exc:
            return _fail(job, actor, [{"row": None, "field": "", "message": str(exc)}], 1)
        except Exception as exc:
            logger.exception("import job %s failed", job.pk)
            message = f"导入时发生错误,未写入任何数据:{exc.__class__.__name__}"
            return _fail(job, actor, [{"row": None, "field": "", "message": message}], 1)


def _process(job: ImportJob, actor, progress) -> ImportJob:
    importer = imports.IMPORTERS[job.kind](actor)
    total, rows = importer.read(job.file.path, estimate_rows=True)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=total)

    def report(processed: int) -> None:
        shown_total = max(total, processed)
        if processed % PROGRESS_EVERY == 0 or processed == shown_total:
            # Conditional: a job cancelled meanwhile is no longer RUNNING, and stops here.
            running = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING)
            if not running.update(processed_rows=processed, total_rows=shown_total):
                raise ImportCancelled
        if progress is not None:
            progress(processed, shown_total)

    if job.kind == imports.KIND_PERSONS:
        return _persons_in_one_pass(job, actor, importer, rows, report)
    result = importer.check_stream(rows, progress=report)
    job.total_rows = job.processed_rows = result.rows
    if result.error_count:
        errors = [e.as_dict() for e in result.errors]
        return _fail(job, actor, errors, result.error_count)
    if result.rows == 0:
        errors = [{"row": None, "field": "", "message": "文件中没有数据行。"}]
        return _fail(job, actor, errors, 1)
    if job.dry_run:
        return _finish(
            job,
            actor,
            action="population_import_checked",
            changes={"rows": result.rows, "dry_run": True},
        )
    return _write(job, actor)


def _persons_in_one_pass(job: ImportJob, actor, importer, rows, report) -> ImportJob:
    """Persons: one read of the file that checks each row and stages it; then, in ONE
    transaction, the numbers already registered are looked up in SQL and every row is written
    from the staging table with one INSERT … SELECT, under the table's constraints."""
    with StagingTable(Person) as stage:

        def keep(row: Row) -> None:
            if row.ok:
                stage.add(row.number, person_values(row))

        result = importer.check_stream(rows, progress=report, keep=keep, database_checks=False)
        job.total_rows = job.processed_rows = result.rows
        if result.rows == 0:
            errors = [{"row": None, "field": "", "message": "文件中没有数据行。"}]
            return _fail(job, actor, errors, 1)
        if result.error_count or job.dry_run:
            errors, count = _with_registered(result, stage.conflicts("id_number_index"))
            if count:
                return _fail(job, actor, errors, count)
            return _finish(
                job,
                actor,
                action="population_import_checked",
                changes={"rows": result.rows, "dry_run": True},
            )
        with transaction.atomic():
            if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).exists():
                raise ImportCancelled
            # A second import of the same numbers waits here until this one has committed,
            # then finds them registered.
            stage.lock()
            registered = stage.conflicts("id_number_index")
            if not registered:
                try:
                    with transaction.atomic():
                        created = stage.write()
                except IntegrityError:
                    # Registered meanwhile by someone else (the unique index waited for them).
                    registered = stage.conflicts("id_number_index") or [0]
            if not registered:
                job.created_rows = created
                return _finish(
                    job,
                    actor,
                    action="population_import_done",
                    changes={"rows": job.total_rows, "persons": created},
                )
        errors, count = _with_registered(result, registered)
        return _fail(job, actor, errors, count)


def person_values(row: Row) -> dict:
    """A checked row's Person fields, by name (what `StagingTable.add` takes)."""
    return {"id_number": _number(row), **row.values["person"]}


def _with_registered(result, registered: list[int]) -> tuple[list[dict], int]:
    """The stored errors (in row order, at most MAX_STORED_ERRORS) and the total count, with
    an error for every row whose number is already registered. Row 0 stands for a conflict
    that could not be placed on a row (a constraint other than the number's)."""
    found = [
        RowError(number, imports.ID_NUMBER, imports.ALREADY_REGISTERED)
        if number
        else RowError(
            None,
            "",
            "写入时数据库拒绝了这些数据(可能有人同时修改了相关数据),未写入任何数据,请重新导入。",
        )
        for number in registered[: framework.MAX_STORED_ERRORS]
    ]
    merged = sorted([*result.errors, *found], key=lambda e: e.row or 0)
    return [e.as_dict() for e in merged[: framework.MAX_STORED_ERRORS]], result.error_count + len(
        registered
    )


def _fail(job: ImportJob, actor, errors: list[dict], count: int) -> ImportJob:
    if count > len(errors):
        errors = errors + [
            {"row": None, "field": "", "message": f"共 {count} 条错误,仅列出前 {len(errors)} 条。"}
        ]
    with transaction.atomic():
        job.status = ImportJob.Status.FAILED
        job.errors = errors
        job.created_rows = 0
        job.finished_at = timezone.now()
        job.save(
            update_fields=[
                "status", "errors", "created_rows", "finished_at", "total_rows", "processed_rows"
            ]
        )  # fmt: skip
        record_event(
            actor=actor,
            action="population_import_failed",
            kind=Event.Kind.UPDATE,
            target=job,
            changes={"rows": job.total_rows, "errors": count, "dry_run": job.dry_run},
        )
    return job


def _finish(job: ImportJob, actor, *, action: str, changes: dict) -> ImportJob:
    with transaction.atomic():
        job.status = ImportJob.Status.DONE
        job.errors = []
        job.finished_at = timezone.now()
        job.save(
            update_fields=[
                "status", "errors", "created_rows", "finished_at", "total_rows", "processed_rows"
            ]
        )  # fmt: skip
        record_event(
            actor=actor,
            action=action,
            kind=Event.Kind.CREATE if not job.dry_run else Event.Kind.UPDATE,
            target=job,
            changes={"kind": job.kind, **changes},
        )
    return job


def _write(job: ImportJob, actor) -> ImportJob:
    """Floating records, second pass: every row in one transaction, or none."""
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).exists():
        raise ImportCancelled
    importer = imports.IMPORTERS[job.kind](actor)
    _, rows = importer.read(job.file.path)
    parsed_rows = importer.parsed_rows(rows)
    with transaction.atomic():
        counts = write_floating(parsed_rows, actor=actor)
        job.created_rows = counts["floating_records"]
        _finish(
            job,
            actor,
            action="population_import_done",
            changes={"rows": job.total_rows, **counts},
        )
    return job


def _batches(iterable, size: int = imports.BATCH):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _number(row: Row) -> str:
    return row.values["id_number"].number


def _person(row: Row) -> Person:
    return Person(id_number=_number(row), **row.values["person"])


def write_floating(parsed_rows, *, actor) -> dict:
    """Register the unknown persons, then bulk_create the records and certificates."""
    persons = records = certificates = 0
    for batch in _batches(parsed_rows):
        numbers = {_number(p) for p in batch}
        known = found_values(Person.objects.all(), "id_number", numbers)
        new = {}
        for row in batch:
            if _number(row) not in known and _number(row) not in new:
                new[_number(row)] = _person(row)
        Person.objects.bulk_create(new.values(), batch_size=imports.BATCH)
        persons += len(new)
        # A registered person's record is kept by the person's own village, as in
        # floating_record_create (the check pass made sure the importer may write there).
        owners = found_values(Person.objects.all(), "id_number", numbers, "pk", "org_unit_id")
        ids = {number: pk for number, (pk, _) in owners.items()}
        made = FloatingRecord.objects.bulk_create(
            [
                FloatingRecord(
                    person_id=ids[_number(p)],
                    org_unit_id=owners[_number(p)][1],
                    created_by=actor,
                    **p.values["floating"],
                )
                for p in batch
            ],
            batch_size=imports.BATCH,
        )
        records += len(made)
        if made[0].pk is None:
            # A backend that does not return keys from bulk inserts: look them up.
            made = _refetch(batch, ids)
        certs = [
            MarriageCertificate(record=record, **row.values["certificate"])
            for row, record in zip(batch, made, strict=True)
            if row.values["certificate"] is not None
        ]
        MarriageCertificate.objects.bulk_create(certs, batch_size=imports.BATCH)
        certificates += len(certs)
    return {"persons": persons, "floating_records": records, "certificates": certificates}


def _refetch(batch, ids) -> list[FloatingRecord]:
    found = {
        (r.person_id, r.direction): r
        for r in FloatingRecord.objects.filter(person_id__in=ids.values(), ended_on__isnull=True)
    }
    return [found[(ids[_number(p)], p.values["direction"])] for p in batch]


def process_queued(*, limit: int | None = None) -> list[ImportJob]:
    """Process queued jobs oldest first (the `run_imports` command)."""
    done = []
    queued = ImportJob.objects.filter(status=ImportJob.Status.QUEUED).order_by("created_at", "pk")
    for job_id in queued.values_list("pk", flat=True)[:limit]:
        done.append(process_job(job_id))
    return done
