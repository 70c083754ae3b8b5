"""Routing rules in the admin, with a "who would get this?" preview that runs the real routing."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiuhua.catalog.choices import ClassKind
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.core.errors import DomainError
from xiuhua.routing.models import AutoDispatch, RoutingRule
from xiuhua.routing.services import matching_rules, route
from xiuhua.territory.services import locate_point


class PreviewForm(forms.Form):
    class_code = forms.CharField(label=_("class code"), max_length=5)
    kind = forms.ChoiceField(label=_("kind"), choices=ClassKind.choices)
    place = forms.CharField(
        label=_("place"), max_length=40, help_text=_("A 15-character unit grid code, or longitude,latitude (WGS84).")
    )
    component_code = forms.CharField(label=_("component code"), max_length=17, required=False)
    at = forms.DateTimeField(
        label=_("at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        data["case_class"] = CaseClass.objects.filter(code=data["class_code"], kind=data["kind"], active=True).first()
        if data["case_class"] is None:
            raise forms.ValidationError(_("No active class with this code and kind."))
        data["grid_code"] = self._grid_code(data["place"].strip())
        code = data.get("component_code", "").strip()
        data["component"] = Component.objects.filter(code=code).first() if code else None
        if code and data["component"] is None:
            raise forms.ValidationError(_("No component with this code."))
        return data

    @staticmethod
    def _grid_code(place: str) -> str:
        if "," not in place:
            return place.upper()
        try:
            lng, lat = (float(part) for part in place.split(","))
            return locate_point(lng, lat).grid_code
        except ValueError:
            raise forms.ValidationError(_("Write the place as a grid code or as longitude,latitude.")) from None
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "priority",
        "kind",
        "major_code",
        "case_class",
        "area_code",
        "start_time",
        "end_time",
        "lead_department",
        "active",
    )
    list_filter = ("active", "kind", "major_code", "lead_department")
    search_fields = ("name", "area_code", "case_class__code", "case_class__name")
    autocomplete_fields = ("case_class", "lead_department", "assisting_departments")
    change_list_template = "admin/routing/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        preview = path("preview/", self.admin_site.admin_view(self.preview_view), name="routing_routingrule_preview")
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        form = PreviewForm(request.GET or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Who would get this case?"),
        }
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            at = data["at"] or timezone.now()
            context["suggestion"] = route(data["case_class"], data["grid_code"], component=data["component"], at=at)
            context["rules"] = matching_rules(data["case_class"], data["grid_code"], at)
            context["grid_code"] = data["grid_code"]
            context["at"] = timezone.localtime(at) if isinstance(at, datetime) else at
        return TemplateResponse(request, "admin/routing/preview.html", context)


@admin.register(AutoDispatch)
class AutoDispatchAdmin(admin.ModelAdmin):
    list_display = ("case_class", "enabled")
    list_filter = ("enabled",)
    autocomplete_fields = ("case_class",)
    search_fields = ("case_class__code", "case_class__name")
