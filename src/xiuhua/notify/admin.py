from django.contrib import admin

from xiuhua.notify.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "subject", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "subject", "recipient__username")
    readonly_fields = ("recipient", "kind", "title", "body", "subject", "created_at", "read_at")

    def has_add_permission(self, request) -> bool:
        return False
