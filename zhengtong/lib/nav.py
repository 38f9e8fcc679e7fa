"""The menu of the staff pages: one registry of modules and their pages.

Each entry names a URL; it is shown to a user only when `may_open` says the page would open
for them (zhengtong/accounts/permissions.py), so the menu answers from the same declaration as
the page's gate. The entry whose address is the longest prefix of the current address is the
current one: it and its module are marked, and the breadcrumbs (module → page) come from it.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from zhengtong.accounts.permissions import may_open


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    # The address prefixes of the pages that belong to this entry, when they are not (only) the
    # entry's own address: the welfare entry opens the assessments and owns every /welfare/ page.
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Module:
    label: str
    entries: tuple[Entry, ...]


MODULES: tuple[Module, ...] = (
    Module(
        "重点项目",
        (
            Entry("项目台账", "projects:project_list"),
            Entry("年度清单", "projects:list_index", prefixes=("/projects/lists/",)),
            Entry("我帮包的项目", "projects:my_projects"),
            Entry("领导驾驶舱", "projects:cockpit"),
            Entry("问题台账", "projects:problem_list"),
            Entry(
                "引导资金",
                "projects:fund_list",
                prefixes=("/projects/funds/", "/projects/allocations/"),
            ),
            Entry("招商引资", "projects:lead_list", prefixes=("/projects/leads/",)),
            Entry(
                "城建工程",
                "projects:works_list",
                prefixes=("/projects/works/", "/projects/targets/"),
            ),
            Entry(
                "城中村与新型社区", "projects:relocation_list", prefixes=("/projects/relocation/",)
            ),
        ),
    ),
    Module(
        "便民服务",
        (
            Entry("办件", "services:application_list"),
            Entry("收件登记", "services:application_create"),
            Entry("网上申请", "services:online_queue"),
            Entry("请假与AB角", "services:leave_list"),
            Entry("挂牌上岗", "services:duty_roster"),
            Entry("差评整改", "services:rectification_list"),
            Entry("计生周报", "service_reports:weekly"),
            Entry("月冠军", "service_reports:ranking"),
            Entry("好差评统计", "service_reports:ratings"),
        ),
    ),
    Module(
        "人口与健康",
        (
            Entry("人口与健康档案", "population:person_list"),
            Entry("随访工作单", "population:worklist"),
            Entry("计生采风", "population:weekly_list"),
            Entry("文明家庭创建", "population:family_campaign_list"),
        ),
    ),
    Module(
        "惠民生",
        (
            Entry("惠民生台账", "livelihood:index"),
            Entry("导入就业登记", "livelihood:employment_import"),
            Entry("护理补贴与救助", "welfare:assessment_list", prefixes=("/welfare/",)),
            Entry("导入救助身份", "welfare:status_import"),
            Entry("综合驾驶舱", "reports:cockpit"),
            Entry("工作简报", "reports:work_report"),
        ),
    ),
    Module("审计", (Entry("审计日志", "audit:event_list"),)),
    Module(
        "系统",
        (
            Entry("工作日历", "workdays:year_list"),
            Entry("导入组织与人员", "accounts:org_import", prefixes=("/accounts/imports/",)),
            Entry("后台任务", "jobs:job_list"),
            Entry("消息发送记录", "notify:outbox"),
            Entry("系统管理", "admin:index"),
        ),
    ),
)


@dataclass
class Link:
    label: str
    url: str
    prefixes: tuple[str, ...]
    current: bool = False

    def reach(self, path: str) -> int:
        """How much of `path` this link's pages cover: the longest matching prefix, or 0."""
        return max((len(p) for p in self.prefixes if path.startswith(p)), default=0)


@dataclass
class Group:
    label: str
    links: list[Link] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


@dataclass
class Menu:
    groups: list[Group]
    # (label, url): the module (no page of its own), then the entry the current page belongs to.
    crumbs: list[tuple[str, str]]
    current: Link | None


def _url(url_name: str) -> str:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return ""


def menu_for(user, path: str) -> Menu:
    """The modules and pages `user` may open, with the one `path` belongs to marked."""
    groups: list[Group] = []
    for module in MODULES:
        group = Group(module.label)
        for entry in module.entries:
            url = _url(entry.url_name)
            if url and may_open(user, entry.url_name):
                group.links.append(Link(entry.label, url, entry.prefixes or (url,)))
        if group.links:
            groups.append(group)
    candidates = [(link.reach(path), link, group) for group in groups for link in group.links]
    reach, best, best_group = max(candidates, key=lambda c: c[0], default=(0, None, None))
    if not reach or best is None or best_group is None:
        return Menu(groups=groups, crumbs=[], current=None)
    best.current = True
    return Menu(
        groups=groups, crumbs=[(best_group.label, ""), (best.label, best.url)], current=best
    )
