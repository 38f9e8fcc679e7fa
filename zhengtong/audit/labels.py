"""The Chinese name of every audit action, for the audit log, histories and exports.

Actions are stable codes in the log (they are sealed into the chain); people read them through
`action_label`. Every code the code base writes has a name here (a test reads the sources to
make sure); codes made from a model name (`person_list_viewed`, `loan_exported`,
`sector_created`, `person_access_denied`) take the model's verbose name.
"""

import functools

from django.apps import apps

ACTION_LABELS: dict[str, str] = {
    # Sign-in, accounts and tokens
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "login_locked_out": "登录锁定",
    "login_lockout_released": "解除登录锁定",
    "login_spray_suspected": "疑似密码喷洒攻击",
    "password_change": "修改密码",
    "admin_password_change": "管理员重置密码",
    "otp_enrolled": "绑定手机验证器",
    "otp_verify_failed": "两步验证失败",
    "otp_recovery_code_used": "使用恢复码登录",
    "otp_reset": "重置两步验证",
    "api_token_created": "创建 API 令牌",
    "api_token_revoked": "吊销 API 令牌",
    "api_token_denied": "API 令牌被拒绝",
    # The audit log itself and the system administration pages
    "audit_chain_resealed": "审计链重新封签",
    "audit_key_rotated": "更换审计密钥",
    "data_key_rotated": "轮换个人信息数据密钥",
    "org_unit_created": "新增组织单位",
    "org_unit_updated": "修改组织单位",
    "staff_user_created": "新增用户",
    "staff_user_updated": "修改用户",
    "post_updated": "修改窗口岗位",
    "setup_admin_created": "创建首位系统管理员",
    "admin_add": "后台新增",
    "admin_change": "后台修改",
    "admin_delete": "后台删除",
    "job_retried": "重试后台任务",
    "job_cancelled": "取消后台任务",
    "message_sent": "发送消息",
    "sms_opted_out": "退订非必要短信",
    "sms_opted_in": "恢复接收短信",
    "work_report_pdf_requested": "申请生成工作简报 PDF",
    "message_delivered": "短信已送达",
    "message_undelivered": "短信送达失败",
    # Online applications (网上申请)
    "online_application_submitted": "提交网上申请",
    "online_application_taken": "网上申请接件",
    "online_application_declined": "退回网上申请",
    "online_application_viewed": "查看网上申请",
    "online_photo_viewed": "查看网上申请材料照片",
    # 上门服务 and 上门告知
    "service_notice_delivered": "上门告知",
    "home_photo_viewed": "查看上门服务照片",
    "delivery_file_viewed": "查看上门告知签名或照片",
    "online_status_lookup": "网上申请进度查询",
    # Working-day calendar
    "holidays_loaded": "导入节假日安排",
    "calendar_year_confirmed": "确认年度节假日安排",
    "due_date_recomputed": "重算办理期限",
    # Key projects
    "project_created": "新建重点项目",
    "project_updated": "修改重点项目",
    "project_stage_changed": "变更项目阶段",
    "project_leaders_changed": "调整帮包领导",
    "project_list_drafted": "编制年度重点项目清单",
    "project_list_approved": "批准年度重点项目清单",
    "progress_reported": "填报月度进度",
    "progress_report_checked": "审核月度进度",
    "milestone_set": "设置节点",
    "milestone_status_changed": "节点状态变更",
    "problem_raised": "提报问题",
    "problem_escalated": "问题升级督办",
    "problem_resolved": "问题办结",
    "sector_created": "新建产业板块",
    "fund_created": "新建引导资金",
    "fund_allocation_created": "分配引导资金",
    "fund_disbursement_created": "拨付引导资金",
    "lead_created": "登记招商线索",
    "lead_signed": "招商线索签约",
    "lead_landed": "招商线索落地",
    "lead_converted": "招商线索转为重点项目",
    "lead_terminated": "终止招商线索",
    "work_target_created": "新建城建工程目标",
    "work_quantity_recorded": "登记城建工程量",
    "relocation_programme_created": "新建拆迁安置项目",
    "relocation_progress_recorded": "登记拆迁安置进度",
    "relocation_entry_corrected": "更正拆迁安置进度",
    # Service hall
    "application_received": "收件登记",
    "application_due_computed": "计算办结期限",
    "application_approved": "办结",
    "application_refused": "不予受理",
    "application_withdrawn": "申请人撤回",
    "application_handed_over": "转交经办",
    "leave_recorded": "登记请假",
    "duty_assigned": "安排挂牌上岗",
    "duty_removed": "取消挂牌上岗",
    "post_created": "新建窗口岗位",
    "rating_submitted": "群众评价",
    "rectification_closed": "差评整改办结",
    "public_lookup": "办件查询",
    "certificate_verify": "证件核验",
    # Residents, floating population and follow-ups
    "person_registered": "登记人员",
    "person_updated": "修改人员信息",
    "persons_merged": "合并重复人员",
    "person_transferred": "人员转出",
    "person_viewed": "查看人员档案",
    "population_access_denied": "越权访问人口信息",
    "person_access_denied": "越权访问人员档案",
    "household_created": "新建户",
    "household_updated": "修改户信息",
    "household_member_added": "添加家庭成员",
    "household_member_removed": "移除家庭成员",
    "floating_record_created": "登记流动人口",
    "floating_record_ended": "结束流动登记",
    "certificate_presented": "婚育证明已交验",
    "followup_plan_created": "新建随访计划",
    "followup_plan_stopped": "停止随访计划",
    "followup_done": "完成随访",
    "followup_skipped": "跳过随访",
    "contraception_report_expected": "应寄回避孕节育报告单",
    "contraception_report_missing": "避孕节育报告单超期未寄回",
    "contraception_report_received": "收到避孕节育报告单",
    "contraception_report_verified": "落实避孕节育报告单",
    "pregnancy_registered": "登记孕产期",
    "pregnancy_delivery_recorded": "登记分娩",
    "maternal_visit_done": "完成孕产期访视",
    "high_risk_referred": "高危孕产妇转诊",
    "campaign_created": "新建查体活动",
    "campaign_targets_synced": "同步查体对象",
    "campaign_attendance_recorded": "登记查体到检",
    "clinic_planned": "计划健康义诊",
    "clinic_held": "健康义诊已举办",
    "clinic_attendance_recorded": "登记义诊参诊",
    "home_visit_recorded": "登记入户走访",
    "weekly_post_created": "建立计生采风草稿",
    "weekly_post_saved": "保存计生采风草稿",
    "weekly_post_submitted": "提交计生采风",
    "weekly_post_approved": "审核通过计生采风",
    "weekly_post_returned": "退回计生采风",
    "home_visit_viewed": "查看走访记录",
    "home_visit_photo_viewed": "查看走访照片",
    "referral_opened": "走访转介",
    "referral_viewed": "查看转介",
    "referral_closed": "转介办结",
    "assistance_recorded": "登记计生助福",
    "pairing_created": "新建 1+1 结对",
    "pairing_ended": "结束结对",
    "pairing_visit_recorded": "登记结对走访",
    "family_campaign_created": "开展文明家庭创建",
    "family_nominated": "推荐文明家庭",
    "family_evaluated": "评议文明家庭",
    "family_decided": "决定文明家庭",
    "family_decision_corrected": "更正文明家庭决定",
    "population_import_queued": "提交人口导入",
    "population_import_checked": "人口导入校验",
    "population_import_done": "人口导入完成",
    "population_import_failed": "人口导入失败",
    "population_import_cancelled": "取消人口导入",
    "population_import_file_downloaded": "下载导入文件",
    "xlsx_import_checked": "试导入",
    "xlsx_import_done": "批量导入完成",
    "xlsx_import_failed": "批量导入未通过",
    # Livelihood ledgers
    "employment_recorded": "登记就业",
    "unemployment_figure_recorded": "登记失业率数据",
    "unemployment_figure_corrected": "更正失业率数据",
    "insurance_drive_recorded": "登记社会保险扩面征缴",
    "insurance_drive_updated": "更正社会保险扩面征缴",
    "loan_submitted": "提交担保贷款申请",
    "loan_approved": "批准担保贷款",
    "loan_rejected": "驳回担保贷款",
    "loan_disbursed": "发放担保贷款",
    "loan_repaid": "登记还款",
    "loan_closed": "贷款结清",
    "internship_base_applied": "申报见习基地",
    "internship_base_approved": "认定见习基地",
    "training_class_created": "新建培训班",
    "training_class_updated": "修改培训班",
    "trainee_enrolled": "学员报名",
    "trainee_updated": "修改学员信息",
    "school_created": "新建学校",
    "school_updated": "修改学校信息",
    "inspection_recorded": "登记安全检查",
    "inspection_closed": "安全检查销号",
    "hazard_rectified": "隐患整改",
    "hazard_verified": "隐患复查",
    "cleanup_campaign_created": "新建无证幼儿园清理",
    "cleanup_campaign_closed": "无证幼儿园清理结束",
    "kindergarten_registered": "登记无证幼儿园",
    "kindergarten_disposed": "处置无证幼儿园",
    # Welfare
    "welfare_status_set": "设置救助身份",
    "assessment_created": "能力评估",
    "payment_cycle_created": "新建补贴发放批次",
    "payment_cycle_approved": "审批补贴发放",
    "payment_added": "添加补贴发放",
    "payment_removed": "移除补贴发放",
    "relief_batch_created": "新建救助批次",
    "relief_batch_approved": "审批救助批次",
    "relief_grant_added": "添加救助对象",
    "relief_grant_removed": "移除救助对象",
    "census_campaign_created": "新建普查评估",
    # Pre-pregnancy check (孕前优生健康检查)
    "preconception_enrolled": "登记孕前优生健康检查",
    "preconception_checked": "登记孕前优生健康检查结果",
}

