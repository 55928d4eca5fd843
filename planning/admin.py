"""The plans in the admin: declarative lists; saving and the actions go through planning.services."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import CalendarFeed, ChecklistItem, Occurrence, Plan


class OccurrenceInline(admin.TabularInline):
    model = Occurrence
    fields = ["date", "ticket", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-date"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "machine", "kind", "every", "unit", "next_date", "paused", "assigned_to",
                    "assigned_to_team"]
    list_filter = ["paused", "kind", "unit", "machine"]
    search_fields = ["title", "description", "machine__machine_type", "machine__model"]
    readonly_fields = ["next_date", "generate_from", "last_error", "created_by", "created_at", "updated_at"]
    list_select_related = ["machine", "assigned_to"]
    autocomplete_fields = []
    inlines = [OccurrenceInline]
    actions = ["generate_now", "pause", "resume"]

    def has_module_permission(self, request):
        return services.can_manage(request.user) or super().has_module_permission(request)

    def _may(self, request):
        return services.can_manage(request.user)

    def has_view_permission(self, request, obj=None):
        return self._may(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return self._may(request)

    def save_model(self, request, obj, form, change):
        """Through the service: it validates, sets the author and the next date."""
        try:
            services.plan_save(plan=obj, by=request.user)
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)

    @admin.action(description=_("Générer maintenant"))
    def generate_now(self, request, queryset):
        result = services.generate(plans=list(queryset), force=True)
        self.message_user(request, ngettext("%(n)s ticket créé.", "%(n)s tickets créés.", len(result.created))
                          % {"n": len(result.created)}, messages.SUCCESS)
        if result.waiting:
            self.message_user(request, ngettext(
                "%(n)s plan attend que son ticket précédent soit terminé.",
                "%(n)s plans attendent que leur ticket précédent soit terminé.", len(result.waiting))
                % {"n": len(result.waiting)}, messages.WARNING)
        for plan, message in result.failed:
            self.message_user(request, f"{plan} : {message}", messages.ERROR)

    @admin.action(description=_("Mettre en pause"))
    def pause(self, request, queryset):
        for plan in queryset:
            services.plan_pause(plan=plan, by=request.user, paused=True)

    @admin.action(description=_("Reprendre"))
    def resume(self, request, queryset):
        for plan in queryset:
            services.plan_pause(plan=plan, by=request.user, paused=False)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["label", "ticket", "done_at", "done_by_name"]
    list_select_related = ["ticket"]
    readonly_fields = ["ticket", "position", "label", "done_at", "done_by", "done_by_name"]
    search_fields = ["label", "ticket__ticket_id"]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Staff may revoke a person's address (delete the row); the token itself is never shown."""
    list_display = ["user", "created_at"]
    fields = ["user", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
