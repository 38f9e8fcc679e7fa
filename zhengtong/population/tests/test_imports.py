import datetime
import io
import shutil
import tempfile
import threading
from unittest import mock, skipUnless

import openpyxl
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from zhengtong.accounts.models import Membership, Role
from zhengtong.audit.models import Event
from zhengtong.lib import imports as framework
from zhengtong.lib import xlsx as xlsx_writer
from zhengtong.lib.encrypted import blind_index, match
from zhengtong.lib.masking import mask_id_internal
from zhengtong.people.models import Person
from zhengtong.population import imports
from zhengtong.population.actions import imports as actions
from zhengtong.population.models import FloatingRecord, ImportJob, MarriageCertificate
from zhengtong.test import BaseTestCase, make_id_number, make_user

TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
PERSON_HEADERS = imports.HEADERS[imports.KIND_PERSONS]
FLOATING_HEADERS = imports.HEADERS[imports.KIND_FLOATING]


def xlsx(headers: list[str], rows: list[list], name: str = "data.xlsx") -> SimpleUploadedFile:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def person_row(n: int, *, name: str = "", village: str = "东村", female: bool = False) -> list:
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 12000)
    number = make_id_number(birth, female=female, seq=1 + n // 12000)
    return [name or f"张{n}", number, "13805350000", village, "", "", "已婚", "本地户籍"]


@time_machine.travel(TODAY, tick=False)
class ImportTestCase(BaseTestCase):
    """Jobs are processed by calling `process_job` (no worker runs in these tests)."""

    def setUp(self) -> None:
        super().setUp()
        self.media = tempfile.mkdtemp()
        override = override_settings(MEDIA_ROOT=self.media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        self.worker = self.outsider  # 村专干 of 东村
        self.township = make_user(
            "jsb", full_name="计生办", memberships=[(Role.VILLAGE_WORKER, self.town)]
        )

    def create(self, upload, *, kind=imports.KIND_PERSONS, dry_run=False, actor=None):
        return actions.import_job_create(
            actor=actor or self.worker, kind=kind, upload=upload, dry_run=dry_run
        )

    def run_job(self, job, **kwargs) -> ImportJob:
        return actions.process_job(job.pk, **kwargs)


class PersonImportTestCase(ImportTestCase):
    def test_a_clean_file_imports_every_person_with_birth_date_and_sex_from_the_id(self) -> None:
        """Birth date and sex are derived from the number; one summary audit event per job."""
        rows = [person_row(i, female=i % 2 == 0) for i in range(5)]
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, rows)))
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual((job.total_rows, job.processed_rows, job.created_rows), (5, 5, 5))
        person = match(Person.objects.all(), "id_number", rows[0][1]).get()
        self.assertEqual(person.org_unit, self.east_village)
        self.assertEqual(person.sex, "F")
        self.assertEqual(person.birth_date, datetime.date(1960, 1, 1))
        self.assertEqual(person.marital_status, "married")
        events = Event.objects.filter(action="population_import_done", target_id=str(job.pk))
        self.assertEqual(events.count(), 1)
        self.assertEqual(events.get().channel, "import")
        self.assertEqual(events.get().changes["persons"], 5)

    def test_a_dry_run_checks_everything_and_writes_nothing(self) -> None:
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, [person_row(1)]), dry_run=True))
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual(job.created_rows, 0)
        self.assertFalse(Person.objects.exists())
        self.assertTrue(Event.objects.filter(action="population_import_checked").exists())

    def test_bad_rows_are_listed_with_row_and_field_and_nothing_is_written(self) -> None:
        """Checksum, impossible birth date, duplicate in file and in DB, missing name,
        a village outside the importer's scope: one error each, all-or-nothing."""
        existing = person_row(99)
        Person.objects.create(
            id_number=existing[1], name="已有", sex="M", birth_date=datetime.date(1960, 4, 9)
        )
        good = person_row(1)
        bad_checksum = person_row(2)
        bad_checksum[1] = bad_checksum[1][:17] + ("0" if bad_checksum[1][17] != "0" else "1")
        bad_date = person_row(3)
        bad_date[1] = "371524" + "19990231" + "0011"
        no_name = person_row(4, name=" ")
        no_name[0] = ""
        other_village = person_row(5, village="西村")
        rows = [good, bad_checksum, bad_date, list(good), existing, no_name, other_village]
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, rows)))
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertEqual(Person.objects.count(), 1)
        found = [(e["row"], e["field"], e["message"]) for e in job.errors]
        self.assertEqual(
            found,
            [
                (3, "公民身份号码", "身份证号码校验位错误。"),
                (4, "公民身份号码", "身份证号码中的出生日期不存在。"),
                (5, "公民身份号码", "与第 2 行的身份证号码重复。"),
                (6, "公民身份号码", "该身份证号码已在系统中登记,请勿重复导入。"),
                (7, "姓名", "必填。"),
                (8, "所属村", "“西村”不在您负责的范围内。"),
            ],
        )
        r = self.client_get_detail(job)
        self.assertContains(r, "第 8 行")
        self.assertContains(r, "整份文件未写入任何数据")

    def client_get_detail(self, job):
        self.client.force_login(self.worker)
        return self.client.get(f"/population/imports/{job.pk}/")

    def test_an_id_number_with_a_birth_date_in_the_future_is_refused(self) -> None:
        row = person_row(1)
        row[1] = make_id_number(datetime.date(2027, 1, 1), female=False)
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, [row])))
        self.assertEqual(job.errors[0]["message"], "身份证号码中的出生日期晚于今天。")

    def test_the_stored_error_list_is_capped_with_the_total_count(self) -> None:
        rows = [["", "1"] for _ in range(50)]
        with mock.patch.object(framework, "MAX_STORED_ERRORS", 20):
            job = self.run_job(self.create(xlsx(PERSON_HEADERS, rows[:30])))
        # 30 rows × (姓名, 公民身份号码) = 60 errors; 20 kept plus the summary line.
        self.assertEqual(len(job.errors), 21)
        self.assertEqual(job.errors[-1]["message"], "共 60 条错误,仅列出前 20 条。")

    def test_a_township_worker_names_the_village_and_a_village_worker_may_leave_it_empty(
        self,
    ) -> None:
        row = person_row(1, village="")
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, [row])))
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual(Person.objects.get().org_unit, self.east_village)
        row = person_row(2, village="")
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, [row]), actor=self.township))
        self.assertEqual(job.errors[0]["field"], "所属村")
        job = self.run_job(
            self.create(
                xlsx(PERSON_HEADERS, [person_row(2, village="LIUJI-W")]), actor=self.township
            )
        )
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual(Person.objects.get(name="张2").org_unit, self.west_village)

    def test_a_failure_mid_write_leaves_nothing_written(self) -> None:
        """2,500 rows staged in three batches and written by one INSERT … SELECT; a crash
        right after that statement (as a kill would) rolls every row back, with the job."""
        rows = [person_row(i) for i in range(2500)]
        job = self.create(xlsx(PERSON_HEADERS, rows))
        original = framework.StagingTable.write
        written = []

        def write(stage):
            written.append(original(stage))
            raise RuntimeError("simulated crash")

        with mock.patch.object(framework.StagingTable, "write", write):
            job = self.run_job(job)
        self.assertEqual(written, [2500])
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertIn("未写入任何数据", job.errors[0]["message"])
        self.assertFalse(Person.objects.exists())
        self.assertFalse(Event.objects.filter(action="population_import_done").exists())

    def test_the_file_is_read_once_and_a_bad_row_in_the_middle_writes_nothing(self) -> None:
        """3,000 rows with a wrong ID number at row 1,502 and a registered one at row 2,801:
        the job reads the workbook once, reports both (row order, across staging batches),
        and writes none of the 2,998 good rows."""
        registered = person_row(2799)
        Person.objects.create(
            id_number=registered[1], name="已有", sex="M", birth_date=datetime.date(1967, 9, 1)
        )
        rows = [person_row(i) for i in range(3000)]
        rows[1500][1] = "371524199902310011"
        job = self.create(xlsx(PERSON_HEADERS, rows))
        opened = []
        real_load = openpyxl.load_workbook

        def load_workbook(*args, **kwargs):
            opened.append(kwargs.get("read_only"))
            return real_load(*args, **kwargs)

        with mock.patch.object(xlsx_writer.openpyxl, "load_workbook", side_effect=load_workbook):
            job = self.run_job(job)
        self.assertEqual(opened, [True])
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertEqual(
            [(e["row"], e["field"], e["message"]) for e in job.errors],
            [
                (1502, "公民身份号码", "身份证号码中的出生日期不存在。"),
                (2801, "公民身份号码", "该身份证号码已在系统中登记,请勿重复导入。"),
            ],
        )
        self.assertEqual(Person.objects.count(), 1)
        self.assertTrue(Event.objects.filter(action="population_import_failed").exists())

    def test_a_dry_run_reports_the_numbers_already_registered_and_writes_nothing(self) -> None:
        rows = [person_row(i) for i in range(3)]
        Person.objects.create(
            id_number=rows[2][1], name="已有", sex="M", birth_date=datetime.date(1960, 1, 3)
        )
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, rows), dry_run=True))
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertEqual(
            [(e["row"], e["message"]) for e in job.errors],
            [(4, "该身份证号码已在系统中登记,请勿重复导入。")],
        )
        self.assertEqual(Person.objects.count(), 1)
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, rows[:2]), dry_run=True))
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual(Person.objects.count(), 1)

    def test_a_number_registered_after_the_check_is_reported_on_its_row(self) -> None:
        """A number registered by someone else after the check and before the write (here the
        check is made blind to it): the unique index refuses the insert, the job names the
        row and nothing of the file is written."""
        rows = [person_row(i) for i in range(3)]
        Person.objects.create(
            id_number=rows[1][1], name="同时登记", sex="M", birth_date=datetime.date(1960, 1, 2)
        )
        original = framework.StagingTable.conflicts
        calls = []

        def conflicts(stage, field_name):
            calls.append(field_name)
            if len(calls) == 1:
                stage.flush()
                return []
            return original(stage, field_name)

        with mock.patch.object(framework.StagingTable, "conflicts", conflicts):
            job = self.run_job(self.create(xlsx(PERSON_HEADERS, rows)))
        self.assertEqual(len(calls), 2)
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertEqual(
            [(e["row"], e["field"], e["message"]) for e in job.errors],
            [(3, "公民身份号码", "该身份证号码已在系统中登记,请勿重复导入。")],
        )
        self.assertEqual(list(Person.objects.values_list("name", flat=True)), ["同时登记"])

    def test_an_imported_person_is_stored_as_the_model_stores_one(self) -> None:
        """The staged columns (sealed number and phone, blind indexes, masks, dates, village)
        are those a Person saved through the ORM gets: found, shown and decrypted alike."""
        row = person_row(7)
        row[2] = "138 0535 1234"
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, [row])))
        self.assertEqual(job.status, ImportJob.Status.DONE)
        imported = match(Person.objects.all(), "id_number", row[1]).get()
        reference = Person.objects.create(
            id_number=person_row(8)[1],
            name="参照",
            sex="M",
            birth_date=datetime.date(1960, 1, 9),
            phone="138 0535 1234",
        )
        imported.refresh_from_db()
        reference.refresh_from_db()
        self.assertEqual(imported.id_number, row[1])
        self.assertEqual(imported.id_number_index, blind_index("id", row[1]))
        self.assertEqual(imported.id_number_mask, mask_id_internal(row[1]))
        for attr in ("phone", "phone_index", "phone_mask"):
            self.assertEqual(getattr(imported, attr), getattr(reference, attr), attr)
        self.assertEqual(match(Person.objects.all(), "phone", "13805351234").count(), 2)
        self.assertEqual(imported.org_unit, self.east_village)
        self.assertEqual(imported.hukou_type, Person.HukouType.LOCAL)
        self.assertEqual(imported.created_at, TODAY)
        self.assertEqual(imported.updated_at, TODAY)

    def test_rows_are_streamed_from_a_read_only_workbook_with_progress_before_the_end(
        self,
    ) -> None:
        """A 2,000-row file: the workbook is opened read-only and the progress callback sees
        increasing counts while rows are still being read; database lookups go in batches."""
        rows = [person_row(i) for i in range(2000)]
        job = self.create(xlsx(PERSON_HEADERS, rows))
        seen = []
        opened = []
        real_load = openpyxl.load_workbook

        def load_workbook(*args, **kwargs):
            opened.append(kwargs.get("read_only"))
            return real_load(*args, **kwargs)

        def progress(processed, total):
            seen.append(processed)

        with mock.patch.object(xlsx_writer.openpyxl, "load_workbook", side_effect=load_workbook):
            job = self.run_job(job, progress=progress)
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual(Person.objects.count(), 2000)
        self.assertTrue(opened)
        self.assertTrue(all(opened))
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(seen[0], 500)
        self.assertEqual(seen[-1], 2000)
        self.assertGreaterEqual(len([n for n in seen if n < 2000]), 3)

    def test_the_validation_pass_keeps_memory_flat_as_rows_grow(self) -> None:
        """Peak traced memory of checking 4,000 rows is far below 4× that of 1,000 rows: rows
        are not accumulated (only the ID numbers seen so far)."""
        import tracemalloc

        peaks = {}
        for n in (1000, 4000):
            upload = xlsx(PERSON_HEADERS, [person_row(i) for i in range(n)])
            path = f"{self.media}/m{n}.xlsx"
            with open(path, "wb") as fh:
                fh.write(upload.read())
            importer = imports.PersonsImporter(self.worker)
            _, rows = importer.read(path)
            tracemalloc.start()
            result = importer.check_stream(rows)
            peaks[n] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            self.assertEqual(result.rows, n)
        self.assertLess(peaks[4000], 2 * peaks[1000])

    def test_a_wrong_header_is_refused_on_the_form(self) -> None:
        self.client.force_login(self.worker)
        upload = xlsx(["名字", "号码"], [["张三", "1"]])
        r = self.client.post(
            "/population/imports/", {"kind": "persons", "file": upload, "dry_run": "on"}
        )
        self.assertContains(r, "表头不正确")
        self.assertFalse(ImportJob.objects.exists())
        r = self.client.post(
            "/population/imports/",
            {"kind": "persons", "file": SimpleUploadedFile("a.xlsx", b"not a workbook")},
        )
        self.assertContains(r, "不是 Excel 2007 及以上版本的 xlsx 工作簿")


