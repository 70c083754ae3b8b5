"""Log in and out of the staff pages (Django's session login; the API keeps its bearer tokens), and 修改密码."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from xiuhua.accounts.passwords import password_expired
from xiuhua.accounts.services import set_new_password
from xiuhua.core.errors import DomainError


class LoginForm(AuthenticationForm):
    def clean_username(self) -> str:
        """Refused with the limit named. Django sets the field's max_length only on the widget, so a pasted page
        would reach authentication, and django-axes's record of the failed try would overflow its column."""
        username = self.cleaned_data["username"]
        most = self.fields["username"].max_length
        if len(username) > most:
            raise forms.ValidationError(f"用户名最多 {most} 个字符，您输入了 {len(username)} 个", code="max_length")
        return username


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            context.update(demo_mode=True, demo_password=settings.DEMO_PASSWORD)
        return context


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


class PasswordForm(forms.Form):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    new_password1 = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="再次输入新密码", strip=False, widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("原密码不正确。")
        return old

    def clean(self) -> dict:
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        elif data.get("old_password") and data.get("old_password") == data.get("new_password1"):
            self.add_error("new_password1", "新密码不能与原密码相同。")
        return data


@login_required
def password(request: HttpRequest) -> HttpResponse:
    """修改密码 for every user; also where an expired or administrator-set password sends them.

    No transaction is open while the old password is checked or the new one hashed (see accounts.services).
    """
    form = PasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_new_password(request.user, form.cleaned_data["new_password1"], actor=request.user)
        except DomainError as exc:
            form.add_error("new_password1", exc.message)
        else:
            # Other sessions of this user end (their stored password hash no longer matches); this one stays.
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。其他设备上的登录和全部 API 令牌已失效。")
            target = request.POST.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = "web:home"
            return redirect(target)
    context = {
        "form": form,
        "forced": password_expired(request.user),
        "rules": password_validators_help_texts(),
        "next": request.GET.get("next") or request.POST.get("next") or "",
    }
    return render(request, "web/password.html", context, status=400 if form.errors else 200)
