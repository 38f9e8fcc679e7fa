"""One input and one output serializer per operation (HackSoft style); no rules of the hall here:
the actions validate ID numbers, item codes and materials and name the field."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import ReturnList

from zhengtong.notify.outbox import messages_for

from ..models import Application, Material, ServiceItem
from ..public_views import condition_text, staff_card


class MaterialOutputSerializer(serializers.ModelSerializer):
    condition_text = serializers.SerializerMethodField(help_text="适用情形(文字)")

    class Meta:
        model = Material
        fields = ["code", "name", "description", "copies", "condition", "condition_text"]

    def get_condition_text(self, material: Material) -> str:
        return condition_text(material.condition)


class ItemOutputSerializer(serializers.ModelSerializer):
    materials = MaterialOutputSerializer(many=True)
    procedure = serializers.ListField(child=serializers.CharField(), help_text="办理流程")
    guide_url = serializers.CharField(source="get_absolute_url", help_text="办事指南页面")

    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "name",
            "department",
            "legal_basis",
            "eligibility",
            "procedure",
            "promised_workdays",
            "legal_workdays",
            "fee",
            "window",
            "certificate_name",
            "notes",
            "materials",
            "guide_url",
        ]


class ApplicantInputSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=50,
        error_messages={
            "required": "申请人姓名:必填。",
            "blank": "申请人姓名:必填。",
            "max_length": "申请人姓名:不能超过 50 个字。",
        },
    )
    id_number = serializers.CharField(
        max_length=18,
        help_text="18 位公民身份号码",
        error_messages={
            "required": "身份证号码:必填。",
            "blank": "身份证号码:必填。",
            "max_length": "身份证号码:应为 18 位。",
        },
    )
    phone = serializers.CharField(
        max_length=20,
        help_text="联系电话(11 位手机号或带区号的固定电话)",
        error_messages={
            "required": "联系电话:必填。",
            "blank": "联系电话:必填。",
            "max_length": "联系电话:格式不正确。",
        },
    )


class SituationInputSerializer(serializers.Serializer):
    hukou = serializers.ChoiceField(
        choices=[("local", "本地户籍"), ("floating", "流动人口")],
        required=False,
        error_messages={"invalid_choice": "户籍情形:只能是 local(本地户籍)或 floating(流动人口)。"},
    )
    marital_status = serializers.CharField(required=False, help_text="婚姻状况编码,如 married")
    child_order = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=20,
        help_text="申请的是第几个孩子",
        error_messages={
            "invalid": "孩次:应为整数。",
            "min_value": "孩次:应为 1 到 20 之间的整数。",
            "max_value": "孩次:应为 1 到 20 之间的整数。",
        },
    )


class ApplicationInputSerializer(serializers.Serializer):
    item = serializers.CharField(
        max_length=30,
        help_text="事项编码",
        error_messages={"required": "事项:必填。", "blank": "事项:必填。"},
    )
    applicant = ApplicantInputSerializer(
        error_messages={"required": "申请人:必填。", "invalid": "申请人:应为对象。"}
    )
    materials = serializers.ListField(
        child=serializers.CharField(max_length=30),
        allow_empty=True,
        help_text="申请人当场提交的材料编码",
        error_messages={
            "required": "材料:必填(可为空列表)。",
            "not_a_list": "材料:应为材料编码的列表。",
        },
    )
    situation = SituationInputSerializer(
        required=False, error_messages={"invalid": "申请情形:应为对象。"}
    )


class StaffCardSerializer(serializers.Serializer):
    name = serializers.CharField()
    post = serializers.CharField(allow_blank=True)
    window = serializers.CharField(allow_blank=True)
    staff_no = serializers.CharField(allow_blank=True)
    photo_url = serializers.CharField(allow_null=True)


class MaterialRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ApplicationCreatedOutputSerializer(serializers.ModelSerializer):
    first_responder = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display")
    item = serializers.CharField(source="item.code")
    missing_materials = serializers.SerializerMethodField(
        help_text="一次性告知书列出的全部缺少材料;已受理时为空列表"
    )

    class Meta:
        model = Application
        fields = [
            "receipt_no",
            "item",
            "status",
            "status_display",
            "first_responder",
            "accepted_on",
            "due_on",
            "missing_materials",
        ]

    @extend_schema_field(StaffCardSerializer)
    def get_first_responder(self, application: Application) -> dict:
        return staff_card(
            application.first_responder, application.org_unit, self.context.get("request")
        )

    @extend_schema_field(MaterialRefSerializer(many=True))
    def get_missing_materials(self, application: Application) -> list[dict]:
        if application.status != Application.Status.PENDING:
            return []
        notice = application.notices.order_by("issued_at", "id").first()
        if notice is None:
            return []
        items = notice.items.select_related("material").order_by("material__sort_order", "id")
        return [{"code": i.material.code, "name": i.material.name} for i in items]


class TimelineEventSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    changes = serializers.DictField()
    reason = serializers.CharField()


class NotificationSerializer(serializers.Serializer):
    event = serializers.CharField(help_text="事件:case_accepted / case_notice / case_done / …")
    channel = serializers.CharField(help_text="渠道:sms 短信,inapp 站内消息")
    state = serializers.CharField(help_text="queued / sent / failed / delivered / cancelled")
    created_at = serializers.DateTimeField()


class NoticeOutputSerializer(serializers.Serializer):
    issued_at = serializers.DateTimeField()
    issued_by = serializers.CharField(source="issued_by.display_name")
    within_first_notice = serializers.BooleanField()
    materials = serializers.SerializerMethodField()

    @extend_schema_field(MaterialRefSerializer(many=True))
    def get_materials(self, notice) -> list[dict]:
        return [{"code": i.material.code, "name": i.material.name} for i in notice.items.all()]


class ApplicationDetailOutputSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    org_unit = serializers.CharField(source="org_unit.name")
    status_display = serializers.CharField(source="get_status_display")
    applicant_name = serializers.CharField(source="applicant.name")
    applicant_id_number = serializers.CharField(
        source="applicant.masked_id", help_text="身份证号码(前 6 后 4)"
    )
    applicant_phone = serializers.SerializerMethodField(help_text="联系电话(中间 4 位隐去)")
    first_responder = serializers.CharField(source="first_responder.display_name")
    handler = serializers.CharField(source="handler.display_name")
    received_materials = serializers.SerializerMethodField()
    notices = NoticeOutputSerializer(many=True)
    timeline = serializers.SerializerMethodField()
    notifications = serializers.SerializerMethodField(
        help_text="本办件引起的通知,按生成时间先后;不含手机号"
    )

    class Meta:
        model = Application
        fields = [
            "receipt_no",
            "item",
            "item_name",
            "org_unit",
            "status",
            "status_display",
            "channel",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "situation",
            "first_responder",
            "handler",
            "received_at",
            "accepted_on",
            "due_on",
            "paused_workdays",
            "finished_at",
            "decision_note",
            "certificate_no",
            "received_materials",
            "notices",
            "timeline",
            "notifications",
        ]

    def get_applicant_phone(self, application: Application) -> str:
        return application.applicant_phone_mask

    @extend_schema_field(MaterialRefSerializer(many=True))
    def get_received_materials(self, application: Application) -> list[dict]:
        return [
            {"code": r.material.code, "name": r.material.name}
            for r in application.received_materials.all()
        ]

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, application: Application) -> ReturnList:
        # many=True makes a ListSerializer, whose data is a list; the stubs type it as the child's.
        return TimelineEventSerializer(self.context["timeline"], many=True).data  # type: ignore[return-value]

    @extend_schema_field(NotificationSerializer(many=True))
    def get_notifications(self, application: Application) -> ReturnList:
        messages = messages_for(application).only("event", "channel", "state", "created_at")
        return NotificationSerializer(messages, many=True).data  # type: ignore[return-value]


class LookupInputSerializer(serializers.Serializer):
    receipt_no = serializers.CharField(
        max_length=30,
        help_text="受理编号",
        error_messages={"required": "受理编号:必填。", "blank": "受理编号:必填。"},
    )
    phone_last4 = serializers.RegexField(
        r"^[0-9]{4}$",
        help_text="申请时登记手机号的后四位",
        error_messages={
            "required": "手机号后四位:必填。",
            "blank": "手机号后四位:必填。",
            "invalid": "手机号后四位:请输入 4 位数字。",
        },
    )


class DueStateSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="overdue / warning / normal / done / unknown")
    days = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_blank=True)


class LookupOutputSerializer(serializers.Serializer):
    receipt_no = serializers.CharField()
    item = serializers.CharField()
    item_code = serializers.CharField()
    applicant = serializers.CharField(help_text="申请人姓名,只显示姓,如 张*")
    status = serializers.CharField()
    status_display = serializers.CharField()
    received_on = serializers.DateField()
    accepted_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    due_state = DueStateSerializer()
    finished_on = serializers.DateField(allow_null=True)
    first_responder = StaffCardSerializer()
    can_rate = serializers.BooleanField()
    rating = serializers.CharField(allow_null=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
