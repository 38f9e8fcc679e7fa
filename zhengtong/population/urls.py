app_name = "population"
urlpatterns: list = []
