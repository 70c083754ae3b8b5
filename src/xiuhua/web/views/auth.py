"""Log in and out of the staff pages (Django's session login; the API keeps its bearer tokens)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            context.update(demo_mode=True, demo_password=settings.DEMO_PASSWORD)
        return context


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"