class ImportPagesTestCase(ImportTestCase):
    def test_upload_queues_a_job_and_starts_it_after_commit(self) -> None:
        from zhengtong.jobs.models import Job

        self.client.force_login(self.worker)
        upload = xlsx(PERSON_HEADERS, [person_row(1)])
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            r = self.client.post(
                "/population/imports/", {"kind": "persons", "file": upload, "dry_run": "on"}
            )
        self.assertFalse(Job.objects.exists())  # nothing queued before the upload commits
        for callback in callbacks:
            callback()
        job = ImportJob.objects.get()
        self.assertRedirects(r, f"/population/imports/{job.pk}/")
        queued = Job.objects.get(task_path="zhengtong.population.tasks.run_import")
        self.assertEqual(queued.args_kwargs["args"], [job.pk])
        self.assertEqual(
            (job.status, job.dry_run, job.org_unit), ("queued", True, self.east_village)
        )
        r = self.client.get(f"/population/imports/{job.pk}/")
        self.assertContains(r, 'hx-trigger="every 1s"')
        self.assertContains(r, "正在读取文件…")

    def test_the_progress_fragment_stops_polling_when_done_and_offers_the_real_run(self) -> None:
        job = self.run_job(self.create(xlsx(PERSON_HEADERS, [person_row(1)]), dry_run=True))
        self.client.force_login(self.worker)
        r = self.client.get(f"/population/imports/{job.pk}/", HTTP_HX_REQUEST="true")
        self.assertNotContains(r, "<html")
        self.assertNotContains(r, "hx-trigger")
        self.assertContains(r, "检查通过:共 1 行")
        r = self.client.post(f"/population/imports/{job.pk}/run/")
        real = ImportJob.objects.exclude(pk=job.pk).get()
        self.assertRedirects(r, f"/population/imports/{real.pk}/")
        self.assertFalse(real.dry_run)
        self.assertEqual(real.file.name, job.file.name)
        self.assertEqual(self.run_job(real).created_rows, 1)
        self.assertEqual(Person.objects.count(), 1)

    def test_a_running_job_shows_its_progress(self) -> None:
        job = self.create(xlsx(PERSON_HEADERS, [person_row(1)]))
        ImportJob.objects.filter(pk=job.pk).update(
            status="running", processed_rows=3000, total_rows=10000
        )
        self.client.force_login(self.worker)
        r = self.client.get(f"/population/imports/{job.pk}/", HTTP_HX_REQUEST="true")
        self.assertContains(r, "已检查 3000 / 10000 行")
        self.assertContains(r, "width: 30%")

    def test_the_template_downloads_with_the_chinese_headers(self) -> None:
        self.client.force_login(self.worker)
        for kind, headers in imports.HEADERS.items():
            r = self.client.get(f"/population/imports/template/{kind}.xlsx")
            self.assertEqual(r.status_code, 200)
            wb = openpyxl.load_workbook(io.BytesIO(r.content))
            self.assertEqual([c.value for c in wb.worksheets[0][1]], headers)
            self.assertEqual(wb.worksheets[1].title, "填写说明")

    def test_others_cannot_import_nor_see_another_villages_jobs(self) -> None:
        job = self.create(xlsx(PERSON_HEADERS, [person_row(1)]))
        west = make_user("west", memberships=[(Role.VILLAGE_WORKER, self.west_village)])
        self.client.force_login(west)
        self.assertEqual(self.client.get(f"/population/imports/{job.pk}/").status_code, 404)
        self.assertEqual(self.client.post(f"/population/imports/{job.pk}/run/").status_code, 404)
        self.assertNotContains(self.client.get("/population/imports/"), job.file.name)
        # The township office sees its villages' jobs.
        self.client.force_login(self.township)
        self.assertEqual(self.client.get(f"/population/imports/{job.pk}/").status_code, 200)
        for user in (self.leader, self.clerk, self.admin):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/population/imports/").status_code, 403)
            self.assertEqual(self.client.get(f"/population/imports/{job.pk}/").status_code, 403)

    def test_run_imports_processes_queued_jobs(self) -> None:
        job = self.create(xlsx(PERSON_HEADERS, [person_row(1)]))
        out = io.StringIO()
        call_command("run_imports", stdout=out)
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertIn("新增 1 条", out.getvalue())
        # A job left "running" by a killed process is picked up again on request.
        stuck = self.create(xlsx(PERSON_HEADERS, [person_row(2)]))
        ImportJob.objects.filter(pk=stuck.pk).update(status="running")
        call_command("run_imports", stdout=io.StringIO())
        self.assertEqual(ImportJob.objects.get(pk=stuck.pk).status, "running")
        call_command("run_imports", "--requeue-running", stdout=io.StringIO())
        self.assertEqual(ImportJob.objects.get(pk=stuck.pk).status, "done")
        self.assertEqual(Person.objects.count(), 2)


