from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from xiuhua.notify.models import MessageTemplate, Notice
from xiuhua.notify.templating import preview, template_problem, variables_of


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "subject", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "subject", "recipient__username")
    readonly_fields = ("recipient", "kind", "title", "body", "subject", "created_at", "read_at")

    def has_add_permission(self, request) -> bool:
        return False


class MessageTemplateForm(forms.ModelForm):
    """Refuses a text that is not a valid template, or that uses a variable its kind of message does not have:
    a typo must show here, not as an SMS with a hole in it."""

    class Meta:
        model = MessageTemplate
        fields = ("kind", "channel", "title", "body", "provider_template_id", "active")

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind:
            for name in ("title", "body"):
                problem = template_problem(kind, data.get(name) or "")
                if problem:
                    self.add_error(name, problem)
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("__str__", "provider_template_id", "active", "updated_at")
    list_filter = ("kind", "channel", "active")
    readonly_fields = ("rendered_preview", "known_variables", "updated_at")
    fields = (
        "kind",
        "channel",
        "title",
        "body",
        "known_variables",
        "rendered_preview",
        "provider_template_id",
        "active",
        "updated_at",
    )

    @admin.display(description=_("preview"))
    def rendered_preview(self, obj: MessageTemplate) -> str:
        if not obj.pk:
            return "保存后显示示例"
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', preview(obj.kind, obj.body))

    @admin.display(description=_("variables"))
    def known_variables(self, obj: MessageTemplate) -> str:
        if not obj.pk:
            return "保存后显示该类消息可用的变量"
        rows = variables_of(obj.kind).items()
        return format_html("<ul>{}</ul>", format_html_join("", "<li><code>{{{{ {} }}}}</code> {}</li>", rows))
