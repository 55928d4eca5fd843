"""The ticket admin: a window on the workflow, not a way around it.

Status, assignment and schedule are never saved as plain fields here: the change
form's "statut", "assigné à" and "date planifiée" and the list's actions call the
same service functions as the pages and the API (tickets/services.py), so every
change writes its timeline row, `completed_at` follows the workflow's rules, a
forbidden move is refused in French and a stale page is told so.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import policies
from .models import Comment, Machine, Media, Ticket, TimelineEntry
from .services import (
    ConflictError,
    media_delete,
    ticket_assign,
    ticket_create,
    ticket_move,
    ticket_schedule,
    ticket_update,
)

TEAM = "team"
STALE = _("Ce ticket vient d'être modifié par quelqu'un d'autre. Rechargez la page.")


def _local(moment):
    """A date as the factory reads it (the fields show factory time, so must every column)."""
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "—"


def _error_text(error):
    """The person-readable words of a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    list_display = ["machine_type", "model", "serial_number", "location", "status"]
    list_filter = ["status", "machine_type", "location"]
    search_fields = ["machine_type", "model", "serial_number", "location"]

    def save_model(self, request, obj, form, change):
        """A status change goes through machines.services.machine_set_status (its history row, who and when).

        The other changed fields are saved without the status, so a status someone changed meanwhile is
        never written back from this form's stale copy.
        """
        if not change:
            return super().save_model(request, obj, form, change)
        from machines.services import machine_set_status  # machines depends on tickets, not the reverse.

        fields = [name for name in form.changed_data if name != "status"]
        if fields:
            obj.save(update_fields=[*fields, "updated_at"])
        if "status" in form.changed_data:
            machine_set_status(machine=obj, status=obj.status, by=request.user, check=False)


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


class NoAddFromAdmin:
    """Comments and files are added on the ticket page, where `comment_add` and
    `media_add` write the timeline row and read a file's type from its content;
    the admin corrects or removes them, it does not add them around the services."""

    def has_add_permission(self, request, obj=None):
        return False


