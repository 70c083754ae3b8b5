from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiuhua.worktime.models import WorkDay, WorkWindow
from xiuhua.worktime.services import confirm_years, fallback_years


def warn_about_fallback_years(request) -> None:
    years = fallback_years()
    if years:
        messages.warning(
            request,
            _(
                "Years %(years)s are on the Monday–Friday fallback: enter the State Council's holiday schedule "
                "for them (mark holidays and make-up workdays) so that deadlines are right."
            )
            % {"years": "、".join(str(y) for y in years)},
        )


@admin.register(WorkDay)
class WorkDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "holiday_name", "source")
    list_filter = ("is_workday", "source")
    list_editable = ("is_workday", "holiday_name")
    date_hierarchy = "date"
    search_fields = ("holiday_name",)
    actions = ["confirm_selected_years"]

    @admin.action(description=gettext_lazy("Confirm the schedule of the selected days' years as entered"))
    def confirm_selected_years(self, request, queryset):
        years = sorted({d.year for d in queryset.dates("date", "year")})
        confirm_years(years)
        self.message_user(request, _("Confirmed: %(years)s") % {"years": "、".join(map(str, years))})

    def changelist_view(self, request, extra_context=None):
        warn_about_fallback_years(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # A day someone corrected by hand is the official schedule from now on.
        obj.source = "manual"
        super().save_model(request, obj, form, change)


@admin.register(WorkWindow)
class WorkWindowAdmin(admin.ModelAdmin):
    list_display = ("start", "end")
