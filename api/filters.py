"""Query-string filters of the lists. Each one narrows a queryset that
`Ticket.objects.visible_to(user)` already limited to what the caller may see."""
import django_filters
from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import SearchFilter

from accounts.models import User
from accounts.roles import Role
from tickets.models import Machine, Ticket


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number the database can hold, else a 400 (never an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 instant of our era: year 1 or 9999 would overflow when turned into UTC."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not 1900 <= value.year <= 2200:
            raise forms.ValidationError(_("Choisissez une date entre l'an 1900 et l'an 2200."), code="invalid")
        return value


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


# Ordering by priority means by urgency, not alphabetically.
PRIORITY_RANK = Case(
    *[When(priority=p, then=Value(rank)) for rank, p in enumerate(Ticket.Priority.values)],
    output_field=IntegerField(),
)


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Ticket.Status.choices, help_text=_("Un ou plusieurs statuts (répétez le paramètre).")
    )
    priority = django_filters.MultipleChoiceFilter(choices=Ticket.Priority.choices)
    machine = IdFilter(field_name="machine_id", help_text=_("Identifiant de la machine."))
    assigned_to = IdFilter(field_name="assigned_to_id", help_text=_("Identifiant du technicien."))
    assigned_to_team = django_filters.BooleanFilter()
    reporter = IdFilter(field_name="reporter_id", help_text=_("Identifiant de l'auteur."))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text=_("true : seulement les tickets en retard ; false : les autres.")
    )
    scheduled_after = InstantFilter(field_name="scheduled_date", lookup_expr="gte")
    scheduled_before = InstantFilter(field_name="scheduled_date", lookup_expr="lte")
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
            ("scheduled_date", "scheduled_date"),
            ("priority_rank", "priority"),
            ("status", "status"),
            ("ticket_id", "ticket_id"),
        ),
        help_text=_("Tri : created_at, updated_at, scheduled_date, priority, status, ticket_id ; « - » pour inverser."),
    )

    class Meta:
        model = Ticket
        fields = []

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.annotate(priority_rank=PRIORITY_RANK))

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.overdue(now=now)
        return queryset.exclude(pk__in=Ticket.objects.overdue(now=now).values("pk"))


class TicketFilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the query string holds nothing for it.

    Building the FilterSet (a deep copy of its 13 filters, then a form to clean)
    cost about a fifth of an unfiltered page of the list, which is what the
    mobile app asks for most; with only ?page, ?page_size or ?search there is
    nothing for it to filter or order. Any other parameter, even unknown or
    invalid, goes through the FilterSet exactly as before (a bad value is still
    a 400).
    """

    NOT_FOR_THE_FILTERSET = frozenset({"page", "page_size", "search"})

    def filter_queryset(self, request, queryset, view):
        if self.NOT_FOR_THE_FILTERSET.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


class TicketSearchFilter(SearchFilter):
    """`?search=` finds what the board's search box finds: `Ticket.objects.search()`.

    DRF's SearchFilter would match only its `search_fields` with icontains; the
    queryset method adds comments, the whole machine and, on PostgreSQL, French
    full-text search on an index. The parameter and its schema stay DRF's.
    """

    search_description = _("Mots à chercher (tous) : numéro, titre, description, machine, commentaires.")

    def filter_queryset(self, request, queryset, view):
        return queryset.search(request.query_params.get(self.search_param, ""))


class MachineFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Machine.Status.choices)

    class Meta:
        model = Machine
        fields = ["status"]


class UserFilter(django_filters.FilterSet):
    role = django_filters.MultipleChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = []
