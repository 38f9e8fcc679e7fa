"""Every page and endpoint against every role: who gets it, and that nobody else does.

MATRIX lists each URL with the personas that may open it (HTTP 200 on GET). Every other
persona is turned away — sent to the login page, 403 or 404 — and nobody ever gets a server
error. A list page that every holder of a role may open (a clerk of another township opens
their own hall's queue) names in OPEN_LISTS a marker from the fixture's rows: the allowed
personas see it, the others get the page without it. A URL added to the project without a row
here fails `test_every_url_is_listed`, so no page ships without deciding who sees it.
"""

import datetime
import subprocess
from decimal import Decimal

import openpyxl
import time_machine
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver

from zhengtong.audit.actions import record_event
from zhengtong.projects.models import (
    Fund,
    FundAllocation,
    KeyProject,
    Problem,
    ProgressReport,
    Stage,
    WorkTarget,
)
from zhengtong.projects.tests.factories import make_project
from zhengtong.services.actions import (
    application_approve,
    application_supplement,
    leave_record,
    rating_submit,
)
from zhengtong.services.tests.fixtures import CaseTestCase

ANON = "anonymous"
PERSONAS = [
    ANON,
    "leader",
    "office",
    "liaison",
    "other_liaison",
    "auditor",
    "admin",
    "clerk",
    "outsider",
    "clerk_a",
    "other_clerk",
]
PROJECT_VIEWERS = {"leader", "office", "liaison"}
ZONE = {"leader", "office"}
HALL = {"clerk_a"}
PUBLIC = set(PERSONAS)
STAFF = set(PERSONAS) - {ANON}