# Codes made from a model name, by suffix (longest first): "{verbose name}" is filled in.
MODEL_ACTION_SUFFIXES = (
    ("_list_viewed", "查看{}列表"),
    ("_access_denied", "越权访问{}"),
    ("_exported", "导出{}"),
    ("_created", "新建{}"),
    ("_viewed", "查看{}"),
)


@functools.cache
def _model_verbose_names() -> dict[str, str]:
    """{model_name: verbose name} of every installed model, read once per process (the models
    do not change while it runs); the audit list asks for it on every row."""
    return {str(m._meta.model_name): str(m._meta.verbose_name) for m in apps.get_models()}


def action_label(code: str) -> str:
    """The Chinese name of an audit action code; an unknown code reads 其他操作."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    names = _model_verbose_names()
    for suffix, template in MODEL_ACTION_SUFFIXES:
        if code.endswith(suffix) and code[: -len(suffix)] in names:
            return template.format(names[code[: -len(suffix)]])
    return "其他操作"


CHANNEL_LABELS = {
    "web": "网页",
    "api": "接口",
    "admin": "系统管理后台",
    "import": "批量导入",
    "command": "管理命令",
    "job": "后台任务",
    "system": "系统自动",
}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, "其他") if channel else "—"


def actor_label(event) -> str:
    """Who did it: the person's name, or for work without a signed-in person (a scheduled
    command, an anonymous web form) the channel it came through, in Chinese."""
    if event.actor_id is None and event.actor_label in CHANNEL_LABELS:
        return CHANNEL_LABELS[event.actor_label]
    return event.actor_label or "—"


def target_label(target_type: str) -> str:
    """ "people.person" → 人员; an unknown type → 其他对象."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return "其他对象" if target_type else ""