class FloatingImportTestCase(ImportTestCase):
    def row(self, **values) -> list:
        base = {
            "姓名": "李娟",
            "公民身份号码": make_id_number(datetime.date(1995, 6, 1), female=True, seq=7),
            "流向": "流入",
            "所属村": "东村",
            "流入地/流出地": "河南省濮阳市",
            "流出/流入日期": datetime.date(2026, 9, 1),
            "婚姻状况": "已婚",
            "配偶信息": "王强",
            "生育状况": "已生育一孩",
            "避孕节育情况": "上环",
        }
        base.update(values)
        return [base.get(h) for h in FLOATING_HEADERS]

    def test_an_arriving_woman_gets_a_certificate_due_30_days_after_arrival(self) -> None:
        """An unregistered arrival is registered (外地户籍) with the record and 婚育证明."""
        man = make_id_number(datetime.date(1988, 3, 3), female=False, seq=8)
        rows = [
            self.row(),
            self.row(姓名="赵刚", 公民身份号码=man, 流向="流出", **{"婚姻状况": None}),
        ]
        job = self.run_job(self.create(xlsx(FLOATING_HEADERS, rows), kind="floating"))
        self.assertEqual(job.status, ImportJob.Status.DONE, job.errors)
        self.assertEqual(job.created_rows, 2)
        record = FloatingRecord.objects.get(direction="in")
        self.assertEqual(record.person.hukou_type, Person.HukouType.NONLOCAL)
        self.assertEqual(record.org_unit, self.east_village)
        certificate = MarriageCertificate.objects.get()
        self.assertEqual(certificate.record, record)
        self.assertEqual(certificate.age, 31)
        self.assertEqual(certificate.marital_status, "已婚")
        # 2026-10-01 is 国庆节; without holiday data the date is not rolled.
        self.assertGreaterEqual(certificate.due_on, datetime.date(2026, 10, 1))
        self.assertEqual(certificate.presented_on, datetime.date(2026, 9, 1))

    def test_an_arriving_woman_may_present_the_certificate_later(self) -> None:
        """All certificate columns empty: the item is due, not presented (overdue list)."""
        empty = {"婚姻状况": None, "配偶信息": None, "生育状况": None, "避孕节育情况": None}
        job = self.run_job(
            self.create(xlsx(FLOATING_HEADERS, [self.row(**empty)]), kind="floating")
        )
        self.assertEqual(job.status, ImportJob.Status.DONE, job.errors)
        certificate = MarriageCertificate.objects.get()
        self.assertIsNone(certificate.presented_on)
        self.assertEqual((certificate.name, certificate.age), ("李娟", 31))
        self.assertIsNotNone(certificate.due_on)

    def test_a_woman_of_18_to_49_without_the_certificate_fields_is_refused(self) -> None:
        """Leaving, every Art. 7 field is required; arriving, a partly filled one is refused."""
        empty = {"婚姻状况": None, "配偶信息": None, "生育状况": None, "避孕节育情况": None}
        rows = [self.row(生育状况=""), self.row(流向="流出", **empty)]
        job = self.run_job(self.create(xlsx(FLOATING_HEADERS, rows), kind="floating"))
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertEqual(
            [(e["row"], e["field"]) for e in job.errors],
            [
                (2, "生育状况"),
                (3, "配偶信息"),
                (3, "生育状况"),
                (3, "避孕节育情况"),
                (3, "婚姻状况"),
            ],
        )
        self.assertEqual(job.errors[0]["message"], "18–49 岁妇女的婚育证明必填项。")
        self.assertFalse(Person.objects.exists())

    def test_a_registered_person_keeps_their_record_and_a_repeat_is_refused(self) -> None:
        number = make_id_number(datetime.date(1995, 6, 1), female=True, seq=7)
        person = Person.objects.create(
            id_number=number,
            name="李娟",
            sex="F",
            birth_date=datetime.date(1995, 6, 1),
            org_unit=self.east_village,
        )
        job = self.run_job(self.create(xlsx(FLOATING_HEADERS, [self.row()]), kind="floating"))
        self.assertEqual(job.status, ImportJob.Status.DONE, job.errors)
        self.assertEqual(Person.objects.count(), 1)
        self.assertEqual(FloatingRecord.objects.get().person, person)
        rows = [self.row(), self.row(姓名="李娟娟", 流向="流出"), self.row(流向="流出")]
        job = self.run_job(self.create(xlsx(FLOATING_HEADERS, rows), kind="floating"))
        self.assertEqual(
            [(e["row"], e["field"], e["message"]) for e in job.errors],
            [
                (2, "流向", "该人员已有一条未结束的同向流动记录,请先登记返回/离开日期。"),
                (3, "姓名", "与该身份证号码已登记的姓名不一致,请核对。"),
                (4, "流向", "与第 3 行是同一人同一流向的记录,重复。"),
            ],
        )
        self.assertEqual(FloatingRecord.objects.count(), 1)

    def test_a_person_of_another_village_cannot_be_imported_into(self) -> None:
        number = make_id_number(datetime.date(1995, 6, 1), female=True, seq=7)
        Person.objects.create(
            id_number=number,
            name="李娟",
            sex="F",
            birth_date=datetime.date(1995, 6, 1),
            org_unit=self.west_village,
        )
        job = self.run_job(self.create(xlsx(FLOATING_HEADERS, [self.row()]), kind="floating"))
        self.assertEqual(job.errors[0]["field"], "公民身份号码")
        self.assertFalse(FloatingRecord.objects.exists())


