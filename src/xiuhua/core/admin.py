from django.contrib import admin

from xiuhua.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is read-only everywhere: no add, change or delete."""

    list_display = ("at", "actor_username", "action", "target", "result", "ip", "summary")
    list_filter = ("result", "action")
    search_fields = ("target", "summary", "actor_username", "ip")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
