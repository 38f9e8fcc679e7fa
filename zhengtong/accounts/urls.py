from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_imports

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("otp/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # The first-run imports (views_imports.py): 组织单位, 用户, 窗口岗位.
    *(
        path(f"imports/{kind}/", views_imports.setup_import, {"kind": kind}, name=f"{kind}_import")
        for kind in views_imports.IMPORTS
    ),
    *(
        path(
            f"imports/{kind}/template/",
            views_imports.setup_import_template,
            {"kind": kind},
            name=f"{kind}_import_template",
        )
        for kind in views_imports.IMPORTS
    ),
]
