"""The sync endpoint of field work without a connection (POST /population/sync/), the offline
page of the worker's own follow-ups and the service worker script."""

import datetime
import json
import threading
import uuid
from base64 import b64encode

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client, override_settings
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.audit.models import Event
from zhengtong.population.actions import followups as actions
from zhengtong.population.actions.transfers import person_transfer
from zhengtong.population.models import FollowUp, FollowUpPlan, HomeVisit
from zhengtong.population.sync import MOVED, NOT_YOURS
from zhengtong.test import make_unit

from .test_followups_fixtures import FollowupTestCase, at
from .test_visits_fixtures import image_bytes

URL = "/population/sync/"
NOW = at(2026, 6, 15)
TODAY = NOW.date()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@time_machine.travel(NOW, tick=False)
class SyncTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.phone_plan = actions.followup_plan_create(
            actor=self.east_worker,
            person=self.east_woman,
            kind=FollowUpPlan.Kind.PHONE,
            interval_days=90,
            purpose="了解务工和避孕节育情况",
            first_due_on=TODAY,
        )
        self.due = self.phone_plan.followups.get()
        self.client.force_login(self.east_worker)

    def followup_record(self, **extra) -> dict:
        record = {
            "client_uuid": str(uuid.uuid4()),
            "kind": "followup",
            "followup": self.due.pk,
            "done_on": YESTERDAY.isoformat(),
            "outcome": "电话联系本人,在宁波务工,已落实避孕措施。",
        }
        record.update(extra)
        return record

    def visit_record(self, **extra) -> dict:
        record = {
            "client_uuid": str(uuid.uuid4()),
            "kind": "visit",
            "person": self.east_woman.pk,
            "visited_on": YESTERDAY.isoformat(),
            "place": "东村 3 组 12 号",
            "outcome": "家中老人身体尚好。",
            "latitude": "36.302100",
            "longitude": "116.249300",
        }
        record.update(extra)
        return record

    def send(self, *records, client=None):
        client = client or self.client
        r = client.post(
            URL, json.dumps({"records": list(records)}), content_type="application/json"
        )
        self.assertEqual(r.status_code, 200, r.content)
        return r.json()["results"]

    # Happy path and replay --------------------------------------------------------------------

    def test_a_follow_up_recorded_offline_is_saved_once_and_a_replay_answers_already_saved(
        self,
    ) -> None:
        record = self.followup_record()
        [first] = self.send(record)
        self.assertEqual(first["status"], "saved")
        self.assertEqual(first["client_uuid"], record["client_uuid"])
        self.assertEqual(first["url"], f"/population/followups/{self.due.pk}/")
        next_due = YESTERDAY + datetime.timedelta(days=90)
        self.assertEqual(first["message"], f"已保存,下次随访 {next_due:%Y-%m-%d}。")
        self.due.refresh_from_db()
        self.assertEqual(self.due.status, FollowUp.Status.DONE)
        self.assertEqual(self.due.done_by, self.east_worker)
        self.assertEqual(str(self.due.client_uuid), record["client_uuid"])

        [again] = self.send(record)
        self.assertEqual(again["status"], "duplicate")
        self.assertEqual(again["message"], "这条随访已经保存过,未重复记录。")
        self.assertEqual(FollowUp.objects.filter(status=FollowUp.Status.DONE).count(), 1)
        self.assertEqual(self.phone_plan.followups.count(), 2)  # the done one and the next
        self.assertEqual(Event.objects.filter(action="followup_done").count(), 1)

    def test_a_visit_recorded_offline_is_saved_once_and_closes_the_due_home_follow_up(
        self,
    ) -> None:
        home = actions.followup_plan_create(
            actor=self.east_worker,
            person=self.east_woman,
            kind=FollowUpPlan.Kind.HOME,
            interval_days=30,
            purpose="上门了解家庭情况",
            first_due_on=TODAY,
        )
        due_home = home.followups.get()
        record = self.visit_record(followup=due_home.pk)
        [first] = self.send(record)
        visit = HomeVisit.objects.get()
        self.assertEqual(first["status"], "saved")
        self.assertEqual(first["message"], "已保存,同时完成上门随访 1 项。")
        self.assertEqual(first["url"], f"/population/visits/{visit.pk}/")
        self.assertEqual(str(visit.client_uuid), record["client_uuid"])
        self.assertEqual(visit.visited_by, self.east_worker)
        due_home.refresh_from_db()
        self.assertEqual(due_home.visit, visit)

        [again] = self.send(record)
        self.assertEqual(again["status"], "duplicate")
        self.assertEqual(again["message"], "这条走访已经保存过,未重复记录。")
        self.assertEqual(HomeVisit.objects.count(), 1)
        self.assertEqual(Event.objects.filter(action="home_visit_recorded").count(), 1)

    @override_settings(MEDIA_ROOT="/tmp/zt-test-media-sync")
    def test_photos_taken_offline_are_stored_with_the_visit_and_bad_ones_say_why(self) -> None:
        photo = {"name": "a.png", "type": "image/png", "data": b64encode(image_bytes()).decode()}
        results = self.send(
            self.visit_record(photos=[photo, photo]),
            self.visit_record(photos=[{**photo, "data": "不是照片"}]),
            self.visit_record(photos="a.png"),
            self.visit_record(photos=[photo] * 10),
        )
        self.assertEqual([r["status"] for r in results], ["saved", "invalid", "invalid", "invalid"])
        self.assertEqual(
            [r["message"] for r in results[1:]],
            ["第 1 张照片数据不正确。", "照片数据不正确。", "每次走访最多上传 9 张照片。"],
        )
        visit = HomeVisit.objects.get()
        self.assertEqual(visit.photos.count(), 1)  # the same picture twice is kept once

    def test_several_records_get_one_answer_each_in_order(self) -> None:
        results = self.send(self.followup_record(), self.visit_record(), "not a record")
        self.assertEqual([r["status"] for r in results], ["saved", "saved", "invalid"])
        self.assertEqual(results[2]["message"], "记录格式不正确。")

    # Conflicts --------------------------------------------------------------------------------

    def test_a_follow_up_done_meanwhile_by_someone_else_is_a_conflict_and_nothing_is_saved(
        self,
    ) -> None:
        actions.followup_complete(
            actor=self.town_worker, followup=self.due, done_on=TODAY, outcome="镇计生办电话随访。"
        )
        [result] = self.send(self.followup_record())
        self.assertEqual(result["status"], "conflict")
        self.assertEqual(
            result["message"], f"这次随访已由刘计生于 {TODAY:%Y-%m-%d} 登记,本条未保存。"
        )
        self.due.refresh_from_db()
        self.assertEqual(self.due.done_by, self.town_worker)
        self.assertIsNone(self.due.client_uuid)
        self.assertEqual(Event.objects.filter(action="followup_done").count(), 1)

    def test_a_stopped_plan_is_a_conflict_with_its_reason(self) -> None:
        actions.followup_plan_stop(actor=self.town_worker, plan=self.phone_plan, reason="已返乡")
        [result] = self.send(self.followup_record())
        self.assertEqual(result["status"], "conflict")
        self.assertEqual(result["message"], "该随访计划已停止(原因:已返乡),本条未保存。")
        self.due.refresh_from_db()
        self.assertEqual(self.due.status, FollowUp.Status.SKIPPED)
        self.assertFalse(FollowUp.objects.filter(status=FollowUp.Status.DONE).exists())

    def test_a_person_who_moved_out_of_the_village_is_a_conflict_for_both_kinds(self) -> None:
        county = OrgUnit.objects.get(pk=self.town.parent_id)
        other_town = make_unit("姜楼镇", "JL", OrgUnit.Kind.TOWN, county)
        south = make_unit("南村", "JL-S", OrgUnit.Kind.VILLAGE, other_town)
        person_transfer(
            actor=self.east_worker, person=self.east_woman, to_unit=south, reason="婚后定居南村"
        )
        results = self.send(self.followup_record(), self.visit_record())
        self.assertEqual([r["status"] for r in results], ["conflict", "conflict"])
        self.assertEqual({r["message"] for r in results}, {MOVED})
        self.assertFalse(FollowUp.objects.filter(status=FollowUp.Status.DONE).exists())
        self.assertFalse(HomeVisit.objects.exists())

    def test_a_visit_whose_home_follow_up_was_done_meanwhile_is_kept_on_its_own(self) -> None:
        home = actions.followup_plan_create(
            actor=self.east_worker,
            person=self.east_woman,
            kind=FollowUpPlan.Kind.HOME,
            interval_days=30,
            purpose="上门了解家庭情况",
            first_due_on=TODAY + datetime.timedelta(days=10),
        )
        due_home = home.followups.get()
        actions.followup_complete(
            actor=self.town_worker, followup=due_home, done_on=TODAY, outcome="镇里上门。"
        )
        [result] = self.send(self.visit_record(followup=due_home.pk))
        self.assertEqual(result["status"], "saved")
        self.assertEqual(
            result["message"],
            f"已保存。这次随访已由刘计生于 {TODAY:%Y-%m-%d} 登记,走访已单独保存。",
        )
        visit = HomeVisit.objects.get()
        self.assertFalse(visit.followups.exists())

    # Boundaries -------------------------------------------------------------------------------

    def test_another_villages_person_by_id_is_refused_audited_and_nothing_is_saved(self) -> None:
        west_plan = actions.followup_plan_create(
            actor=self.west_worker,
            person=self.west_woman,
            kind=FollowUpPlan.Kind.PHONE,
            interval_days=90,
            purpose="电话随访",
            first_due_on=TODAY,
        )
        west_due = west_plan.followups.get()
        before = self.denied_events(self.east_worker)
        results = self.send(
            self.followup_record(followup=west_due.pk),
            self.visit_record(person=self.west_woman.pk),
            self.followup_record(followup=999999),
        )
        self.assertEqual([r["status"] for r in results], ["refused"] * 3)
        self.assertEqual({r["message"] for r in results}, {NOT_YOURS})
        self.assertEqual({r["url"] for r in results}, {""})
        self.assertEqual(self.denied_events(self.east_worker), before + 2)
        self.assertTrue(
            Event.objects.filter(
                actor=self.east_worker, kind=Event.Kind.DENIED, target_id="999999"
            ).exists()
        )
        west_due.refresh_from_db()
        self.assertEqual(west_due.status, FollowUp.Status.SCHEDULED)
        self.assertFalse(HomeVisit.objects.exists())

    def test_a_client_uuid_of_someone_elses_record_is_refused(self) -> None:
        record = self.followup_record()
        self.send(record)
        other = Client()
        other.force_login(self.town_worker)
        [result] = self.send(record, client=other)
        self.assertEqual(result["status"], "refused")
        self.assertEqual(result["message"], "客户端编号已被另一条记录使用,本条未保存。")

    def test_bad_records_say_why_in_chinese_and_save_nothing(self) -> None:
        tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
        results = self.send(
            self.followup_record(done_on=tomorrow),
            self.followup_record(outcome=""),
            self.followup_record(done_on="15/06/2026"),
            self.followup_record(client_uuid="not-a-uuid"),
            self.followup_record(kind="photo"),
            self.visit_record(place=""),
        )
        self.assertEqual([r["status"] for r in results], ["invalid"] * 6)
        self.assertEqual(
            [r["message"] for r in results],
            [
                "随访日期不能晚于今天。",
                "请填写随访情况。",
                "随访日期格式不正确,应为 YYYY-MM-DD。",
                "缺少客户端编号或格式不正确,不能保存。",
                "记录类型不正确(应为随访或走访)。",
                "地点不能为空。",
            ],
        )
        self.assertFalse(FollowUp.objects.filter(status=FollowUp.Status.DONE).exists())
        self.assertFalse(HomeVisit.objects.exists())

    def test_a_body_that_is_not_json_or_has_no_records_is_refused_in_chinese(self) -> None:
        cases = [
            ("{not json", "发送的内容不是有效的 JSON,未保存任何记录。"),
            (json.dumps({"records": []}), "发送的内容缺少记录(records),未保存任何记录。"),
            (json.dumps([1, 2]), "发送的内容缺少记录(records),未保存任何记录。"),
            (
                json.dumps({"records": [self.followup_record()] * 51}),
                "一次最多发送 50 条记录,请分次发送。",
            ),
        ]
        for body, message in cases:
            with self.subTest(body=body[:20]):
                r = self.client.post(URL, body, content_type="application/json")
                self.assertEqual(r.status_code, 400)
                self.assertEqual(r.json(), {"error": message})
        self.assertFalse(FollowUp.objects.filter(status=FollowUp.Status.DONE).exists())

    def test_not_logged_in_or_not_a_village_worker_is_refused_in_json(self) -> None:
        body = json.dumps({"records": [self.followup_record()]})
        anonymous = Client()
        r = anonymous.post(URL, body, content_type="application/json")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json(), {"error": "登录已过期,请重新登录后再发送。"})
        self.assertEqual(anonymous.get(URL).status_code, 401)
        clerk = Client()
        clerk.force_login(self.clerk)
        r = clerk.post(URL, body, content_type="application/json")
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json(), {"error": "只有村级计生专干可以发送离线记录。"})
        self.assertFalse(FollowUp.objects.filter(status=FollowUp.Status.DONE).exists())

    def test_the_post_needs_the_csrf_token_that_the_get_hands_out(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.east_worker)
        body = json.dumps({"records": [self.followup_record()]})
        r = client.post(URL, body, content_type="application/json")
        self.assertEqual(r.status_code, 403)
        self.assertFalse(FollowUp.objects.filter(status=FollowUp.Status.DONE).exists())
        hello = client.get(URL)
        self.assertEqual(hello.json()["user"], "outsider")
        self.assertIn("no-cache", hello["Cache-Control"])
        r = client.post(
            URL,
            body,
            content_type="application/json",
            headers={"X-CSRFToken": hello.json()["csrf_token"]},
        )
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["results"][0]["status"], "saved")