# URL name → (path template, personas that get 200). {project} etc. are filled in setUp.
MATRIX: dict[str, tuple[str, set[str]]] = {
    "home": ("/", STAFF),
    "accounts:login": ("/accounts/login/", {ANON}),
    "accounts:password_change": ("/accounts/password/", STAFF),
    "audit:event_list": ("/audit/", {"auditor"}),
    "audit:event_detail": ("/audit/{event}/", {"auditor"}),
    "workdays:year_list": ("/workdays/", {"admin"}),
    "projects:project_list": ("/projects/", PROJECT_VIEWERS),
    "projects:my_projects": ("/projects/mine/", {"leader"}),
    "projects:project_create": ("/projects/new/", {"office"}),
    "projects:project_detail": ("/projects/{project}/", PROJECT_VIEWERS),
    "projects:project_edit": ("/projects/{project}/edit/", {"office"}),
    "projects:project_stage": ("/projects/{project}/stage/", {"office"}),
    "projects:project_leaders": ("/projects/{project}/leaders/", {"office"}),
    "projects:project_history": ("/projects/{project}/history/", PROJECT_VIEWERS),
    "projects:report_create": ("/projects/{project}/reports/new/", {"office", "liaison"}),
    "projects:milestone_edit": ("/projects/{project}/milestones/", {"office"}),
    "projects:problem_create": ("/projects/{project}/problems/new/", {"office", "liaison"}),
    "projects:problem_list": ("/projects/problems/", PROJECT_VIEWERS),
    "projects:problem_detail": ("/projects/problems/{problem}/", PROJECT_VIEWERS),
    "projects:problem_resolve": ("/projects/problems/{problem}/resolve/", {"office", "leader"}),
    "projects:fund_list": ("/projects/funds/", ZONE),
    "projects:fund_detail": ("/projects/funds/{fund}/", ZONE),
    "projects:allocation_create": ("/projects/funds/{fund}/allocate/", {"office"}),
    "projects:disbursement_create": ("/projects/allocations/{allocation}/disburse/", {"office"}),
    "projects:works_list": ("/projects/works/", PROJECT_VIEWERS),
    "projects:works_detail": ("/projects/works/{works}/", PROJECT_VIEWERS),
    "projects:quantity_create": ("/projects/targets/{target}/record/", {"office", "liaison"}),
    "projects:cockpit": ("/projects/cockpit/", ZONE),
    "projects:cockpit_data": ("/projects/cockpit/data/", ZONE),
    "projects:ledger_export": ("/projects/ledger/export/", PROJECT_VIEWERS),
    "projects:ledger_import": ("/projects/ledger/import/", {"office"}),
    "service_reports:weekly": ("/services/reports/weekly/?week=2026-W47", HALL),
    "service_reports:weekly_pdf": ("/services/reports/weekly/pdf/?week=2026-W47", HALL),
    "service_reports:ranking": ("/services/reports/ranking/?month=2026-11", HALL),
    "services:application_list": ("/services/?scope=all", HALL),
    "services:application_create": ("/services/new/", HALL),
    "services:service_notice_preview": ("/services/new/service-notice.pdf?item=TEST5", HALL),
    "services:leave_list": ("/services/leave/", HALL),
    "services:leave_create": ("/services/leave/new/", HALL),
    "services:duty_roster": ("/services/duty/", HALL),
    "services:duty_remove": ("/services/duty/{duty}/remove/", set()),
    "services:rectification_list": ("/services/rectifications/", HALL),
    "services:rectification_close": ("/services/rectifications/{rectification}/close/", HALL),
    "services:application_detail": ("/services/{receipt}/", HALL),
    "services:application_supplement": ("/services/{receipt}/supplement/", set()),
    "services:application_request_correction": ("/services/{receipt}/correction/", set()),
    "services:application_handover": ("/services/{receipt}/handover/", set()),
    "services:application_approve": ("/services/{receipt}/approve/", set()),
    "services:application_refuse": ("/services/{receipt}/refuse/", set()),
    "services:application_withdraw": ("/services/{receipt}/withdraw/", set()),
    "services:notice_pdf": ("/services/{receipt}/notices/{notice}.pdf", HALL),
    "services:service_notice_pdf": ("/services/{receipt}/service-notice.pdf", HALL),
    "services:certificate_pdf": ("/services/{receipt}/certificate.pdf", HALL),
    "services:receipt_pdf": ("/services/{receipt}/receipt.pdf", HALL),
    "public_projects:project_list": ("/public/projects/", PUBLIC),
    "public_projects:project_detail": ("/public/projects/{project_code}/", PUBLIC),
    "public:guide_list": ("/public/guide/", PUBLIC),
    "public:guide_detail": ("/public/guide/TEST5/", PUBLIC),
    "public:lookup": ("/public/lookup/", PUBLIC),
    "public:duty": ("/public/duty/", PUBLIC),
    "public:disclosure": ("/public/disclosure/?month=2026-11", PUBLIC),
    "api_project_list": ("/api/v1/projects/", PROJECT_VIEWERS),
    "api_project_summary": ("/api/v1/projects/summary/", PROJECT_VIEWERS),
    "api_project_oc4ids": ("/api/v1/projects/oc4ids/", PROJECT_VIEWERS),
    "api_project_detail": ("/api/v1/projects/{project}/", PROJECT_VIEWERS),
    "api_service_items": ("/api/v1/services/items/", PUBLIC),
    "api_application_detail": ("/api/v1/services/applications/{receipt}/", HALL),
}

# List pages open to every holder of the role, with the text that only the allowed see.
OPEN_LISTS = {
    "projects:project_list": "{project_name}",
    "projects:problem_list": "征地手续",
    "projects:works_list": "{project_name}",
    "projects:ledger_export": "{project_code}",
    "service_reports:weekly": "张敏",
    "service_reports:weekly_pdf": "张敏",
    "service_reports:ranking": "张敏",
    "services:application_list": "{receipt}",
    "services:leave_list": "探亲",
    "services:duty_roster": "3号窗口",
    "services:rectification_list": "{receipt}",
    "api_project_list": "{project_code}",
    "api_project_summary": '"count":1',
    "api_project_oc4ids": "{project_code}",
}
# Forms every window clerk opens for their own hall; nothing of another hall is on them.
OWN_HALL_FORMS = {
    "services:application_create",
    "services:service_notice_preview",
    "services:leave_create",
}

# Reached by POST only, or public endpoints whose GET needs parameters; their permission
# tests live beside them (the API and public lookup tests).
POST_ONLY_OR_PARAMETERISED = {
    "accounts:logout",
    "public:lookup_json",
    "public:rate",
    "api_report_create",
    "api_application_create",
    "api_service_lookup",
}
NOT_PAGES = {"api_schema", "api_docs", ""}


