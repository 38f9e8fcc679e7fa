"""Input and output serializers of the persons endpoints (registry). Outputs mask ID numbers
and phones: the caller looked the person up by the number and has no need to read it back."""

from rest_framework import serializers

from zhengtong.people.models import Person


class PersonLookupInputSerializer(serializers.Serializer):
    id_number = serializers.CharField(
        max_length=32, error_messages={"required": "请提供 id_number(公民身份号码)。"}
    )


class PersonOutputSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id")
    phone = serializers.CharField(source="masked_phone")
    sex = serializers.CharField(source="get_sex_display")
    org_unit = serializers.CharField(source="org_unit.name", default="")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "org_unit",
            "hukou_type",
            "marital_status",
            "url",
        ]

    def get_url(self, obj: Person) -> str:
        return f"/population/persons/{obj.pk}/"
