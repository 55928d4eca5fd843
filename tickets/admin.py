from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Comment, Machine, Media, Ticket, TimelineEntry


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    list_display = ["machine_type", "model", "serial_number", "location", "status"]
    list_filter = ["status", "machine_type", "location"]
    search_fields = ["machine_type", "model", "serial_number", "location"]


class OverdueFilter(admin.SimpleListFilter):
    title = _("en retard")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("En retard")), ("no", _("À l'heure"))]

    def queryset(self, request, queryset):
        overdue = Ticket.objects.overdue(now=timezone.now()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assigné à")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        from accounts.models import User

        people = [(str(u.pk), str(u)) for u in User.objects.technicians()]
        return [("team", Ticket.TEAM_LABEL), ("none", _("Personne"))] + people

    def queryset(self, request, queryset):
        value = self.value()
        if value == "team":
            return queryset.filter(assigned_to_team=True)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True, assigned_to_team=False)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=value)
        return queryset


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    fields = ["created_at", "author", "author_name", "body"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["author"]


class MediaInline(admin.TabularInline):
    model = Media
    extra = 0
    fields = ["original_name", "kind", "content_type", "size", "file", "uploaded_by", "created_at"]
    readonly_fields = ["original_name", "kind", "content_type", "size", "uploaded_by", "created_at"]


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "actor_name", "action", "old_value", "new_value", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["ticket_id", "title", "machine", "status", "priority", "assignee", "scheduled_date",
                    "overdue", "created_at"]
    list_filter = ["status", "priority", "machine", OverdueFilter, AssigneeFilter]
    list_select_related = ["machine", "assigned_to", "reporter"]
    search_fields = ["ticket_id", "title"]
    date_hierarchy = "created_at"
    readonly_fields = ["ticket_id", "created_at", "updated_at", "completed_at"]
    autocomplete_fields = ["reporter", "assigned_to", "machine"]
    fieldsets = [
        (None, {"fields": ["ticket_id", "title", "description", "machine", "priority", "status"]}),
        (_("Assignation et planification"), {"fields": ["reporter", "assigned_to", "assigned_to_team",
                                                         "scheduled_date"]}),
        (_("Dates"), {"fields": ["created_at", "updated_at", "completed_at"]}),
    ]
    inlines = [CommentInline, MediaInline, TimelineInline]

    @admin.display(description=_("assigné à"))
    def assignee(self, obj):
        return obj.assignee_label or "—"

    @admin.display(description=_("en retard"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue(timezone.now())


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket", "action", "actor_name", "old_value", "new_value"]
    list_filter = ["action"]
    list_select_related = ["ticket", "actor"]
    search_fields = ["ticket__ticket_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket", "display_author", "body"]
    list_select_related = ["ticket", "author"]
    search_fields = ["ticket__ticket_id", "body"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["ticket", "author"]


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket", "original_name", "kind", "size", "uploaded_by"]
    list_filter = ["kind"]
    list_select_related = ["ticket", "uploaded_by"]
    search_fields = ["ticket__ticket_id", "original_name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["ticket"]
