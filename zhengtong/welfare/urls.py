app_name = "welfare"
urlpatterns: list = []
