"""A machine's status history and figures through the API (same functions as its page)."""
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import ERROR
from reports.api import PERIOD, DurationSeconds
from tickets.models import Machine

from . import figures
from .forms import PeriodForm
from .models import MachineStatusChange

HISTORY_LIMIT = 200


class CanViewMachines(BasePermission):
    message = gettext_lazy("Votre rôle ne permet pas de voir les machines.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("tickets.view_machine"))


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="display_actor")
    ticket = serializers.SlugRelatedField(slug_field="ticket_id", read_only=True)

    class Meta:
        model = MachineStatusChange
        fields = ["id", "old_status", "new_status", "changed_by", "changed_at", "ticket", "note"]


class FiguresSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    period_seconds = DurationSeconds(source="period")
    downtime_seconds = DurationSeconds(source="downtime")
    availability = serializers.FloatField(allow_null=True)
    repairs = serializers.IntegerField()
    mttr_seconds = DurationSeconds(source="mttr")
    failures = serializers.IntegerField()
    mtbf_seconds = DurationSeconds(source="mtbf")


class MachineStatusHistoryView(APIView):
    permission_classes = [CanViewMachines]

    @extend_schema(responses={200: StatusChangeSerializer(many=True), 401: ERROR, 403: ERROR, 404: ERROR},
                   summary=gettext_lazy("L'historique de l'état d'une machine (200 derniers changements)"))
    def get(self, request, pk):
        machine = get_object_or_404(Machine, pk=pk)
        rows = MachineStatusChange.objects.for_machine(machine)[:HISTORY_LIMIT]
        return Response(StatusChangeSerializer(rows, many=True).data)


class MachineFiguresView(APIView):
    permission_classes = [CanViewMachines]

    @extend_schema(parameters=PERIOD, responses={200: FiguresSerializer, 400: ERROR, 401: ERROR, 403: ERROR,
                                                 404: ERROR},
                   summary=gettext_lazy("Arrêt, MTTR et MTBF d'une machine sur une période"))
    def get(self, request, pk):
        machine = get_object_or_404(Machine, pk=pk)
        now = timezone.now()
        form = PeriodForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise ValidationError(form.errors)
        start, end, _first, _last = form.bounds(now=now)
        return Response(FiguresSerializer(figures.machine_figures(machine, start=start, end=end, now=now)).data)
