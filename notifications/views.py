"""HTTP entry points of the overdue alerts. Each is a few lines around `services`/`selectors`.

- `POST /api/cron/check-overdue`: for cron-job.org, authenticated by its own
  bearer secret (`CRON_SECRET`), not by JWT.
- `POST /api/webhooks/check-overdue-tickets`: the same run, for a signed-in
  supervisor or admin (permission `notifications.run_overdue_check`).
- `GET /api/webhooks/notification-history/<ticket_id>`: a ticket's alert history,
  for anyone who may see that ticket.
- `GET /api/health`: 200 with the last scan's age, 503 when the scheduler looks dead;
  `failing_channels` names the channels (email, push, webhook) failing for more
  than an hour — reported, without changing the status code (a broken SMTP
  server is not a dead scheduler, and a monitor already alerts on 503).
"""
import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets import policies
from tickets.models import Ticket

from . import selectors
from .models import ScanRun, WebhookNotification
from .services import run_overdue_scan

CRON_AUTH = "cron-secret"


class CronDisabled(exceptions.APIException):
    status_code = 503
    default_detail = _("La vérification par cron est désactivée : CRON_SECRET n'est pas défini.")
    default_code = "cron_disabled"


class CronSecretAuthentication(BaseAuthentication):
    """`Authorization: Bearer <CRON_SECRET>`, compared in constant time on bytes.

    Bytes, because `hmac.compare_digest` raises TypeError on a str with non-ASCII
    characters: a crafted header would otherwise be a 500, not a 401. An unset
    secret disables the endpoint (503) rather than opening it.
    """

    keyword = b"Bearer "

    def authenticate(self, request):
        secret = settings.CRON_SECRET
        if not secret:
            raise CronDisabled()
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            raise exceptions.NotAuthenticated(_("En-tête Authorization: Bearer manquant."))
        given = header.encode("utf-8", errors="replace")
        expected = self.keyword + secret.encode("utf-8")
        if not hmac.compare_digest(given, expected):
            raise exceptions.AuthenticationFailed(_("Jeton de cron invalide."))
        return AnonymousUser(), CRON_AUTH

    def authenticate_header(self, request):
        return 'Bearer realm="cron"'


class CronSecretScheme(OpenApiAuthenticationExtension):
    target_class = CronSecretAuthentication
    name = "cronSecret"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "CRON_SECRET (pas un JWT)."}


class IsCron(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.auth == CRON_AUTH


class CanRunOverdueCheck(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("notifications.run_overdue_check"))


_notification_item = inline_serializer("OverdueNotification", {
    "ticket_id": serializers.CharField(),
    "title": serializers.CharField(),
    "overdue_text": serializers.CharField(),
    "webhook_status": serializers.IntegerField(allow_null=True),
    "sent_at": serializers.DateTimeField(),
})
_scan_answer = inline_serializer("OverdueCheckResult", {
    "message": serializers.CharField(),
    "total_overdue": serializers.IntegerField(),
    "notifications_sent": serializers.IntegerField(),
    "notifications": _notification_item.__class__(many=True),
    "errors": inline_serializer("OverdueDeliveryError", {
        "ticket_id": serializers.CharField(), "endpoint": serializers.CharField(),
        "webhook_status": serializers.IntegerField(allow_null=True), "error": serializers.CharField(),
    }, many=True, required=False),
    "checked_at": serializers.DateTimeField(),
    "remaining": serializers.IntegerField(required=False),
})


class CronCheckOverdueView(APIView):
    authentication_classes = [CronSecretAuthentication]
    permission_classes = [IsCron]
    throttle_classes = []

    @extend_schema(request=None, responses={200: _scan_answer, 401: OpenApiResponse(description="Jeton absent ou faux"),
                                            503: OpenApiResponse(description="CRON_SECRET non défini")},
                   tags=["alertes"], summary="Vérification des retards (cron-job.org)")
    def post(self, request):
        result = run_overdue_scan(now=timezone.now(), trigger=ScanRun.Trigger.HTTP)
        return Response(result.as_json())

    def handle_exception(self, exc):
        # The API's generic 401 hint speaks of JWT sign-in; this endpoint takes the cron secret only.
        response = super().handle_exception(exc)
        if response.status_code == 401 and isinstance(response.data, dict):
            response.data["hint"] = _(
                "Envoyez « Authorization: Bearer <CRON_SECRET> », avec la valeur de CRON_SECRET du fichier de "
                "réglages du serveur (pas un jeton de connexion JWT)."
            )
        return response


class CheckOverdueTicketsView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanRunOverdueCheck]

    @extend_schema(request=None, responses={200: _scan_answer}, tags=["alertes"],
                   summary="Vérification des retards (superviseurs et administrateurs)")
    def post(self, request):
        result = run_overdue_scan(now=timezone.now(), trigger=ScanRun.Trigger.API)
        return Response(result.as_json())


