# Placeholder, replaced by the real endpoints.
from rest_framework.views import APIView


class ProjectListApi(APIView):
    pass


class ProjectSummaryApi(APIView):
    pass


class ProjectOc4idsApi(APIView):
    pass


class ProjectDetailApi(APIView):
    pass


class ProgressReportCreateApi(APIView):
    pass
