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

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.actions import record_event
from zhengtong.livelihood import models as lv
from zhengtong.notify.models import Message
from zhengtong.people.models import Household, HouseholdMember
from zhengtong.people.tests.fixtures import RegistryTestCase
from zhengtong.population import models as pop
from zhengtong.projects.models import (
    Fund,
    FundAllocation,
    InvestmentLead,
    KeyProject,
    Problem,
    ProgressReport,
    RelocationEntry,
    RelocationProgramme,
    Stage,
    WorkTarget,
)
from zhengtong.projects.tests.factories import make_project
from zhengtong.reports.files import scope_key
from zhengtong.reports.models import ReportFile
from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.handling import application_supplement
from zhengtong.services.actions.leave import leave_record
from zhengtong.services.actions.ratings import rating_submit
from zhengtong.services.models import OnlineApplication
from zhengtong.services.tests.fixtures import CaseTestCase
from zhengtong.test import make_unit, make_user
from zhengtong.welfare import models as wf

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
    "east_worker",
    "west_worker",
    "town_worker",
    "civil_clerk",
]
PROJECT_VIEWERS = {"leader", "office", "liaison"}
ZONE = {"leader", "office"}
HALL = {"clerk_a"}
# The fixture's population rows are in 东村: its workers (outsider is one too) and the
# township's 计生办 see them; 西村's worker and everyone else do not.
EAST = {"outsider", "east_worker", "town_worker"}
# Livelihood ledgers are kept by 社会事业局 (clerk), welfare by 民政局 (civil_clerk); the zone's
# leader reads both and changes neither.
SOCIAL = {"clerk", "leader"}
CIVIL = {"civil_clerk", "leader"}
PUBLIC = set(PERSONAS)
STAFF = set(PERSONAS) - {ANON}

