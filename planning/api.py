"""The plans over the REST API (JWT), for the mobile app and integrations.

- `GET/POST /api/plans`, `GET/PATCH/DELETE /api/plans/{id}` — readable by whoever sees every ticket or
  manages plans; written by `planning.manage_plans` only (planning.services.plan_save validates and
  points the plan at its next date).
- `POST /api/plans/{id}/generate` — "Générer maintenant": the tickets created (none when the previous
  ticket is still open: `waiting` says so).
- `GET /api/plans/{id}/occurrences` — the dates already generated and their tickets.
- `GET /api/checklist-items?ticket=<number>`, `PATCH /api/checklist-items/{id}` `{"done": true}` — a
  ticket's checklist, ticked by whoever may work the ticket (planning.checklist.checklist_tick).
"""
from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from api.views import ERROR
from tickets.models import Ticket

from . import services
from .checklist import can_tick, checklist_tick
from .models import ChecklistItem, Occurrence, Plan

TAGS = ["plans"]


class PlanPermission(BasePermission):
    message = _("Votre rôle ne permet pas de gérer les plans de maintenance.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return services.can_manage(user) or user.has_perm("tickets.view_all_tickets")
        return services.can_manage(user)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "08:00"})
class WallClockField(serializers.TimeField):
    """The plan's hour in factory time, "08:00" (a wall-clock time: no offset, it follows DST)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class PlanSerializer(serializers.ModelSerializer):
    time_of_day = WallClockField(required=False, help_text=_("Heure de l'usine, par exemple 08:00."))
    due_soon_hours = serializers.IntegerField(min_value=0, max_value=24 * 30, required=False,
                                              help_text=_("Rappel à la personne assignée, en heures avant la date."))
    checklist = serializers.ListField(child=serializers.CharField(max_length=255), required=False)

    class Meta:
        model = Plan
        fields = ["id", "machine", "title", "description", "checklist", "priority", "assigned_to",
                  "assigned_to_team", "kind", "every", "unit", "start_date", "time_of_day", "lead_days",
                  "due_soon_hours", "end_date", "paused", "next_date", "last_error", "created_at"]
        read_only_fields = ["next_date", "last_error", "created_at"]

    def to_representation(self, plan):
        data = super().to_representation(plan)
        data["due_soon_hours"] = int(plan.due_soon_lead.total_seconds() // 3600)
        return data

    def validate(self, data):
        if data.get("assigned_to") and data.get("assigned_to_team"):
            raise serializers.ValidationError(_("Choisissez un technicien ou toute l'équipe, pas les deux."))
        return data


class OccurrenceSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.ticket_id", read_only=True, allow_null=True, default=None)
    ticket_status = serializers.CharField(source="ticket.status", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Occurrence
        fields = ["id", "date", "ticket", "ticket_status", "created_at"]


class GenerateSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField(), help_text=_("Numéros des tickets créés."))
    waiting = serializers.BooleanField(help_text=_("Le ticket précédent est encore ouvert : la date attend."))
    errors = serializers.ListField(child=serializers.CharField())


@extend_schema_view(
    list=extend_schema(summary=_("Les plans de maintenance préventive"), tags=TAGS,
                       responses={200: PlanSerializer(many=True), 401: ERROR, 403: ERROR}),
    retrieve=extend_schema(summary=_("Un plan"), tags=TAGS, responses={200: PlanSerializer, 403: ERROR, 404: ERROR}),
    create=extend_schema(summary=_("Créer un plan"), tags=TAGS,
                         responses={201: PlanSerializer, 400: ERROR, 403: ERROR}),
    partial_update=extend_schema(summary=_("Modifier, mettre en pause ou reprendre un plan"), tags=TAGS,
                                 responses={200: PlanSerializer, 400: ERROR, 403: ERROR, 404: ERROR}),
    destroy=extend_schema(summary=_("Supprimer un plan (ses tickets restent)"), tags=TAGS,
                          responses={204: None, 403: ERROR, 404: ERROR}),
)
class PlanViewSet(viewsets.ModelViewSet):
    queryset = Plan.objects.select_related("machine", "assigned_to").order_by("pk")
    serializer_class = PlanSerializer
    permission_classes = [PlanPermission]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = []
    lookup_value_regex = r"\d+"

    def _save(self, serializer, plan):
        data = dict(serializer.validated_data)
        hours = data.pop("due_soon_hours", None)
        for name, value in data.items():
            setattr(plan, name, value)
        if hours is not None:
            plan.due_soon_lead = timedelta(hours=hours)
        serializer.instance = services.plan_save(plan=plan, by=self.request.user)

    def perform_create(self, serializer):
        self._save(serializer, Plan())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(summary=_("Générer maintenant le prochain ticket du plan"), tags=TAGS, request=None,
                   responses={200: GenerateSerializer, 403: ERROR, 404: ERROR})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        plan = self.get_object()
        result = services.generate(plans=[plan], force=True)
        return Response({"created": [t.ticket_id for t in result.created], "waiting": bool(result.waiting),
                         "errors": [m for _p, m in result.failed]})

    @extend_schema(summary=_("Les dates déjà générées et leurs tickets"), tags=TAGS,
                   responses={200: OccurrenceSerializer(many=True), 403: ERROR, 404: ERROR})
    @action(detail=True, methods=["get"], pagination_class=None)
    def occurrences(self, request, pk=None):
        plan = self.get_object()
        rows = plan.occurrences.select_related("ticket")[:200]
        return Response(OccurrenceSerializer(rows, many=True).data)


class ChecklistItemSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.ticket_id", read_only=True)
    done = serializers.BooleanField()
    done_by = serializers.CharField(source="done_by_name", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "ticket", "position", "label", "done", "done_at", "done_by"]
        read_only_fields = ["position", "label", "done_at"]


@extend_schema_view(
    list=extend_schema(summary=_("La liste de vérification d'un ticket"), tags=TAGS, parameters=[
        OpenApiParameter("ticket", OpenApiTypes.STR, description=_("Numéro du ticket."))],
        responses={200: ChecklistItemSerializer(many=True), 401: ERROR}),
    partial_update=extend_schema(summary=_("Cocher ou décocher un point"), tags=TAGS,
                                 responses={200: ChecklistItemSerializer, 400: ERROR, 403: ERROR, 404: ERROR}),
)
class ChecklistItemViewSet(mixins.ListModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = ChecklistItemSerializer
    http_method_names = ["get", "patch", "head", "options"]
    filter_backends = []
    pagination_class = None
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        items = ChecklistItem.objects.filter(ticket__in=Ticket.objects.visible_to(self.request.user)) \
            .select_related("ticket").order_by("ticket_id", "position", "pk")
        number = self.request.query_params.get("ticket")
        return items.filter(ticket__ticket_id=number) if number else items

    def perform_update(self, serializer):
        item = serializer.instance
        if not can_tick(self.request.user, item.ticket):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied(_("Votre rôle ne permet pas de cocher la liste de ce ticket."))
        checklist_tick(item=item, by=self.request.user, done=serializer.validated_data.get("done", True))


