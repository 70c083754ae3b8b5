"""Admin pages to import, export and get a template of base data, on top of the importers' functions.

Usage in an app's admin.py:

    @admin.register(Department)
    class DepartmentAdmin(BaseDataImportMixin, admin.ModelAdmin):
        importer = import_departments          # (uploaded_file, actor) -> ImportResult
        exporter = export_departments          # (format) -> ExportFile(content, filename, content_type)
        template_exporter = department_template  # (format) -> ExportFile
        template_formats = ("xlsx", "csv")     # the first is what the buttons download

The import page writes nothing when the file has any error and lists every error by row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.http import content_disposition_header

from xiuhua.core.audit import record_audit, record_personal_data_export
from xiuhua.core.errors import DomainError, ImportRejected
from xiuhua.core.tabular import ExportFile, ImportResult

FORMAT_LABELS = {"xlsx": "Excel（.xlsx）", "csv": "CSV", "geojson": "GeoJSON", "shp": "Shapefile（.zip）"}
ACCEPT = {"xlsx": ".xlsx", "csv": ".csv", "geojson": ".geojson,.json", "shp": ".zip"}
MAX_WARNINGS_SHOWN = 20


class ImportForm(forms.Form):
    file = forms.FileField(label="文件")


class BaseDataImportMixin:
    """Adds import/, export/ and template/ pages and the 导入 / 导出 / 下载模板 buttons to a ModelAdmin."""

    importer: Callable[[Any, Any], ImportResult]
    exporter: Callable[[str], ExportFile]
    template_exporter: Callable[[str], ExportFile] | None = None
    template_formats: Sequence[str] = ("xlsx", "csv")
    # Exports of this model carry people's names and phone numbers: audited as a personal-data export.
    personal_data = False
    # A very bad file can have 100,000 errors; the page shows this many and says how many there are.
    max_errors_shown = 1000
    change_list_template = "admin/xiuhua/change_list.html"

    # -- urls and buttons

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        own = [
            path("import/", wrap(self.import_view), name=f"{prefix}_import"),
            path("export/", wrap(self.export_view), name=f"{prefix}_export"),
            path("template/", wrap(self.template_view), name=f"{prefix}_template"),
        ]
        # Before the model admin's own urls, whose "<object_id>/" would swallow these.
        return own + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        context = {**self._base_data_context(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def _base_data_context(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "base_data_can_import": self._can_import(request),
            "base_data_formats": [(f, FORMAT_LABELS.get(f, f)) for f in self.template_formats],
            "base_data_default_format": self.template_formats[0],
            "base_data_has_template": self._template_exporter() is not None,
        }

    def _can_import(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    # -- import

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self._can_import(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = type(self).importer(form.cleaned_data["file"], request.user)
            except ImportRejected as exc:
                return self._import_page(request, form, exc.errors, status=400)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                self._report(request, result)
                return HttpResponseRedirect(self._changelist_url())
        return self._import_page(request, form, [])

    def _import_page(self, request: HttpRequest, form: ImportForm, errors: list, status: int = 200) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            **self._base_data_context(request),
            "opts": self.opts,
            "title": f"导入{self.opts.verbose_name}",
            "form": form,
            "errors": errors[: self.max_errors_shown],
            "error_count": len(errors),
            "errors_truncated": len(errors) > self.max_errors_shown,
            "accept": ",".join(ACCEPT.get(f, "") for f in self.template_formats),
            "changelist_url": self._changelist_url(),
        }
        return TemplateResponse(request, "admin/xiuhua/import_form.html", context, status=status)

    def _report(self, request: HttpRequest, result: ImportResult) -> None:
        messages.success(request, result.summary())
        for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
            messages.warning(request, warning)
        if len(result.warnings) > MAX_WARNINGS_SHOWN:
            messages.warning(request, f"另有 {len(result.warnings) - MAX_WARNINGS_SHOWN} 条提示未显示")

    # -- export and template

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._download(request, type(self).exporter, "exported")

    def template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request) or self._template_exporter() is None:
            raise PermissionDenied
        return self._download(request, self._template_exporter(), "template")

    def _template_exporter(self) -> Callable[[str], ExportFile] | None:
        return type(self).template_exporter

    def _download(self, request: HttpRequest, make: Callable[[str], ExportFile], what: str) -> HttpResponse:
        fmt = request.GET.get("format") or self.template_formats[0]
        if fmt not in self.template_formats:
            messages.error(request, f"不支持的格式「{fmt}」，可选：{'、'.join(self.template_formats)}")
            return HttpResponseRedirect(self._changelist_url())
        content, filename, content_type = make(fmt)
        if what == "exported" and self.personal_data:
            rows = self.model._default_manager.count()
            record_personal_data_export(request.user, self.opts.label, rows, file=filename)
        elif what == "exported":
            record_audit(request.user, "base_data.exported", target=self.opts.label, summary=filename)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    def _changelist_url(self) -> str:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
        return reverse(name, current_app=self.admin_site.name)