# URL name → (path template, personas that get 200). {project} etc. are filled in setUp.
MATRIX: dict[str, tuple[str, set[str]]] = {
    "home": ("/", STAFF),
    "accounts:login": ("/accounts/login/", {ANON}),
    "accounts:password_change": ("/accounts/password/", STAFF),
    "accounts:otp_setup": ("/accounts/otp/", STAFF),
    "accounts:otp_verify": ("/accounts/otp/verify/", STAFF),
    "accounts:token_list": ("/accounts/tokens/", STAFF),
    "accounts:org_import": ("/accounts/imports/org/", {"admin"}),
    "accounts:org_import_template": ("/accounts/imports/org/template/", {"admin"}),
    "accounts:users_import": ("/accounts/imports/users/", {"admin"}),
    "accounts:users_import_template": ("/accounts/imports/users/template/", {"admin"}),
    "accounts:posts_import": ("/accounts/imports/posts/", {"admin"}),
    "accounts:posts_import_template": ("/accounts/imports/posts/template/", {"admin"}),
    "audit:event_list": ("/audit/", {"auditor"}),
    "audit:event_detail": ("/audit/{event}/", {"auditor"}),
    "workdays:year_list": ("/workdays/", {"admin"}),
    "workdays:notice_entry": ("/workdays/enter/", {"admin"}),
    "jobs:job_list": ("/jobs/", {"admin"}),
    "notify:message_list": ("/notify/", STAFF),
    "notify:message_detail": ("/notify/{message}/", {"clerk_a"}),
    "notify:outbox": ("/notify/outbox/", {"admin"}),
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
    "projects:lead_list": ("/projects/leads/", ZONE),
    "projects:lead_create": ("/projects/leads/new/", {"office"}),
    "projects:lead_detail": ("/projects/leads/{lead}/", ZONE),
    "projects:lead_advance": ("/projects/leads/{lead}/advance/", {"office"}),
    "projects:lead_terminate": ("/projects/leads/{lead}/terminate/", {"office"}),
    "projects:works_list": ("/projects/works/", PROJECT_VIEWERS),
    "projects:works_detail": ("/projects/works/{works}/", PROJECT_VIEWERS),
    "projects:quantity_create": ("/projects/targets/{target}/record/", {"office", "liaison"}),
    "projects:relocation_list": ("/projects/relocation/", ZONE),
    "projects:relocation_create": ("/projects/relocation/new/", {"office"}),
    "projects:relocation_detail": ("/projects/relocation/{programme}/", ZONE),
    "projects:relocation_record": ("/projects/relocation/{programme}/record/", {"office"}),
    "projects:relocation_correct": (
        "/projects/relocation/entries/{relocation_entry}/correct/",
        {"office"},
    ),
    "projects:cockpit": ("/projects/cockpit/", ZONE),
    "projects:cockpit_data": ("/projects/cockpit/data/", ZONE),
    "projects:monthly_report": ("/projects/monthly-report/", ZONE),
    "projects:monthly_report_pdf": ("/projects/monthly-report/pdf/", ZONE),
    "projects:ledger_export": ("/projects/ledger/export/", PROJECT_VIEWERS),
    "projects:ledger_import": ("/projects/ledger/import/", {"office"}),
    "projects:list_index": ("/projects/lists/", {"office"}),
    "projects:list_detail": ("/projects/lists/{project_list}/", {"office"}),
    "projects:list_carry_over": ("/projects/lists/{project_list}/carry-over/", {"office"}),
    "service_reports:weekly": ("/services/reports/weekly/?week=2026-W47", HALL),
    "service_reports:weekly_pdf": ("/services/reports/weekly/pdf/?week=2026-W47", HALL),
    "service_reports:ranking": ("/services/reports/ranking/?month=2026-11", HALL),
    "service_reports:ratings": ("/services/reports/ratings/?month=2026-11", HALL),
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
    "services:online_queue": ("/services/online/", HALL),
    "services:online_detail": ("/services/online/{online}/", HALL),
    "services:online_take": ("/services/online/{online}/take/", set()),
    "services:online_decline": ("/services/online/{online}/decline/", set()),
    "services:notice_delivery_create": ("/services/{receipt}/deliveries/new/", HALL),
    "services:application_supplement": ("/services/{receipt}/supplement/", set()),
    "services:application_request_correction": ("/services/{receipt}/correction/", set()),
    "services:application_handover": ("/services/{receipt}/handover/", set()),
    "services:application_approve": ("/services/{receipt}/approve/", set()),
    "services:application_refuse": ("/services/{receipt}/refuse/", set()),
    "services:application_withdraw": ("/services/{receipt}/withdraw/", set()),
    "services:application_sms_optout": ("/services/{receipt}/sms-optout/", set()),
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
    "public:verify": ("/public/verify/", PUBLIC),
    "public:disclosure": ("/public/disclosure/?month=2026-11", PUBLIC),
    "public:online_index": ("/public/online/", PUBLIC),
    "public:online_apply": ("/public/online/TEST5/", PUBLIC),
    "public:online_status": ("/public/online/status/", PUBLIC),
    "public_sms:optout": ("/public/sms/optout/", PUBLIC),
    "public_caifeng:weekly_list": ("/public/caifeng/", PUBLIC),
    "api_project_list": ("/api/v1/projects/", PROJECT_VIEWERS),
    "api_project_summary": ("/api/v1/projects/summary/", PROJECT_VIEWERS),
    "api_project_oc4ids": ("/api/v1/projects/oc4ids/", PROJECT_VIEWERS),
    "api_project_oc4ids_public": ("/api/v1/projects/oc4ids/public/", PUBLIC),
    "api_project_detail": ("/api/v1/projects/{project}/", PROJECT_VIEWERS),
    "api_service_items": ("/api/v1/services/items/", PUBLIC),
    "open311_services": ("/api/v1/open311/services.json", PUBLIC),
    "open311_requests": ("/api/v1/open311/requests.json", PUBLIC),
    "population:person_list": ("/population/", EAST),
    "population:person_create": ("/population/persons/new/", EAST | {"west_worker"}),
    "population:person_detail": ("/population/persons/{person}/", EAST),
    "population:person_edit": ("/population/persons/{person}/edit/", EAST),
    "population:person_merge": ("/population/persons/{person}/merge/", EAST),
    "population:transfer_create": ("/population/persons/{person}/transfer/", EAST),
    "population:floating_create": ("/population/persons/{person}/floating/new/", EAST),
    "population:transfer_list": ("/population/transfers/", EAST | {"west_worker"}),
    "population:household_list": ("/population/households/", EAST),
    "population:household_create": ("/population/households/new/", EAST | {"west_worker"}),
    "population:household_detail": ("/population/households/{household}/", EAST),
    "population:household_edit": ("/population/households/{household}/edit/", EAST),
    "people:household_export": ("/people/households/{household}/export/", EAST),
    "population:floating_list": ("/population/floating/", EAST),
    "population:floating_overdue": ("/population/floating/overdue/", EAST),
    "population:floating_detail": ("/population/floating/{floating}/", EAST),
    "population:worklist": ("/population/work/?list=area", EAST),
    "population:followup_plan_create": ("/population/persons/{person}/followups/new/", EAST),
    "population:followup_detail": ("/population/followups/{followup}/", EAST),
    "population:pregnancy_create": ("/population/persons/{person}/pregnancies/new/", EAST),
    "population:pregnancy_detail": ("/population/pregnancies/{pregnancy}/", EAST),
    "population:preconception_create": ("/population/persons/{person}/preconception/new/", EAST),
    "population:preconception_detail": ("/population/preconception/{preconception}/", EAST),
    "population:contraception_list": ("/population/contraception/", EAST),
    "population:contraception_detail": ("/population/contraception/{report}/", EAST),
    "population:campaign_list": ("/population/campaigns/", EAST),
    "population:campaign_create": ("/population/campaigns/new/", EAST | {"west_worker"}),
    "population:campaign_detail": ("/population/campaigns/{campaign}/", EAST),
    "population:campaign_targets": ("/population/campaigns/{campaign}/targets/", EAST),
    "population:clinic_list": ("/population/clinics/", EAST),
    "population:clinic_create": ("/population/clinics/new/", EAST | {"west_worker"}),
    "population:clinic_detail": ("/population/clinics/{clinic}/", EAST),
    "population:clinic_attendee_add": ("/population/clinics/{clinic}/attendees/new/", EAST),
    "population:visit_list": ("/population/visits/", EAST),
    "population:visit_create": ("/population/visits/new/", EAST | {"west_worker"}),
    # Field work offline: every village worker has the page and the sync endpoint (scoped
    # inside); the service worker script holds no data and is public.
    "population:offline": ("/population/offline/", EAST | {"west_worker"}),
    "population:sync": ("/population/sync/", EAST | {"west_worker"}),
    "population:service_worker": ("/population/sw.js", PUBLIC),
    "population:visit_detail": ("/population/visits/{visit}/", EAST),
    "population:referral_list": ("/population/referrals/", EAST),
    "population:referral_detail": ("/population/referrals/{referral}/", EAST),
    "population:assistance_list": ("/population/assistance/", EAST),
    "population:assistance_create": ("/population/assistance/new/", EAST | {"west_worker"}),
    "population:pairing_list": ("/population/pairings/", EAST),
    "population:pairing_create": ("/population/pairings/new/", EAST | {"west_worker"}),
    "population:pairing_detail": ("/population/pairings/{pairing}/", EAST),
    # 文明家庭: every village worker of 刘集镇 sees the township's campaign; the nominations are
    # 东村's; the township's 计生办 opens campaigns, evaluates and decides.
    "population:family_campaign_list": ("/population/families/", EAST | {"west_worker"}),
    "population:family_campaign_create": ("/population/families/new/", {"town_worker"}),
    "population:family_nomination_list": ("/population/families/nominations/", EAST),
    "population:family_nominate": (
        "/population/families/nominate/?household={household}",
        EAST,
    ),
    "population:family_nomination_detail": (
        "/population/families/nominations/{nomination}/",
        EAST,
    ),
    "population:family_evaluate": (
        "/population/families/nominations/{nomination}/evaluate/",
        {"town_worker"},
    ),
    "population:family_decide": (
        "/population/families/nominations/{nomination}/decide/",
        {"town_worker"},
    ),
    "public_families:family_list": ("/public/families/", PUBLIC),
    "population:import_list": ("/population/imports/", EAST | {"west_worker"}),
    # 计生采风 is the township 计生办's: a village's worker and the zone's staff have no township.
    "population:weekly_list": ("/population/caifeng/", {"town_worker"}),
    "population:weekly_create": ("/population/caifeng/new/", {"town_worker"}),
    "population:weekly_detail": ("/population/caifeng/{weekly}/", {"town_worker"}),
    "population:weekly_edit": ("/population/caifeng/{weekly}/edit/", {"town_worker"}),
    "population:import_template": (
        "/population/imports/template/persons.xlsx",
        EAST | {"west_worker"},
    ),
    "population:import_detail": ("/population/imports/{job}/", EAST),
    "api_person_detail": ("/api/v1/population/persons/{person}/", EAST),
    "livelihood:index": ("/livelihood/", SOCIAL | {"civil_clerk"}),
    "livelihood:employment_list": ("/livelihood/employment/", SOCIAL),
    "livelihood:employment_create": ("/livelihood/employment/new/", {"clerk"}),
    "livelihood:employment_import": ("/livelihood/employment/import/", {"clerk"}),
    "livelihood:employment_import_template": (
        "/livelihood/employment/import/template.xlsx",
        {"clerk"},
    ),
    "livelihood:employment_detail": ("/livelihood/employment/{employment}/", SOCIAL),
    "livelihood:unemployment_list": ("/livelihood/unemployment/", SOCIAL),
    "livelihood:unemployment_create": ("/livelihood/unemployment/new/", {"clerk"}),
    "livelihood:insurance_list": ("/livelihood/insurance/", SOCIAL),
    "livelihood:insurance_record": ("/livelihood/insurance/new/", {"clerk"}),
    "livelihood:loan_list": ("/livelihood/loans/", SOCIAL),
    "livelihood:loan_create": ("/livelihood/loans/new/", {"clerk"}),
    "livelihood:loan_detail": ("/livelihood/loans/{loan}/", SOCIAL),
    "livelihood:internship_list": ("/livelihood/internships/", SOCIAL),
    "livelihood:internship_create": ("/livelihood/internships/new/", {"clerk"}),
    "livelihood:internship_detail": ("/livelihood/internships/{internship}/", SOCIAL),
    "livelihood:training_list": ("/livelihood/training/", SOCIAL),
    "livelihood:training_create": ("/livelihood/training/new/", {"clerk"}),
    "livelihood:training_detail": ("/livelihood/training/{training}/", SOCIAL),
    "livelihood:training_update": ("/livelihood/training/{training}/edit/", {"clerk"}),
    "livelihood:trainee_update": ("/livelihood/trainees/{trainee}/", {"clerk"}),
    "livelihood:school_list": ("/livelihood/schools/", SOCIAL),
    "livelihood:school_create": ("/livelihood/schools/new/", {"clerk"}),
    "livelihood:school_detail": ("/livelihood/schools/{school}/", SOCIAL),
    "livelihood:school_edit": ("/livelihood/schools/{school}/edit/", {"clerk"}),
    "livelihood:inspection_create": ("/livelihood/schools/{school}/inspect/", {"clerk"}),
    "livelihood:inspection_list": ("/livelihood/inspections/", SOCIAL),
    "livelihood:inspection_detail": ("/livelihood/inspections/{inspection}/", SOCIAL),
    "livelihood:inspection_notice": ("/livelihood/inspections/{inspection}/notice.pdf", SOCIAL),
    "livelihood:kindergarten_campaign_list": ("/livelihood/kindergartens/", SOCIAL),
    "livelihood:kindergarten_campaign_create": ("/livelihood/kindergartens/new/", {"clerk"}),
    "livelihood:kindergarten_campaign_detail": (
        "/livelihood/kindergartens/{kg_campaign}/",
        SOCIAL,
    ),
    "welfare:index": ("/welfare/", CIVIL),
    "welfare:assessment_list": ("/welfare/assessments/", CIVIL),
    "welfare:assessment_create": ("/welfare/assessments/new/", {"civil_clerk"}),
    "welfare:assessment_detail": ("/welfare/assessments/{assessment}/", CIVIL),
    "welfare:status_list": ("/welfare/status/", CIVIL),
    "welfare:status_edit": ("/welfare/status/edit/", {"civil_clerk"}),
    "welfare:status_import": ("/welfare/status/import/", {"civil_clerk"}),
    "welfare:status_import_template": ("/welfare/status/import/template.xlsx", {"civil_clerk"}),
    "welfare:eligibility_check": ("/welfare/eligibility/", CIVIL),
    "welfare:cycle_list": ("/welfare/cycles/", CIVIL),
    "welfare:cycle_detail": ("/welfare/cycles/{cycle}/", CIVIL),
    "welfare:census_list": ("/welfare/census/", CIVIL),
    "welfare:census_detail": ("/welfare/census/{census}/", CIVIL),
    "welfare:batch_list": ("/welfare/relief/", CIVIL),
    "welfare:batch_detail": ("/welfare/relief/{batch}/", CIVIL),
    "reports:cockpit": ("/reports/cockpit/", {"leader"}),
    "reports:cockpit_data": ("/reports/cockpit/data/", {"leader"}),
    "reports:work_report": ("/reports/work-report/?year=2026", {"leader"}),
    "reports:report_file": ("/reports/files/{report_file}/", {"leader"}),
    "reports:work_report_text": ("/reports/work-report/text/?year=2026", {"leader"}),
    "livelihood_summary_api": ("/api/v1/livelihood/summary/?year=2026", SOCIAL | {"civil_clerk"}),
    "api_application_detail": ("/api/v1/services/applications/{receipt}/", HALL),
}