@time_machine.travel(NOW, tick=False)
class OfflinePageTestCase(FollowupTestCase):
    URL = "/population/offline/"

    def plan(self, actor, person, *, due, kind=FollowUpPlan.Kind.PHONE) -> FollowUp:
        plan = actions.followup_plan_create(
            actor=actor,
            person=person,
            kind=kind,
            interval_days=90,
            purpose="随访",
            first_due_on=TODAY,
        )
        followup = plan.followups.get()
        FollowUp.objects.filter(pk=followup.pk).update(due_on=due)
        return followup

    def test_it_lists_the_workers_own_due_follow_ups_with_the_pages_to_keep(self) -> None:
        overdue = self.plan(self.east_worker, self.east_woman, due=TODAY - datetime.timedelta(3))
        home = self.plan(
            self.east_worker,
            self.east_woman,
            due=TODAY + datetime.timedelta(14),
            kind=FollowUpPlan.Kind.HOME,
        )
        later = self.plan(self.east_worker, self.east_woman, due=TODAY + datetime.timedelta(15))
        theirs = self.plan(self.town_worker, self.east_woman, due=TODAY)
        west = self.plan(self.west_worker, self.west_woman, due=TODAY)
        self.client.force_login(self.east_worker)
        r = self.client.get(self.URL)
        self.assertEqual(r.status_code, 200)
        page = r.content.decode()
        self.assertIn(f'href="/population/followups/{overdue.pk}/" data-offline-page', page)
        self.assertIn(f'href="/population/followups/{home.pk}/" data-offline-page', page)
        self.assertIn(
            f'href="/population/visits/new/?person={self.east_woman.pk}&amp;followup={home.pk}"',
            page,
        )
        for hidden in (later, theirs, west):
            self.assertNotIn(f"/population/followups/{hidden.pk}/", page)
        self.assertIn("已超期", page)
        self.assertIn('id="offline-outbox"', page)
        self.assertIn('data-user="outsider"', page)

    def test_its_query_count_does_not_grow_with_the_rows(self) -> None:
        self.client.force_login(self.east_worker)
        self.plan(self.east_worker, self.east_woman, due=TODAY)
        one = self.queries_of(self.URL)
        for _ in range(4):
            self.plan(self.east_worker, self.east_woman, due=TODAY)
        with self.assertNumQueries(one):
            self.assertEqual(self.client.get(self.URL).status_code, 200)

    def test_only_village_workers_open_it(self) -> None:
        self.assertRedirects(
            self.client.get(self.URL), f"/accounts/login/?next={self.URL}", target_status_code=200
        )
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(self.URL).status_code, 403)

    def test_the_follow_up_page_and_the_visit_form_carry_the_offline_queue(self) -> None:
        followup = self.plan(self.east_worker, self.east_woman, due=TODAY)
        self.client.force_login(self.east_worker)
        page = self.client.get(f"/population/followups/{followup.pk}/").content.decode()
        self.assertIn('data-offline-kind="followup"', page)
        self.assertIn(f'data-followup="{followup.pk}"', page)
        self.assertIn("/static/js/offline.js", page)
        form = self.client.get(f"/population/visits/new/?person={self.east_woman.pk}")
        self.assertIn('data-offline-kind="visit"', form.content.decode())