class ImportMembershipTestCase(ImportTestCase):
    def test_a_user_without_a_population_role_cannot_create_a_job(self) -> None:
        from django.core.exceptions import PermissionDenied

        Membership.objects.filter(user=self.worker).delete()
        from zhengtong.accounts.scope import forget

        forget(self.worker)
        with self.assertRaises(PermissionDenied):
            self.create(xlsx(PERSON_HEADERS, [person_row(1)]))


class SheetRowsTestCase(SimpleTestCase):
    def test_the_rows_read_from_the_xml_are_those_openpyxl_reads(self) -> None:
        """Shared strings, numbers, a whole float, dates and datetimes, booleans, empty cells
        inside a row, a missing row, a formula without a cached value, an inline string."""
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["姓名", "数量", "日期", "是否", "", "备注"])
        ws.append(["张三", 3, datetime.date(2026, 3, 1), True, None, "=HYPERLINK(1)"])
        ws.append([None, 2.5, datetime.datetime(2026, 3, 1, 8, 30), False, "x", 1.0])  # noqa: DTZ001 - a cell has no zone
        ws["B6"] = "隔行"
        ws["H6"] = 12345678901
        ws["A7"] = "=1+1"
        buffer = io.BytesIO()
        wb.save(buffer)

        def opened():
            return openpyxl.load_workbook(
                io.BytesIO(buffer.getvalue()), read_only=True, data_only=True
            )

        expected = [
            (n, tuple(values))
            for n, values in enumerate(opened().worksheets[0].iter_rows(values_only=True), 1)
            if any(v is not None for v in values)
        ]
        wb = opened()
        got = [
            (n, values + (None,) * (len(expected[0][1]) - len(values)))
            for n, values in framework.sheet_rows(wb, wb.worksheets[0])
        ]
        # Row 7 holds a formula without a cached value: a row of blanks, skipped by the import.
        self.assertEqual([n for n, _ in got], [1, 2, 3, 6, 7])
        self.assertEqual(set(got[4][1]), {None})
        self.assertEqual(got[:4], expected)
        self.assertEqual(got[1][1][2], datetime.datetime(2026, 3, 1))  # noqa: DTZ001

        inline = xlsx(["姓名"], [["李四"], [None], [7]])
        wb = openpyxl.load_workbook(inline, read_only=True, data_only=True)
        self.assertEqual(
            list(framework.sheet_rows(wb, wb.worksheets[0])),
            [(1, ("姓名",)), (2, ("李四",)), (4, (7,))],
        )

    def test_a_sheet_beyond_the_limits_is_refused(self) -> None:
        wb = openpyxl.load_workbook(xlsx(["a"], [[1], [2], [3]]), read_only=True)
        with self.assertRaisesMessage(xlsx_writer.XlsxUploadError, "工作表超过 2 行"):
            list(framework.sheet_rows(wb, wb.worksheets[0], max_rows=2))
        wb = openpyxl.load_workbook(xlsx(["a", "b", "c"], [[1, 2, 3]]), read_only=True)
        with self.assertRaisesMessage(xlsx_writer.XlsxUploadError, "工作表超过 2 列"):
            list(framework.sheet_rows(wb, wb.worksheets[0], max_columns=2))