def url_names() -> set[str]:
    names = set()

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}:{p.namespace}".strip(":") if p.namespace else ns
                if inner == "admin":
                    continue
                walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern):
                names.add(f"{ns}:{p.name}".strip(":") if p.name else "")

    walk(get_resolver().url_patterns)
    return names


@time_machine.travel("2026-11-20 10:00 +0800", tick=False)
class PermissionMatrixTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(
            "KP-M-1",
            cls.company,
            stage=Stage.UNDER_CONSTRUCTION,
            category=KeyProject.Category.URBAN,
            leaders=[cls.leader],
        )
        ProgressReport.objects.create(
            project=cls.project,
            month=datetime.date(2026, 10, 1),
            investment=Decimal("1000"),
            physical_progress=Decimal("10"),
            submitted_by=cls.liaison,
        )
        cls.problem = Problem.objects.create(
            project=cls.project,
            title="征地手续",
            owning_unit=cls.dept,
            raised_by=cls.liaison,
            raised_on=datetime.date(2026, 11, 2),
            deadline_workdays=5,
            due_on=datetime.date(2026, 11, 9),
        )
        cls.fund = Fund.objects.create(
            code="F1", name="科技研发扶持基金", budget=Decimal("1000000")
        )
        cls.allocation = FundAllocation.objects.create(
            fund=cls.fund, project=cls.project, amount=Decimal("1000"), decided_on="2026-03-01"
        )
        cls.target = WorkTarget.objects.create(
            project=cls.project, measure=WorkTarget.Measure.ROAD_KM, planned_quantity=Decimal("3")
        )

    def setUp(self) -> None:
        super().setUp()
        application = self.intake(materials=["id"])
        notice = application.notices.first()
        application = application_supplement(
            actor=self.clerk_a, application=application, materials=["hukou"]
        )
        application = application_approve(actor=self.clerk_a, application=application)
        rating = rating_submit(application=application, level=1, comment="太慢")
        from zhengtong.services.actions import duty_assign

        duty = duty_assign(
            actor=self.clerk_a, day=datetime.date(2026, 11, 20), post=self.post, user=self.clerk_a
        )
        leave_record(
            actor=self.clerk_a,
            user=self.clerk_a,
            start_on=datetime.date(2026, 12, 1),
            end_on=datetime.date(2026, 12, 3),
            reason="探亲",
        )
        event = record_event(actor=self.office, action="matrix_probe", target=self.project)
        self.values = {
            "project": self.project.pk,
            "project_code": self.project.code,
            "project_name": self.project.name,
            "problem": self.problem.pk,
            "fund": self.fund.pk,
            "allocation": self.allocation.pk,
            "works": self.project.pk,
            "target": self.target.pk,
            "event": event.pk,
            "receipt": application.receipt_no,
            "notice": notice.pk,
            "rectification": rating.rectification.pk,
            "duty": duty.pk,
        }

    def persona(self, name):
        return None if name == ANON else getattr(self, name)

    def test_every_url_is_listed(self) -> None:
        missing = url_names() - set(MATRIX) - POST_ONLY_OR_PARAMETERISED - NOT_PAGES
        self.assertEqual(missing, set(), "URLs without a permission row")

    def test_each_persona_gets_exactly_the_pages_of_its_role(self) -> None:
        for name, (template, allowed) in MATRIX.items():
            url = template.format(**self.values)
            marker = OPEN_LISTS.get(name, "").format(**self.values)
            for persona in PERSONAS:
                with self.subTest(url=name, persona=persona):
                    self.client.logout()
                    user = self.persona(persona)
                    if user is not None:
                        self.client.force_login(user)
                    r = self.client.get(url)
                    if persona in allowed:
                        self.assertEqual(r.status_code, 200)
                        if marker:
                            self.assertIn(marker, text_of(r))
                    elif r.status_code == 200 and marker:
                        self.assertNotIn(marker, text_of(r))
                    elif r.status_code == 200 and name in OWN_HALL_FORMS:
                        self.assertEqual(persona, "other_clerk")
                    else:
                        self.assertIn(r.status_code, (302, 401, 403, 404, 405))


def text_of(response: HttpResponse) -> str:
    """What a person reads in the response: page text, PDF text or spreadsheet cells."""
    content = b"".join(response) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return subprocess.run(
            ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
    if "spreadsheetml" in kind:
        import io

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return content.decode().replace(" ", "")