class ServiceWorkerTestCase(FollowupTestCase):
    def test_the_script_is_served_uncached_for_the_whole_site_with_its_file_list(self) -> None:
        r = Client().get("/population/sw.js")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "text/javascript; charset=utf-8")
        self.assertEqual(r["Cache-Control"], "no-cache")
        self.assertEqual(r["Service-Worker-Allowed"], "/")
        self.assertIn("script-src 'self'", r["Content-Security-Policy"])
        first, script = r.content.decode().split("\n", 1)
        config = json.loads(first.removeprefix("self.ZT_OFFLINE = ").removesuffix(";"))
        self.assertEqual(config["imports"][0], "/static/vendor/workbox/workbox-core.prod.js")
        urls = {entry["url"] for entry in config["precache"]}
        self.assertIn("/static/js/offline.js", urls)
        self.assertIn("/static/vendor/idb-keyval.umd.js", urls)
        self.assertTrue(all(len(entry["revision"]) == 16 for entry in config["precache"]))
        self.assertIn("importScripts.apply(self, self.ZT_OFFLINE.imports)", script)
        # No page outside the worker's field pages is ever kept.
        self.assertIn(r"/^\/population\/followups\/\d+\/$/", script)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的并发写入")
def test_the_same_record_sent_at_once_from_several_tabs_is_saved_once() -> None:
    """Eight requests carry the same follow-up and the same visit at the same moment: one of
    each is saved, the others answer "already saved"."""
    from zhengtong.accounts.models import Role
    from zhengtong.population.sync import sync_records
    from zhengtong.test import make_user

    from .test_followups_fixtures import make_person

    town = make_unit("刘集镇", "LIUJI", OrgUnit.Kind.TOWN)
    village = make_unit("东村", "LIUJI-E", OrgUnit.Kind.VILLAGE, town)
    worker = make_user("east_worker", memberships=[(Role.VILLAGE_WORKER, village)])
    person = make_person("张丽", village, seq=1)
    plan = actions.followup_plan_create(
        actor=worker,
        person=person,
        kind=FollowUpPlan.Kind.PHONE,
        interval_days=90,
        purpose="电话随访",
        first_due_on=timezone.localdate(),
    )
    due = plan.followups.get()
    today = timezone.localdate().isoformat()
    records = [
        {
            "client_uuid": str(uuid.uuid4()),
            "kind": "followup",
            "followup": due.pk,
            "done_on": today,
            "outcome": "电话联系本人。",
        },
        {
            "client_uuid": str(uuid.uuid4()),
            "kind": "visit",
            "person": person.pk,
            "visited_on": today,
            "place": "东村 1 号",
            "outcome": "入户了解情况。",
        },
    ]
    threads_count = 8
    start = threading.Barrier(threads_count)
    answers: list[str] = []
    errors: list[BaseException] = []

    def send(record) -> None:
        try:
            start.wait()
            answers.extend(r["status"] for r in sync_records(worker, [record]))
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(records[n % 2],)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(answers) == ["duplicate"] * (threads_count - 2) + ["saved"] * 2
    assert FollowUp.objects.filter(status=FollowUp.Status.DONE).count() == 1
    assert FollowUp.objects.get(client_uuid=records[0]["client_uuid"]).pk == due.pk
    assert HomeVisit.objects.filter(client_uuid=records[1]["client_uuid"]).count() == 1
    assert Event.objects.filter(action="followup_done").count() == 1
    assert Event.objects.filter(action="home_visit_recorded").count() == 1
