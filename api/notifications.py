"""The person's own notifications and preferences over the API (JWT), for the mobile app.

- `GET /api/notifications` — the caller's notifications, newest first, 50 a page
  by default (`?page=`, `?page_size=` like every list), `?unread=true` for the
  unread ones only.
- `POST /api/notifications/{id}/read` — one read; another person's id is a 404,
  like one that does not exist.
- `POST /api/notifications/read-all` — all read; answers how many changed.
- `GET /api/notifications/preferences`, `PUT` — what reaches the caller on which
  channel, and the quiet hours.

Only the caller's own rows are ever selected (`notifications.bell.inbox`), so
there is nothing to check per object. The domain code is the same as the
pages': `notifications.bell` and `notifications.preferences`.
"""
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import bell
from notifications.models import Channel, Kind, Notification
from notifications.preferences import preference_for, preference_set
from notifications.services import notifications_mark_read

from .pagination import PageNumberWithSize
from .views import ERROR

TAGS = ["notifications"]


class NotificationPagination(PageNumberWithSize):
    """The bell's 50 by default; `page_size` up to 200 as elsewhere."""

    page_size = bell.BELL_LIMIT


class NotificationSerializer(serializers.ModelSerializer):
    """One notification, its text in the caller's language (Accept-Language, else his saved language)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    ticket = serializers.CharField(source="ticket_number", read_only=True,
                                   help_text=gettext_lazy("Numéro du ticket (vide pour un message)."))
    url = serializers.CharField(source="absolute_url", read_only=True,
                                help_text=gettext_lazy("La page à ouvrir : le ticket ou la conversation."))
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "body", "ticket", "url", "priority", "created_at", "read_at",
                  "unread"]

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=gettext_lazy("Combien de notifications viennent d'être lues."))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Mes notifications, les plus récentes en premier (50 par page)"), tags=TAGS,
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description=gettext_lazy(
            "true : seulement les non lues."))],
        responses={200: NotificationSerializer(many=True), 401: ERROR}),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "").lower() in ("1", "true", "yes", "oui")
        return bell.inbox(self.request.user, unread=unread and self.action == "list")

    @extend_schema(request=None, responses={200: NotificationSerializer, 401: ERROR, 404: ERROR}, tags=TAGS,
                   summary=gettext_lazy("Marquer une de mes notifications comme lue"))
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()  # 404 for another person's: the queryset holds only the caller's.
        if notification.read_at is None:
            notifications_mark_read(user=request.user, ids=[notification.pk], now=timezone.now())
            notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: ReadAllSerializer, 401: ERROR}, tags=TAGS,
                   summary=gettext_lazy("Marquer toutes mes notifications comme lues"))
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        return Response({"marked": bell.notifications_read_all(user=request.user, now=timezone.now())})


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "22:00"})
class ClockTimeField(serializers.TimeField):
    """A time of day in the factory's time, "HH:MM" (seconds accepted on input). No offset: quiet hours are
    the factory's clock, and JSON Schema's "time" format would demand one."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class PreferencesSerializer(serializers.Serializer):
    """`choices`: {kind: {channel: on}}. A kind or channel left out keeps its current value."""

    choices = serializers.DictField(
        child=serializers.DictField(child=serializers.BooleanField()), required=False,
        help_text=format_lazy("{} kind: {}; channel: {}.", gettext_lazy(
            "{type: {canal: vrai/faux}}. La cloche reçoit toujours tout."),
            ", ".join(Kind.values), ", ".join(Channel.values)),
    )
    quiet_start = ClockTimeField(allow_null=True, help_text=gettext_lazy(
        "Début des heures de silence (heure de l'usine), ou null."))
    quiet_end = ClockTimeField(allow_null=True, help_text=gettext_lazy(
        "Fin des heures de silence, ou null. Les tickets critiques passent quand même."))
    critical_ignores_quiet_hours = serializers.BooleanField(read_only=True, default=True)

    def validate_choices(self, value):
        for kind, channels in value.items():
            if kind not in Kind.values:
                raise serializers.ValidationError(_("Type de notification inconnu : %(kind)s.") % {"kind": kind})
            for channel in channels:
                if channel not in Channel.values:
                    raise serializers.ValidationError(_("Canal inconnu : %(channel)s.") % {"channel": channel})
        return value

    def validate(self, data):
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {"quiet_end": _("Indiquez le début et la fin des heures de silence, ou aucun des deux.")})
        if start is not None and start == end:
            raise serializers.ValidationError(
                {"quiet_end": _("Le début et la fin des heures de silence doivent être différents.")})
        return data

    @staticmethod
    def represent(pref):
        return {
            "choices": {kind: dict(on) for kind, _label, on in pref.matrix()},
            "quiet_start": pref.quiet_start.strftime("%H:%M") if pref.quiet_start else None,
            "quiet_end": pref.quiet_end.strftime("%H:%M") if pref.quiet_end else None,
            "critical_ignores_quiet_hours": True,
        }


class NotificationPreferencesView(APIView):
    @extend_schema(responses={200: PreferencesSerializer, 401: ERROR}, tags=TAGS,
                   summary=gettext_lazy("Mes préférences de notification"))
    def get(self, request):
        return Response(PreferencesSerializer.represent(preference_for(request.user)))

    @extend_schema(request=PreferencesSerializer, responses={200: PreferencesSerializer, 400: ERROR, 401: ERROR},
                   tags=TAGS, summary=gettext_lazy("Changer mes préférences de notification"))
    def put(self, request):
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        current = preference_for(request.user)
        choices = {(k, c): current.wants(k, c) for k in Kind.values for c in Channel.values}
        for kind, channels in data.get("choices", {}).items():
            for channel, on in channels.items():
                choices[(kind, channel)] = on
        pref = preference_set(user=request.user, choices=choices, quiet_start=data["quiet_start"],
                              quiet_end=data["quiet_end"], now=timezone.now())
        return Response(PreferencesSerializer.represent(pref))
