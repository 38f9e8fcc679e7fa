from django.urls import path

from . import (
    views,
    views_cockpit,
    views_funds,
    views_leads,
    views_ledger,
    views_lists,
    views_monthly,
    views_relocation,
    views_works,
)

app_name = "projects"
urlpatterns = [
    # Register, stages, leaders, monthly progress, milestones, problems (views.py)
    path("", views.project_list, name="project_list"),
    path("mine/", views.my_projects, name="my_projects"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/stage/", views.project_stage, name="project_stage"),
    path("<int:pk>/leaders/", views.project_leaders, name="project_leaders"),
    path("<int:pk>/history/", views.project_history, name="project_history"),
    path("<int:pk>/reports/new/", views.report_create, name="report_create"),
    path("<int:pk>/reports/<int:report_pk>/check/", views.report_check, name="report_check"),
    path("<int:pk>/milestones/", views.milestone_edit, name="milestone_edit"),
    path("<int:pk>/problems/new/", views.problem_create, name="problem_create"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    # Guidance funds (views_funds.py)
    path("funds/", views_funds.fund_list, name="fund_list"),
    path("funds/<int:pk>/", views_funds.fund_detail, name="fund_detail"),
    path("funds/<int:pk>/allocate/", views_funds.allocation_create, name="allocation_create"),
    path(
        "allocations/<int:pk>/disburse/",
        views_funds.disbursement_create,
        name="disbursement_create",
    ),
    # 招商引资: leads from the first talks to a key project (views_leads.py)
    path("leads/", views_leads.lead_list, name="lead_list"),
    path("leads/new/", views_leads.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views_leads.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/advance/", views_leads.lead_advance, name="lead_advance"),
    path("leads/<int:pk>/terminate/", views_leads.lead_terminate, name="lead_terminate"),
    # City works with physical targets (views_works.py)
    path("works/", views_works.works_list, name="works_list"),
    path("works/<int:pk>/", views_works.works_detail, name="works_detail"),
    path("targets/<int:pk>/record/", views_works.quantity_create, name="quantity_create"),
    # 城中村改造 and 农村新型社区 (views_relocation.py)
    path("relocation/", views_relocation.relocation_list, name="relocation_list"),
    path("relocation/new/", views_relocation.programme_new, name="relocation_create"),
    path("relocation/<int:pk>/", views_relocation.relocation_detail, name="relocation_detail"),
    path(
        "relocation/<int:pk>/record/", views_relocation.relocation_record, name="relocation_record"
    ),
    path(
        "relocation/entries/<int:pk>/correct/",
        views_relocation.relocation_correct,
        name="relocation_correct",
    ),
    # Leader cockpit (views_cockpit.py)
    path("cockpit/", views_cockpit.cockpit, name="cockpit"),
    path("cockpit/data/", views_cockpit.cockpit_data, name="cockpit_data"),
    # The monthly report, page and PDF (views_monthly.py)
    path("monthly-report/", views_monthly.monthly_report, name="monthly_report"),
    path("monthly-report/pdf/", views_monthly.monthly_report_pdf, name="monthly_report_pdf"),
    # Yearly lists and the carry-over to next year (views_lists.py)
    path("lists/", views_lists.list_index, name="list_index"),
    path("lists/<int:pk>/", views_lists.list_detail, name="list_detail"),
    path("lists/<int:pk>/carry-over/", views_lists.list_carry_over, name="list_carry_over"),
    path("lists/<int:pk>/approve/", views_lists.list_approve_view, name="list_approve"),
    # Ledger export and import (views_ledger.py)
    path("ledger/export/", views_ledger.ledger_export, name="ledger_export"),
    path("ledger/import/", views_ledger.ledger_import, name="ledger_import"),
]