@skipUnless(
    connection.vendor == "postgresql",
    "needs concurrent writers; SQLite serialises all writes, so the race cannot happen there",
)
class ConcurrentImportTestCase(TransactionTestCase):
    def test_two_imports_of_the_same_numbers_one_wins_the_other_names_every_row(self) -> None:
        """Two jobs of the same 1,200 numbers, both checked and staged before either writes:
        one writes all its rows, the other reports each row as registered and writes none."""
        from zhengtong.accounts.models import OrgUnit

        town = OrgUnit.objects.create(code="LIUJI", name="刘集镇", kind=OrgUnit.Kind.TOWN)
        OrgUnit.objects.create(code="LIUJI-E", name="东村", kind=OrgUnit.Kind.VILLAGE, parent=town)
        worker = make_user("worker", memberships=[(Role.VILLAGE_WORKER, town)])
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        rows = [person_row(i) for i in range(1200)]
        with override_settings(MEDIA_ROOT=media):
            jobs = [
                actions.import_job_create(
                    actor=worker, kind="persons", upload=xlsx(PERSON_HEADERS, rows), dry_run=False
                )
                for _ in range(2)
            ]
            barrier = threading.Barrier(2)
            original = framework.StagingTable.lock
            done: list = []
            errors: list = []

            def lock(stage):
                barrier.wait(timeout=60)  # both have checked and staged every row
                return original(stage)

            def run(job) -> None:
                try:
                    done.append(actions.process_job(job.pk))
                except Exception as exc:  # noqa: BLE001 - reported to the test below
                    errors.append(exc)
                finally:
                    connection.close()

            with mock.patch.object(framework.StagingTable, "lock", lock):
                threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(timeout=120)
        self.assertEqual(errors, [])
        states = sorted((j.status, j.created_rows) for j in done)
        self.assertEqual(states, [(ImportJob.Status.DONE, 1200), (ImportJob.Status.FAILED, 0)])
        failed = next(j for j in done if j.status == ImportJob.Status.FAILED)
        self.assertEqual(failed.errors[0], {
            "row": 2, "field": "公民身份号码", "message": "该身份证号码已在系统中登记,请勿重复导入。"
        })  # fmt: skip
        self.assertEqual(len(failed.errors), 1001)  # 1,000 listed and the count
        self.assertEqual(failed.errors[-1]["message"], "共 1200 条错误,仅列出前 1000 条。")
        self.assertEqual(Person.objects.count(), 1200)
        self.assertEqual(Event.objects.filter(action="population_import_done").count(), 1)