class CommentInline(NoAddFromAdmin, admin.TabularInline):
    model = Comment
    extra = 0
    fields = ["created_at", "author", "author_name", "body"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["author"]
    classes = ["igp-wrap"]


class MediaInline(NoAddFromAdmin, admin.TabularInline):
    model = Media
    extra = 0
    # Removed from the ticket page or the file's own admin page, through `media_delete`
    # (timeline row, file and thumbnail off the storage), never by an inline checkbox.
    can_delete = False
    fields = ["original_name", "kind", "content_type", "size", "file", "uploaded_by", "created_at"]
    readonly_fields = fields
    classes = ["igp-wrap"]


class TimelineWords:
    """Old and new values of a timeline row in words (TimelineEntry.words), for the inline and the list."""

    @admin.display(description=_("ancienne valeur"))
    def old_words(self, entry):
        return entry.words(entry.old_value) or "—"

    @admin.display(description=_("nouvelle valeur"))
    def new_words(self, entry):
        return entry.words(entry.new_value) or "—"


class TimelineInline(TimelineWords, admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = ["created_at", "who", "action", "old_words", "new_words", "note"]
    readonly_fields = fields
    classes = ["igp-wrap"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("par"))
    def who(self, entry):
        return entry.display_actor or "—"



class TicketAdminForm(forms.ModelForm):
    """The ticket's own words are model fields; status, assignment and schedule are not.

    `move_to`, `assignee` and `scheduled_for` are plain form fields that
    `TicketAdmin.save_model` hands to the services. `seen_status` carries the
    status the page was drawn with: a move asked from a page that another person
    overtook is refused instead of silently undoing his move.
    """

    move_to = forms.ChoiceField(label=_("Statut"), choices=Ticket.Status.choices, required=False)
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)
    assignee = forms.ChoiceField(label=_("Assigné à"), required=False)
    scheduled_for = forms.SplitDateTimeField(label=_("Date planifiée"), required=False, widget=AdminSplitDateTime,
                                             help_text=_("Heure de l'usine. Vide : pas de date."))

    # Set by TicketAdmin.get_form: whose rights the checks below apply.
    user = None

    class Meta:
        model = Ticket
        fields = ["title", "description", "machine", "priority", "reporter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ticket = self.instance
        from accounts.models import User

        people = list(User.objects.technicians().order_by("first_name", "last_name"))
        if ticket.assigned_to_id and ticket.assigned_to not in people:
            people.insert(0, ticket.assigned_to)  # A deactivated account stays shown until reassigned.
        self.fields["assignee"].choices = (
            [("", _("Personne")), (TEAM, Ticket.TEAM_LABEL)] + [(str(p.pk), str(p)) for p in people])
        self.initial.setdefault("assignee", self.assignee_code(ticket))
        self.initial.setdefault("move_to", ticket.status)
        self.initial.setdefault("seen_status", ticket.status)
        if ticket.scheduled_date:
            self.initial.setdefault("scheduled_for", timezone.localtime(ticket.scheduled_date))
        if ticket.pk:
            allowed = ", ".join(str(Ticket.Status(s).label) for s in ticket.allowed_statuses())
            self.fields["move_to"].help_text = format_lazy(
                _("Passages permis depuis « {current} » : {allowed}."),
                current=ticket.get_status_display(), allowed=allowed)
        if "reporter" in self.fields and self.user is not None:
            self.fields["reporter"].initial = self.user.pk

    @staticmethod
    def assignee_code(ticket):
        if ticket.assigned_to_team:
            return TEAM
        return str(ticket.assigned_to_id) if ticket.assigned_to_id else ""

    def clean_reporter(self):
        reporter = self.cleaned_data.get("reporter")
        if reporter is not None and not policies.can_report(reporter):
            raise ValidationError(_("Cette personne n'a pas le droit de signaler un problème."))
        return reporter

    def clean(self):
        data = super().clean()
        ticket = self.instance
        if not ticket.pk:
            data["move_to"] = ticket.status  # A new ticket starts "Reçu", as on the pages.
        move_to, seen = data.get("move_to") or ticket.status, data.get("seen_status") or ticket.status
        if move_to != seen:
            if seen != ticket.status:
                self.add_error("move_to", STALE)
            elif not policies.can_move(self.user, ticket):
                self.add_error("move_to", _("Vous n'avez pas le droit de changer le statut de ce ticket."))
            elif not ticket.can_move_to(move_to):
                self.add_error("move_to", gettext("Passage de « %(old)s » à « %(new)s » non permis.") % {
                    "old": ticket.get_status_display(), "new": Ticket.Status(move_to).label})
        if "assignee" in self.changed_data and not policies.can_assign(self.user, ticket if ticket.pk else None):
            self.add_error("assignee", _("Vous n'avez pas le droit d'assigner ce ticket."))
        if "scheduled_for" in self.changed_data and not policies.can_schedule(self.user,
                                                                              ticket if ticket.pk else None):
            self.add_error("scheduled_for", _("Vous n'avez pas le droit de planifier ce ticket."))
        return data

    @staticmethod
    def _person(pk):
        from accounts.models import User

        return User.objects.get(pk=pk)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets as the supervisor knows them, changed only through the workflow.

    Adding a ticket here goes through `ticket_create` too (its number comes from
    the day's sequence, a "Ticket créé" row is written), then through
    `ticket_assign`/`ticket_schedule` when the form says so: a report phoned in
    to the office gets the same history as one typed on the floor. Title,
    description, priority and machine go through `ticket_update`, one timeline
    row per change. The list's actions move, assign or unassign many tickets at
    once, ticket by ticket through the same services, and say which were refused.
    """

    form = TicketAdminForm
    # Six columns that fit a 1280-pixel screen beside the filters: the ticket number
    # already names the machine (IGP-<TYPE>-<MODEL>-…, and the machine is a filter),
    # the date and "en retard" share one column, the creation date is the date hierarchy.
    list_display = ["ticket_id", "title", "status", "priority", "assignee", "schedule"]
    list_filter = ["status", "priority", "machine", OverdueFilter, AssigneeFilter]
    list_select_related = ["machine", "assigned_to", "reporter"]
    search_fields = ["ticket_id", "title"]
    date_hierarchy = "created_at"
    readonly_fields = ["ticket_id", "created_at", "updated_at", "completed_at"]
    autocomplete_fields = ["reporter", "machine"]
    inlines = [CommentInline, MediaInline, TimelineInline]
    actions = ["assign_to_team", "unassign", "assign_to_technician"]

    def get_fieldsets(self, request, obj=None):
        main = ["title", "description", "machine", "priority"]
        workflow = ["assignee", "scheduled_for"]
        if obj is None:
            return [(None, {"fields": main + ["reporter"]}),
                    (_("Assignation et planification"), {"fields": workflow})]
        return [
            (None, {"fields": ["ticket_id", *main, "move_to", "seen_status"]}),
            (_("Assignation et planification"), {"fields": ["reporter", *workflow]}),
            (_("Dates"), {"fields": ["created_at", "updated_at", "completed_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # The reporter is who reported: fixed once the ticket exists.
        return [*self.readonly_fields, "reporter"] if obj is not None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_inlines(self, request, obj):
        # A ticket being created has no history yet; its comments and files come after.
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        """Hand every change to its service; never `obj.save()`."""
        data, user = form.cleaned_data, request.user
        if change:
            ticket = Ticket.objects.select_related("assigned_to").get(pk=obj.pk)
            edits = {name: data[name] for name in ("title", "description", "machine", "priority")
                     if name in form.changed_data}
            if edits:
                ticket_update(ticket=ticket, by=user, **edits)
        else:
            ticket = ticket_create(reporter=data["reporter"], machine=data["machine"], title=data["title"],
                                   description=data["description"], priority=data["priority"])
            obj.pk = ticket.pk
        refusals = []
        if change and data.get("move_to") and data["move_to"] != data.get("seen_status"):
            ticket.status = data["seen_status"]  # The conditional update compares with what the page showed.
            try:
                ticket_move(ticket=ticket, to_status=data["move_to"], by=user)
            except (ConflictError, ValidationError, PermissionDenied) as error:
                refusals.append(error)
        if "assignee" in form.changed_data:
            code = data.get("assignee") or ""
            technician = form._person(code) if code not in ("", TEAM) else None
            try:
                ticket_assign(ticket=ticket, by=user, technician=technician, team=code == TEAM)
            except (ValidationError, PermissionDenied) as error:
                refusals.append(error)
        if "scheduled_for" in form.changed_data:
            try:
                ticket_schedule(ticket=ticket, by=user, scheduled_date=data.get("scheduled_for"))
            except (ValidationError, PermissionDenied) as error:
                refusals.append(error)
        for error in refusals:
            self.message_user(request, _error_text(error), messages.ERROR)
        request.igp_refused = bool(refusals)
        obj._state.adding = False
        obj.refresh_from_db()

    def response_change(self, request, obj):
        # A refused move is not "changed successfully": back to the page, with the reason.
        if getattr(request, "igp_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.has_perm("tickets.move_ticket"):
            for status in Ticket.Status:
                name = f"move_to_{status.value}"
                actions[name] = (self._mover(status), name,
                                 format_lazy(_("Passer au statut « {} »"), status.label))
        if not request.user.has_perm("tickets.assign_ticket"):
            for name in ("assign_to_team", "unassign", "assign_to_technician"):
                actions.pop(name, None)
        return actions

    @staticmethod
    def _mover(status):
        def move(modeladmin, request, queryset):
            modeladmin._each(request, queryset, lambda ticket: ticket_move(ticket=ticket, to_status=status,
                                                                           by=request.user))
        return move

    def _each(self, request, queryset, change):
        """Apply one service to each selected ticket; say how many changed and why others did not."""
        done, refused = 0, []
        for ticket in queryset.select_related("assigned_to"):
            try:
                change(ticket)
                done += 1
            except (ConflictError, ValidationError, PermissionDenied) as error:
                refused.append(f"{ticket.ticket_id} : {_error_text(error)}")
        if done:
            self.message_user(request, ngettext("%d ticket modifié.", "%d tickets modifiés.", done) % done,
                              messages.SUCCESS)
        for line in refused:
            self.message_user(request, format_lazy(_("Refusé — {}"), line), messages.ERROR)

    @admin.action(description=_("Assigner à toute l'équipe"))
    def assign_to_team(self, request, queryset):
        self._each(request, queryset, lambda t: ticket_assign(ticket=t, by=request.user, team=True))

    @admin.action(description=_("Retirer l'assignation"))
    def unassign(self, request, queryset):
        self._each(request, queryset, lambda t: ticket_assign(ticket=t, by=request.user))

    @admin.action(description=_("Assigner à un technicien…"))
    def assign_to_technician(self, request, queryset):
        """Two steps, like Django's delete action: pick the technician, then apply."""
        from accounts.models import User

        people = User.objects.technicians().order_by("first_name", "last_name")
        chosen = request.POST.get("technician")
        if "apply" in request.POST and chosen:
            technician = people.filter(pk=chosen).first()
            if technician is not None:
                self._each(request, queryset, lambda t: ticket_assign(ticket=t, by=request.user,
                                                                      technician=technician))
                return None
        context = {**self.admin_site.each_context(request), "title": _("Assigner à un technicien"),
                   "opts": self.model._meta, "tickets": queryset, "people": people,
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/tickets/ticket/assign_to_technician.html", context)

    @admin.display(description=_("assigné à"))
    def assignee(self, obj):
        return obj.assignee_label or "—"

    @admin.display(description=_("planifié"), ordering="scheduled_date")
    def schedule(self, obj):
        if obj.is_overdue(timezone.now()):
            return format_html('{}<br><strong class="igp-late">{}</strong>', _local(obj.scheduled_date),
                               _("EN RETARD"))
        return _local(obj.scheduled_date)


@admin.register(TimelineEntry)
class TimelineEntryAdmin(TimelineWords, admin.ModelAdmin):
    list_display = ["created_at", "ticket", "action", "actor_name", "old_words", "new_words"]
    list_filter = ["action"]
    list_select_related = ["ticket", "actor"]
    search_fields = ["ticket__ticket_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False



@admin.register(Comment)
class CommentAdmin(NoAddFromAdmin, admin.ModelAdmin):
    list_display = ["created_at", "ticket", "display_author", "body"]
    list_select_related = ["ticket", "author"]
    search_fields = ["ticket__ticket_id", "body"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["ticket", "author"]


@admin.register(Media)
class MediaAdmin(NoAddFromAdmin, admin.ModelAdmin):
    readonly_fields = ["ticket", "file", "thumbnail", "original_name", "content_type", "kind", "size", "uploaded_by",
                       "storage_key", "external_url", "created_at"]
    exclude = ["thumbnail_width", "thumbnail_height"]

    def delete_model(self, request, obj):
        """Through the service: a timeline row, and the file and its thumbnail leave the storage."""
        media_delete(media=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for media in queryset.select_related("ticket"):
            self.delete_model(request, media)
    list_display = ["created_at", "ticket", "original_name", "kind", "size", "uploaded_by"]
    list_filter = ["kind"]
    list_select_related = ["ticket", "uploaded_by"]
    search_fields = ["ticket__ticket_id", "original_name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["ticket"]
