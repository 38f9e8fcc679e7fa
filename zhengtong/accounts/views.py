import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhengtong.lib.http import AuthenticatedHttpRequest

from .forms import LoginForm
from .middleware import SESSION_STATE
from .models import ApiToken
from .otp import (
    has_second_factor,
    otp_enrol_confirm,
    otp_required_for,
    pending_device,
    qr_data_uri,
    recovery_download_uri,
    secret_text,
)
from .otp import otp_verify as otp_verify_token
from .signals import record_password_change
from .tokens import MAX_LIFETIME_DAYS, api_token_create, api_token_revoke


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response


login = LoginView.as_view()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            record_password_change(user=form.user, actor=self.request.user)
        messages.success(self.request, "密码已修改。")
        return response


password_change = PasswordChangeView.as_view()


class OtpTokenForm(forms.Form):
    token = forms.CharField(label="验证码", max_length=20, strip=True)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("home")


@login_required
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: scan the QR code, type one code, keep the recovery codes."""
    user = request.user
    required = otp_required_for(user)
    if has_second_factor(user):
        return render(
            request, "registration/otp_setup.html", {"enabled": True, "required": required}
        )
    device = pending_device(user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp_enrol_confirm(request=request, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            request.session[SESSION_STATE] = False
            done = {
                "codes": codes,
                "download": recovery_download_uri(codes),
                "next": _safe_next(request),
            }
            return render(request, "registration/otp_codes.html", done)
        form.add_error("token", "验证码不正确,请核对手机验证器上当前的 6 位数字后再试。")
    context: dict[str, Any] = {
        "form": form,
        "required": required,
        "qr": qr_data_uri(device),
        "secret": secret_text(device),
        "next": request.GET.get("next", ""),
    }
    return render(request, "registration/otp_setup.html", context)


@login_required
@never_cache
def otp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The step after the password: a code from the authenticator, or one recovery code."""
    user = request.user
    if user.is_verified() or not has_second_factor(user):
        return redirect(_safe_next(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp_verify_token(request=request, token=form.cleaned_data["token"]):
            return redirect(_safe_next(request))
        form.add_error(
            "token",
            "验证码不正确或尝试过于频繁,请核对手机验证器上当前的 6 位数字,或输入一个恢复码。",
        )
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "registration/otp_verify.html", {"form": form, "next": next_url})


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, help_text="用途,如“数据大屏只读接口”。")
    scope = forms.ChoiceField(
        label="权限",
        choices=ApiToken.Scope.choices,
        initial="read",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    modules = forms.MultipleChoiceField(
        label="模块",
        choices=ApiToken.Module.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选即全部模块。",
    )
    expires_on = forms.DateField(label="到期日期", help_text="最长一年。")

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("到期日期须晚于今天。")
        if value > today + datetime.timedelta(days=MAX_LIFETIME_DAYS):
            raise forms.ValidationError("令牌有效期最长一年。")
        return value


@login_required
@never_cache
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own API tokens: make one (shown once), see them, revoke them."""
    created = None
    form = ApiTokenForm(
        request.POST or None,
        initial={"expires_on": timezone.localdate() + datetime.timedelta(days=90)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            end_of_day = datetime.datetime.combine(
                data["expires_on"],
                datetime.time(23, 59, 59),
                tzinfo=timezone.get_current_timezone(),
            )
            row, token = api_token_create(
                user=request.user,
                name=data["name"],
                scope=data["scope"],
                modules=data["modules"],
                expires_at=end_of_day,
            )
            created = {"row": row, "token": token}
            form = ApiTokenForm(
                initial={"expires_on": timezone.localdate() + datetime.timedelta(days=90)}
            )
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "created": created}
    return render(request, "registration/token_list.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"已吊销令牌“{token.name}”。")
    return redirect("accounts:token_list")