class NotificationHistorySerializer(serializers.ModelSerializer):
    """One delivery attempt. The receiver's address and answer only with `show_receiver`.

    For Pabbly, Zapier or Make the webhook URL *is* the secret (whoever knows it
    can post fake alerts), and the receiver's answer may echo it: both are shown
    only to holders of `notifications.view_webhooknotification`, as on the pages.
    """

    RECEIVER_FIELDS = ("webhook_url", "response_body")

    # Not read-only in the schema, so they are documented as optional (absent without the permission).
    webhook_url = serializers.CharField(required=False, help_text=_(
        "Seulement avec la permission notifications.view_webhooknotification."))
    response_body = serializers.CharField(required=False, help_text=_(
        "Seulement avec la permission notifications.view_webhooknotification."))

    class Meta:
        model = WebhookNotification
        fields = ["id", "notification_type", "notification_id", "webhook_url", "sent_at", "attempt",
                  "response_status", "response_body", "succeeded", "error", "duration", "created_at"]

    def __init__(self, *args, show_receiver=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_receiver:
            for name in self.RECEIVER_FIELDS:
                self.fields.pop(name)


class NotificationHistoryView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: inline_serializer("TicketNotificationHistory", {
        "ticket_id": serializers.CharField(),
        "notifications": NotificationHistorySerializer(many=True, show_receiver=True),
    })}, tags=["alertes"], summary="Historique des alertes d'un ticket")
    def get(self, request, ticket_id):
        ticket = get_object_or_404(Ticket, ticket_id=ticket_id)
        if not policies.can_view(request.user, ticket):
            # Same answer as a ticket that does not exist: ids are not secrets, but contents are.
            raise exceptions.NotFound()
        rows = selectors.alert_history(ticket, limit=100)
        show_receiver = request.user.has_perm("notifications.view_webhooknotification")
        return Response({"ticket_id": ticket.ticket_id, "notifications": NotificationHistorySerializer(
            rows, many=True, show_receiver=show_receiver).data})


_health = inline_serializer("SchedulerHealth", {
    "status": serializers.CharField(help_text="ok | stale"),
    "last_run_at": serializers.DateTimeField(allow_null=True),
    "last_run_age_seconds": serializers.IntegerField(allow_null=True),
    "stale_after_seconds": serializers.IntegerField(),
    "failing_channels": serializers.ListField(child=serializers.CharField(), help_text=(
        "Canaux (email, push, webhook) en échec depuis plus d'une heure (NOTIFICATIONS_FAILING_MINUTES).")),
})


class HealthView(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: _health, 503: _health}, tags=["alertes"], auth=[],
                   summary="État du planificateur des alertes")
    def get(self, request):
        run, age, stale = selectors.scheduler_health(now=timezone.now())
        body = {
            "status": "stale" if stale else "ok",
            "last_run_at": run.started_at.isoformat() if run else None,
            "last_run_age_seconds": int(age.total_seconds()) if age is not None else None,
            "stale_after_seconds": int(settings.SCHEDULER_STALE_AFTER.total_seconds()),
            "failing_channels": selectors.failing_channels(now=timezone.now()),
        }
        return Response(body, status=503 if stale else 200)
