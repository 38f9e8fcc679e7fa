from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from zhengtong.audit.middleware import client_ip

from . import login_limits


class LoginForm(AuthenticationForm):
    """One message for an unknown user and a wrong password, so neither gives the other away."""

    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "用户名或密码错误。",
    }

    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)

    throttled = False

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password") and self.request is not None:
            # Refuse a waiting attempt before the password hash is computed.
            wait = login_limits.wait_seconds(username=username, ip=client_ip(self.request))
            if wait > 0:
                self.throttled = True
                raise ValidationError(login_limits.wait_message(wait), code="throttled")
        return super().clean()