# List pages open to every holder of the role, with the text that only the allowed see.
OPEN_LISTS = {
    "projects:project_list": "{project_name}",
    "projects:problem_list": "征地手续",
    "projects:works_list": "{project_name}",
    "projects:relocation_list": "蒋官屯片区城中村改造",
    "projects:ledger_export": "{project_code}",
    "service_reports:weekly": "张敏",
    "service_reports:weekly_pdf": "张敏",
    "service_reports:ranking": "张敏",
    "service_reports:ratings": "3号窗口",
    "services:application_list": "{receipt}",
    "services:leave_list": "探亲",
    "services:duty_roster": "3号窗口",
    "services:rectification_list": "{receipt}",
    "services:online_queue": "{online_receipt}",
    "api_project_list": "{project_code}",
    "api_project_summary": '"count":1',
    "api_project_oc4ids": "{project_code}",
    "api_project_oc4ids_public": "{project_code}",
    "population:person_list": "{masked_id}",
    "population:household_list": "东村8号",
    "population:floating_list": "{person_name}",
    "population:floating_overdue": "{person_name}",
    "population:worklist": "{person_name}",
    "population:contraception_list": "{person_name}",
    "population:campaign_list": "东村春季查体",
    "population:clinic_list": "东村义诊点",
    "population:visit_list": "{person_name}",
    "population:referral_list": "{person_name}",
    "population:assistance_list": "{person_name}",
    "population:pairing_list": "{person_name}",
    "population:family_campaign_list": "刘集镇2026年文明家庭创建",
    "population:family_nomination_list": "东村8号",
    "population:import_list": "persons",
    "api_person_list": "{masked_id}",
    "livelihood:employment_list": "鲁西化工集团",
    "livelihood:unemployment_list": "1234",
    "livelihood:insurance_list": "工伤保险",
    "livelihood:loan_list": "鲜花电商创业",
    "livelihood:internship_list": "开发区见习基地甲",
    "livelihood:training_list": "电工技能培训班",
    "livelihood:school_list": "东城实验小学",
    "livelihood:inspection_list": "东城实验小学",
    "livelihood:kindergarten_campaign_list": "无证园清理行动",
    "livelihood:index": "",
}
# Forms every window clerk opens for their own hall; nothing of another hall is on them.
OWN_HALL_FORMS = {
    "services:application_create",
    "services:service_notice_preview",
    "services:leave_create",
}
# ... and forms every village worker opens for their own villages.
OWN_VILLAGE_FORMS = {
    "population:person_create",
    "population:household_create",
    "population:campaign_create",
    "population:clinic_create",
    "population:visit_create",
    "population:assistance_create",
    "population:pairing_create",
    "population:import_template",
}
# Entry pages that send the allowed on to the module's first list.
REDIRECT_PAGES = {"welfare:index", "accounts:otp_verify"}
# Overview pages every department clerk opens, each showing its own department's figures.
OWN_DEPARTMENT_PAGES = {"livelihood:index", "livelihood_summary_api"}