def target_type_choices() -> list[tuple[str, str]]:
    """(app_label.model, verbose name) of the project's own models, by name."""
    rows = [
        (m._meta.label_lower, str(m._meta.verbose_name))
        for m in apps.get_models()
        if m.__module__.startswith("zhengtong.") and ".tests." not in m.__module__
    ]
    return sorted(rows, key=lambda row: (row[1], row[0]))


def action_choices() -> list[tuple[str, str]]:
    """(code, name) of the named actions, by name, for the audit log's filter."""
    return sorted(ACTION_LABELS.items(), key=lambda item: (item[1], item[0]))


# The Chinese name of a key in an event's `changes` when the target model has no field of that
# name (or the event has no target model).
CHANGE_LABELS: dict[str, str] = {
    "a_user": "A 角",
    "active": "有效",
    "address": "地址",
    "amount": "金额(元)",
    "assessed_on": "评估日期",
    "b_user": "B 角",
    "cadence_days": "周期(天)",
    "calendar_missing_year": "缺少日历的年份",
    "callback_note": "回访说明",
    "campaign": "活动",
    "category": "类别",
    "changed_days": "变动的日期",
    "checklist": "检查项",
    "children": "子女",
    "closed_on": "办结日期",
    "count": "条数",
    "created": "新建",
    "day": "日期",
    "days": "天数",
    "deadline_workdays": "期限(工作日)",
    "decided_on": "决定日期",
    "deleted": "删除",
    "delivered_on": "分娩日期",
    "disbursed_total": "累计拨付(元)",
    "disbursement": "拨付",
    "discharged_on": "出院日期",
    "done_on": "完成日期",
    "dry_run": "仅校验",
    "due_on": "到期日期",
    "due_provisional": "期限按暂定日历",
    "edd": "预产期",
    "end_on": "结束日期",
    "ended_on": "结束日期",
    "errors": "错误",
    "escalated_at": "升级时间",
    "escalated_to": "升级至",
    "expires_at": "到期时间",
    "failures": "失败次数",
    "file": "文件",
    "filters": "筛选条件",
    "first_due_on": "首次随访日期",
    "found": "发现",
    "found_on": "发现日期",
    "from_job": "来自任务",
    "given_on": "发放日期",
    "handler": "经办人",
    "hazards": "隐患",
    "high_risk": "高危",
    "id_number": "公民身份号码",
    "inspected_on": "检查日期",
    "installed_total": "累计安装",
    "interval_days": "间隔(天)",
    "investment": "完成投资(元)",
    "ip": "IP 地址",
    "kept_overrides": "保留的手工调整",
    "kind": "类别",
    "late": "逾期完成",
    "level": "等级",
    "lmp": "末次月经",
    "located": "已定位",
    "merged_into": "并入",
    "method": "方式",
    "modules": "模块",
    "month": "月份",
    "moved": "移动的期限",
    "moved_open_rows": "移动的待办",
    "name": "名称",
    "next_due_on": "下次到期日期",
    "next_step_due_on": "下一步到期日期",
    "notice_no": "通知书编号",
    "operator": "操作人",
    "org_unit": "所属单位",
    "original_name": "原文件名",
    "outcome": "情况",
    "outcome_note": "处理说明",
    "outcome_on": "处理日期",
    "owner": "责任人",
    "owning_unit": "所属单位",
    "payments": "发放笔数",
    "period": "期间",
    "period_end": "期间结束",
    "person": "人员",
    "photos": "照片张数",
    "physical_progress": "形象进度(%)",
    "place": "地点",
    "post": "岗位",
    "program": "项目",
    "project": "项目",
    "purpose": "查看内容",
    "quarter": "季度",
    "rates": "比率",
    "reason": "理由",
    "received_on": "收到日期",
    "recipient_kind": "对象类别",
    "record": "记录",
    "recovery_codes_left": "剩余恢复码",
    "rectification": "整改",
    "resolution_note": "办结说明",
    "resolved_on": "办结日期",
    "revoked_at": "吊销时间",
    "rows": "行数",
    "scale": "量表",
    "school": "学校",
    "scope": "范围",
    "skipped": "跳过",
    "start_on": "开始日期",
    "started_on": "开始日期",
    "status": "状态",
    "targets": "对象数",
    "title": "标题",
    "to_unit": "转往单位",
    "total": "合计",
    "training_class": "培训班",
    "updated": "更新",
    "user": "用户",
    "username": "用户名",
    "verified_on": "落实日期",
    "visit": "走访记录",
    "visited_on": "走访日期",
    "visits": "走访次数",
    "volunteer_name": "志愿者",
    "window": "窗口",
    # The filters of a list page or an export, as recorded with the read.
    "year": "年度",
    "q": "关键词",
    "unit": "单位",
    "village": "村",
    "hall": "便民服务中心",
    "list": "清单",
    "week": "周次",
    "start": "开始日期",
    "end": "结束日期",
    "stage": "阶段",
    "sector": "产业板块",
    "leader": "帮包领导",
    "flag": "进度",
    "date_from": "开始日期",
    "date_to": "结束日期",
    "actor": "操作人",
    "action": "动作",
    "target_type": "对象类型",
    "target_id": "对象编号",
    "department": "部门",
    "item": "事项",
    "channel": "渠道",
    "overdue": "已超期",
    "summary": "本周工作动态",
    "lines": "管区人员行数",
    "model_worker": "工作标兵",
    "model_reason": "标兵事迹",
    "photos_added": "新增照片",
    "photos_removed": "删除照片",
}
