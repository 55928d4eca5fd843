"""The reports through the API: the page's tables as JSON, and the ticket export as CSV.

Same functions as the page (reports/figures.py, reports/exports.py), same permission
(`reports.view_reports`); durations are given in hours (one decimal) and in seconds.
"""
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import ERROR

from . import exports, figures
from .views import period_from, ticket_export


class CanViewReports(BasePermission):
    message = gettext_lazy("Votre rôle ne permet pas de voir les rapports.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("reports.view_reports"))


PERIOD = [
    OpenApiParameter("du", OpenApiTypes.DATE, description=gettext_lazy("Premier jour (heure de l'usine).")),
    OpenApiParameter("au", OpenApiTypes.DATE, description=gettext_lazy("Dernier jour, inclus.")),
]


class DurationSeconds(serializers.IntegerField):
    """A duration as whole seconds; null when there is none (no repair, no failure)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else round(value.total_seconds())


class WeekSerializer(serializers.Serializer):
    week = serializers.DateField()
    opened = serializers.IntegerField()
    closed = serializers.IntegerField()


class MachineLoadSerializer(serializers.Serializer):
    machine_id = serializers.IntegerField()
    machine = serializers.CharField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()


class MachineRepairSerializer(serializers.Serializer):
    machine_id = serializers.IntegerField()
    machine = serializers.CharField()
    repairs = serializers.IntegerField()
    mttr_seconds = DurationSeconds(source="mttr")


class PriorityRepairSerializer(serializers.Serializer):
    priority = serializers.CharField()
    label = serializers.CharField()
    repairs = serializers.IntegerField()
    mttr_seconds = DurationSeconds(source="mttr")


class StatusTimeSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    tickets = serializers.IntegerField()
    total_seconds = DurationSeconds(source="total")
    mean_seconds = DurationSeconds(source="mean")


class AlertsSerializer(serializers.Serializer):
    destination = serializers.CharField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()


class TechnicianSerializer(serializers.Serializer):
    technician_id = serializers.IntegerField()
    technician = serializers.CharField()
    completed = serializers.IntegerField()
    mttr_seconds = DurationSeconds(source="mttr")
    open = serializers.IntegerField()


class ReportsSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    weeks = WeekSerializer(many=True)
    machines = MachineLoadSerializer(many=True)
    mttr_machines = MachineRepairSerializer(many=True)
    mttr_priorities = PriorityRepairSerializer(many=True)
    statuses = StatusTimeSerializer(many=True)
    alerts = AlertsSerializer(many=True)
    technicians = TechnicianSerializer(many=True)


def _period(request):
    form, period, _first, _last = period_from(request)
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors)
    return period


class ReportsView(APIView):
    permission_classes = [CanViewReports]

    @extend_schema(parameters=PERIOD, responses={200: ReportsSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
                   summary=gettext_lazy("Les rapports d'une période (les tableaux de la page Rapports)"))
    def get(self, request):
        period = _period(request)
        tables = {name.replace("-", "_"): rows for name, rows in figures.all_tables(period).items()}
        return Response(ReportsSerializer({"start": period.start, "end": period.end, **tables}).data)


class TicketExportView(APIView):
    permission_classes = [CanViewReports]

    @extend_schema(
        parameters=[OpenApiParameter("sep", OpenApiTypes.STR, enum=[exports.COMMA, exports.SEMICOLON]),
                    OpenApiParameter("machine", OpenApiTypes.INT), OpenApiParameter("priorite", OpenApiTypes.STR),
                    OpenApiParameter("q", OpenApiTypes.STR), OpenApiParameter("vue", OpenApiTypes.STR),
                    OpenApiParameter("colonne", OpenApiTypes.STR)],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 401: ERROR, 403: ERROR},
        summary=gettext_lazy("Les tickets du tableau en CSV (mêmes filtres que le tableau), en flux"))
    def get(self, request):
        return ticket_export(request, default_sep=exports.COMMA)
