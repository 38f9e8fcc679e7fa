"""One input and one output serializer per maternal-schedule operation. The date rules (LMP not in
the future nor older than 44 weeks, delivery after the LMP, discharge after delivery) live in the
actions; these only parse."""

from rest_framework import serializers

from ..models import MaternalVisit, Pregnancy


def _date_messages(label: str) -> dict:
    return {
        "required": f"{label}:必填。",
        "null": f"{label}:必填。",
        "invalid": f"{label}:日期格式应为 YYYY-MM-DD。",
    }


class PregnancyInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        help_text="人员 id",
        error_messages={
            "required": "人员:必填。",
            "null": "人员:必填。",
            "invalid": "人员:应为人员 id(整数)。",
        },
    )
    lmp = serializers.DateField(
        help_text="末次月经 YYYY-MM-DD", error_messages=_date_messages("末次月经")
    )
    high_risk = serializers.BooleanField(
        required=False,
        default=False,
        help_text="高危孕产妇",
        error_messages={"invalid": "高危:应为 true 或 false。"},
    )


class DeliveryInputSerializer(serializers.Serializer):
    delivered_on = serializers.DateField(
        help_text="分娩日期 YYYY-MM-DD", error_messages=_date_messages("分娩日期")
    )
    discharged_on = serializers.DateField(
        help_text="出院日期 YYYY-MM-DD", error_messages=_date_messages("出院日期")
    )


class MaternalVisitOutputSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", help_text="项目名称")

    class Meta:
        model = MaternalVisit
        fields = ["kind", "kind_display", "window_start", "window_end", "done_on"]


class PregnancyOutputSerializer(serializers.ModelSerializer):
    visits = serializers.SerializerMethodField()

    class Meta:
        model = Pregnancy
        fields = [
            "id",
            "person",
            "lmp",
            "edd",
            "delivered_on",
            "discharged_on",
            "high_risk",
            "visits",
        ]

    def get_visits(self, pregnancy: Pregnancy) -> list[dict]:
        visits = pregnancy.visits.order_by("window_start", "id")
        # many=True makes a ListSerializer, whose data is a list; the stubs type it as the child's.
        return MaternalVisitOutputSerializer(visits, many=True).data  # type: ignore[return-value]
