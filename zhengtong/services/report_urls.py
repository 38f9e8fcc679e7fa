app_name = "service_reports"
urlpatterns: list = []