# Reached by POST only, or public endpoints whose GET needs parameters; their permission
# tests live beside them (the API and public lookup tests).
POST_ONLY_OR_PARAMETERISED = {
    "projects:list_approve",
    "projects:report_check",
    "jobs:retry",  # zhengtong/jobs/tests/test_views.py
    # The PDF job: POST, and the file once made (zhengtong/reports/tests/test_pdf_job.py).
    "reports:work_report_pdf",
    "reports:report_file_retry",
    "reports:report_file_download",
    "jobs:cancel",
    "notify:mark_all_read",  # zhengtong/notify/tests/test_pages.py
    "accounts:logout",
    "accounts:token_revoke",
    "public:lookup_json",
    "health:health",  # 200 or 503 by the state of the checks: zhengtong/health/tests
    "public:rate",
    "api_report_create",
    "api_application_create",
    "api_person_list",
    "api_person_search",
    "api_service_lookup",
    "population:household_member_add",
    "population:household_member_remove",
    "population:floating_certificate",
    "population:floating_end",
    "population:floating_call",
    "population:person_call",
    "population:followup_complete",
    "population:followup_skip",
    "population:followup_plan_stop",
    "population:pregnancy_delivery",
    "population:pregnancy_referral",
    "population:preconception_record",
    "population:maternal_visit_done",
    "population:contraception_receive",
    "population:contraception_verify",
    "population:campaign_sync",
    "population:campaign_attend",
    "population:clinic_held",
    "population:referral_create",
    "population:referral_close",
    "population:pairing_visit",
    "population:pairing_end",
    "population:import_run",
    "population:import_cancel",
    "population:import_retry",
    "api_pregnancy_create",
    "api_pregnancy_delivery",
    "livelihood:loan_approve",
    "livelihood:loan_reject",
    "livelihood:loan_disburse",
    "livelihood:loan_repay",
    "livelihood:loan_close",
    "livelihood:inspection_close",
    "livelihood:hazard_rectify",
    "livelihood:hazard_verify",
    "livelihood:kindergarten_campaign_close",
    "livelihood:kindergarten_dispose",
    "livelihood:kindergarten_create",
    "welfare:cycle_approve",
    "welfare:payment_add",
    "welfare:payment_remove",
    "welfare:batch_approve",
    "welfare:grant_add",
    "welfare:grant_remove",
    "population:weekly_submit",
    "population:weekly_approve",
    "population:weekly_return",
    # Needs an uploaded photo; its village boundary is tested in population/tests/test_visits.py.
    "population:visit_photo",
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
class PermissionMatrixTestCase(CaseTestCase, RegistryTestCase):
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
        cls.programme = RelocationProgramme.objects.create(
            org_unit=cls.zone,
            kind=RelocationProgramme.Kind.URBAN_VILLAGE,
            name="蒋官屯片区城中村改造",
            villages="蒋官屯村",
            households=100,
            housing_units=120,
            created_by=cls.office,
        )
        cls.relocation_entry = RelocationEntry.objects.create(
            programme=cls.programme,
            recorded_on=datetime.date(2026, 11, 2),
            signed=10,
            created_by=cls.office,
        )
        cls.lead = InvestmentLead.objects.create(
            company="矩阵新能源有限公司",
            sector=cls.project.sector,
            intended_investment=Decimal("50000000"),
            source=InvestmentLead.Source.GOING_OUT,
            org_unit=cls.zone,
            owner=cls.leader,
            contacted_on=datetime.date(2026, 9, 1),
            created_by=cls.office,
        )
        cls.make_population_rows()
        cls.make_livelihood_rows()

    @classmethod
    def make_livelihood_rows(cls) -> None:
        """One row of each ledger: livelihood kept by 社会事业局, welfare by 民政局."""
        cls.civil_bureau = make_unit("民政局", "ZONE-MZJ", OrgUnit.Kind.DEPARTMENT, cls.zone)
        cls.civil_clerk = make_user(
            "civil_clerk", full_name="民政经办", memberships=[(Role.DEPT_CLERK, cls.civil_bureau)]
        )
        social, person, day = cls.social, cls.east_person, datetime.date(2026, 10, 12)
        cls.employment = lv.EmploymentRecord.objects.create(
            person=person,
            org_unit=social,
            kind=lv.EmploymentRecord.Kind.NEW_URBAN,
            employed_on=day,
            employer="鲁西化工集团",
            created_by=cls.clerk,
        )
        lv.UnemploymentFigure.objects.create(
            org_unit=social,
            period=datetime.date(2026, 10, 1),
            registered_unemployed=1234,
            labour_force=100000,
            created_by=cls.clerk,
        )
        lv.InsuranceDrive.objects.create(
            org_unit=social,
            year=2026,
            insurance=lv.InsuranceDrive.Insurance.INJURY,
            enrol_target=4321,
            enrolled=4000,
            collect_target=Decimal("1000000.00"),
            collected=Decimal("900000.00"),
            as_of=day,
            created_by=cls.clerk,
        )
        cls.loan = lv.Loan.objects.create(
            borrower=person,
            org_unit=social,
            business="鲜花电商创业",
            amount_requested=Decimal("100000"),
            guarantor="开发区担保中心",
            submitted_on=day,
            created_by=cls.clerk,
        )
        cls.internship = lv.InternshipBase.objects.create(
            name="开发区见习基地甲", employer="中通客车", org_unit=social, applied_on=day
        )
        cls.training = lv.TrainingClass.objects.create(
            name="电工技能培训班",
            kind=lv.TrainingClass.Kind.SKILL,
            org_unit=social,
            start_on=day,
            end_on=datetime.date(2026, 10, 30),
            sessions=10,
        )
        cls.trainee = lv.Trainee.objects.create(training_class=cls.training, person=person)
        cls.school = lv.School.objects.create(
            name="东城实验小学", kind=lv.School.Kind.PRIMARY, org_unit=social
        )
        cls.inspection = lv.Inspection.objects.create(
            school=cls.school,
            org_unit=social,
            inspected_on=day,
            inspectors="郑经办",
            checklist={"fire": "hazard"},
            notice_no="开发区校安〔2026〕1号",
        )
        lv.Hazard.objects.create(
            inspection=cls.inspection,
            description="消防设施:灭火器过期",
            requirement="更换灭火器",
            deadline_workdays=5,
            due_on=datetime.date(2026, 10, 19),
        )
        cls.kg_campaign = lv.CleanupCampaign.objects.create(
            name="无证园清理行动", org_unit=social, started_on=day
        )
        scale = wf.AssessmentScale.objects.get(code="MZ/T 039-2013")
        cls.assessment = wf.Assessment.objects.create(
            person=person,
            org_unit=cls.civil_bureau,
            scale=scale,
            assessed_on=day,
            scores={},
            level=2,
            assessor_1=cls.civil_clerk,
            assessor_2=cls.clerk,
            reassess_due_on=datetime.date(2027, 4, 12),
        )
        cls.cycle = wf.PaymentCycle.objects.create(
            org_unit=cls.civil_bureau, month=datetime.date(2026, 10, 1), rates={"2": "100"}
        )
        cls.batch = wf.ReliefBatch.objects.create(name="十月救助", org_unit=cls.civil_bureau)
        cls.census = wf.CensusCampaign.objects.create(
            name="十月普查",
            org_unit=cls.civil_bureau,
            area=cls.zone,
            started_on=datetime.date(2026, 10, 1),
            ends_on=datetime.date(2026, 12, 31),
            created_by=cls.civil_clerk,
        )

    @classmethod
    def make_population_rows(cls) -> None:
        """One of each population row, all for 王秀英 of 东村."""
        person, village, worker = cls.east_person, cls.east_village, cls.east_worker
        cls.household = Household.objects.create(org_unit=village, address="东村 8 号")
        cls.weekly = pop.WeeklyPost.objects.create(
            org_unit=cls.town, week_start=datetime.date(2026, 11, 16), created_by=cls.town_worker
        )
        HouseholdMember.objects.create(
            household=cls.household, person=person, relation=HouseholdMember.Relation.HEAD
        )
        cls.floating = pop.FloatingRecord.objects.create(
            person=person,
            direction=pop.FloatingRecord.Direction.IN,
            org_unit=village,
            place="河南省台前县",
            started_on=datetime.date(2026, 9, 1),
            created_by=worker,
        )
        pop.MarriageCertificate.objects.create(
            record=cls.floating,
            name=person.name,
            age=36,
            id_number=person.id_number,
            marital_status="已婚",
            spouse="张建军",
            fertility="一孩",
            contraception="上环",
            due_on=datetime.date(2026, 10, 9),
        )
        plan = pop.FollowUpPlan.objects.create(
            person=person,
            org_unit=village,
            kind=pop.FollowUpPlan.Kind.PHONE,
            interval_days=90,
            owner=worker,
            purpose="季度电话随访",
        )
        cls.followup = pop.FollowUp.objects.create(plan=plan, due_on=datetime.date(2026, 11, 18))
        cls.pregnancy = pop.Pregnancy.objects.create(
            person=person,
            org_unit=village,
            lmp=datetime.date(2026, 6, 1),
            edd=datetime.date(2027, 3, 8),
            created_by=worker,
        )
        cls.preconception = pop.PreconceptionCheck.objects.create(
            person=person,
            org_unit=village,
            enrolled_on=datetime.date(2026, 5, 1),
            due_on=datetime.date(2026, 5, 29),
            created_by=worker,
        )
        cls.report = pop.ContraceptionReport.objects.create(
            person=person,
            org_unit=village,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 12, 31),
        )
        cls.campaign = pop.Campaign.objects.create(
            org_unit=village,
            kind=pop.Campaign.Kind.REPRODUCTIVE,
            name="东村春季查体",
            quarter="2026Q4",
            start_on=datetime.date(2026, 11, 1),
            end_on=datetime.date(2026, 12, 20),
        )
        pop.CampaignTarget.objects.create(campaign=cls.campaign, person=person, org_unit=village)
        cls.clinic = pop.Clinic.objects.create(
            org_unit=cls.town,
            held_on=datetime.date(2026, 11, 15),
            place="东村义诊点",
            organisers="镇计生服务站、镇卫生院",
            status=pop.Clinic.Status.HELD,
            created_by=worker,
        )
        cls.clinic.villages.set([village])
        pop.ClinicAttendance.objects.create(
            clinic=cls.clinic,
            person=person,
            org_unit=village,
            items="血压",
            result="正常",
            recorded_by=worker,
        )
        cls.visit = pop.HomeVisit.objects.create(
            person=person,
            org_unit=village,
            visited_by=worker,
            visited_on=datetime.date(2026, 11, 10),
            place="东村 8 号",
            outcome="老人身体尚好",
        )
        cls.referral = pop.Referral.objects.create(
            visit=cls.visit,
            kind=pop.Referral.Kind.CIVIL,
            to_unit=cls.town,
            note="申请临时救助",
            due_on=datetime.date(2026, 11, 24),
        )
        pop.Assistance.objects.create(
            person=person,
            org_unit=village,
            category=pop.Assistance.Category.GOODS,
            program="计生助福",
            content="米面油",
            given_on=datetime.date(2026, 11, 1),
            given_by=worker,
        )
        cls.pairing = pop.Pairing.objects.create(
            person=person,
            org_unit=village,
            volunteer_name="赵志愿",
            volunteer_phone="13900000000",
            cadence_days=30,
            started_on=datetime.date(2026, 9, 1),
            next_due_on=datetime.date(2026, 12, 1),
        )
        family_campaign = pop.FamilyCampaign.objects.create(
            org_unit=cls.town,
            year=2026,
            name="刘集镇2026年文明家庭创建",
            criteria="家庭和睦",
            created_by=cls.town_worker,
        )
        cls.nomination = pop.FamilyNomination.objects.create(
            campaign=family_campaign,
            household=cls.household,
            org_unit=village,
            family_name="王家",
            deeds="孝老爱亲",
            summary="孝老爱亲",
            nominated_by=worker,
            nominated_on=datetime.date(2026, 11, 10),
        )
        cls.job = pop.ImportJob.objects.create(
            kind="persons", file="imports/x.xlsx", org_unit=village, created_by=worker
        )
        cls.report_file = ReportFile.objects.create(
            period_query="year=2026",
            period_label="2026 年",
            period_slug="2026",
            scope_key=scope_key(cls.leader),
            made_on=datetime.date(2026, 11, 20),
            created_by=cls.leader,
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
        from zhengtong.services.actions.duty import duty_assign

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
        message = Message.objects.create(
            user=self.clerk_a,
            channel="inapp",
            event="case_handed_over",
            text="矩阵",
            dedupe_key="m",
        )
        online = OnlineApplication.objects.create(
            receipt_no="WSLIUJI202611200001",
            item=self.item,
            org_unit=self.town,
            name="卢婉清",
            id_number=self.applicant["id_number"],
            phone="13905358812",
            submitted_at=datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC),
            respond_by=datetime.date(2026, 11, 23),
        )
        self.values = {
            "online": online.pk,
            "online_receipt": online.receipt_no,
            "project": self.project.pk,
            "project_code": self.project.code,
            "project_list": self.project.list_entries.get().project_list_id,
            "project_name": self.project.name,
            "problem": self.problem.pk,
            "fund": self.fund.pk,
            "allocation": self.allocation.pk,
            "lead": self.lead.pk,
            "works": self.project.pk,
            "target": self.target.pk,
            "programme": self.programme.pk,
            "relocation_entry": self.relocation_entry.pk,
            "event": event.pk,
            "message": message.pk,
            "receipt": application.receipt_no,
            "notice": notice.pk,
            "rectification": rating.rectification.pk,
            "duty": duty.pk,
            "person": self.east_person.pk,
            "person_name": self.east_person.name,
            "masked_id": self.east_person.masked_id,
            "id_number": self.east_person.id_number,
            "household": self.household.pk,
            "floating": self.floating.pk,
            "followup": self.followup.pk,
            "pregnancy": self.pregnancy.pk,
            "preconception": self.preconception.pk,
            "report": self.report.pk,
            "campaign": self.campaign.pk,
            "clinic": self.clinic.pk,
            "visit": self.visit.pk,
            "referral": self.referral.pk,
            "pairing": self.pairing.pk,
            "nomination": self.nomination.pk,
            "job": self.job.pk,
            "employment": self.employment.pk,
            "loan": self.loan.pk,
            "internship": self.internship.pk,
            "training": self.training.pk,
            "trainee": self.trainee.pk,
            "school": self.school.pk,
            "inspection": self.inspection.pk,
            "kg_campaign": self.kg_campaign.pk,
            "assessment": self.assessment.pk,
            "cycle": self.cycle.pk,
            "batch": self.batch.pk,
            "census": self.census.pk,
            "report_file": self.report_file.pk,
            "weekly": self.weekly.pk,
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
                    if persona in allowed and name in REDIRECT_PAGES:
                        self.assertEqual(r.status_code, 302)
                        self.assertNotIn("/accounts/login/", r["Location"])
                    elif persona in allowed:
                        self.assertEqual(r.status_code, 200)
                        if marker:
                            self.assertIn(marker, text_of(r))
                    elif r.status_code == 200 and marker:
                        self.assertNotIn(marker, text_of(r))
                    elif r.status_code == 200 and name in OWN_HALL_FORMS:
                        self.assertEqual(persona, "other_clerk")
                    elif r.status_code == 200 and name in OWN_VILLAGE_FORMS:
                        self.assertEqual(persona, "west_worker")
                    elif r.status_code == 200 and name in OWN_DEPARTMENT_PAGES:
                        self.assertIn(persona, {"clerk", "civil_clerk"})
                    elif r.status_code == 302 and name == "accounts:login":
                        self.assertEqual(r["Location"], "/")  # signed in already: home
                    elif r.status_code == 302:
                        self.assertIn("/accounts/login/", r["Location"])
                    else:
                        self.assertIn(r.status_code, (401, 403, 404, 405))


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
