"""What the API shows and accepts. Validation of shapes lives here; the rules of
the workshop (who may, which moves) stay in tickets.services / policies."""
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import signin_limit
from accounts.models import User
from tickets import policies
from tickets.models import Comment, Machine, Media, Ticket, TimelineEntry

from .exceptions import LoginThrottled


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (documentation only; see api/exceptions.py)."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField(help_text=_("Ce qui s'est passé."))
    hint = serializers.CharField(help_text=_("Ce qu'il faut faire."))
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text=_("400 seulement : les messages, champ par champ."))
    retry_after = serializers.IntegerField(required=False, help_text=_("429 seulement : secondes à attendre."))


# --- People -------------------------------------------------------------------
class UserSummarySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        # is_active: a deactivated technician stays assigned to his tickets, shown as inactive.
        fields = ["id", "email", "full_name", "role", "is_active"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    permissions = serializers.SerializerMethodField(
        help_text=_("Permissions Django du rôle, lues dans la base à chaque requête.")
    )

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "full_name", "role", "role_label", "permissions"]
        read_only_fields = fields

    def get_permissions(self, user) -> list[str]:
        return sorted(user.get_all_permissions())


class UserSerializer(serializers.ModelSerializer):
    """An account as administrators and supervisors manage it."""

    full_name = serializers.CharField(read_only=True)
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}, trim_whitespace=False,
        help_text=_("Obligatoire à la création ; à la modification, remplace le mot de passe."),
    )

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "full_name", "role", "is_active", "date_joined",
                  "last_login", "password"]
        read_only_fields = ["id", "date_joined", "last_login"]

    def validate_email(self, value):
        value = User.objects.normalize_email(value).lower()
        others = User.objects.filter(email__iexact=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("Un compte utilise déjà cette adresse courriel."))
        return value

    def validate(self, attrs):
        password = attrs.get("password")
        if self.instance is None and not password:
            raise serializers.ValidationError({"password": _("Le mot de passe est obligatoire.")})
        if password:
            candidate = self.instance or User(**{k: v for k, v in attrs.items() if k != "password"})
            try:
                password_validation.validate_password(password, candidate)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": exc.messages}) from exc
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        password = validated_data.pop("password")
        return User.objects.create_user(password=password, **validated_data)

    @transaction.atomic
    def update(self, instance, validated_data):
        password = validated_data.pop("password", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if password:
            instance.set_password(password)
        instance.save()
        return instance


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    new_password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    def validate_old_password(self, value):
        """Checked like a sign-in, through the same limit: a stolen access token must not
        become a way to guess the password without the lock of every other door."""
        request = self.context["request"]
        user = authenticate(request._request, email=request.user.email, password=value)
        if signin_limit.is_locked_out(request._request):
            raise LoginThrottled(signin_limit.seconds_locked(request._request))
        if user is None or user.pk != request.user.pk:
            raise serializers.ValidationError(_("L'ancien mot de passe est incorrect."))
        return value

    def validate_new_password(self, value):
        try:
            password_validation.validate_password(value, self.context["request"].user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenPairSerializer(serializers.Serializer):
    """The answer to a successful sign-in (documentation only)."""

    access = serializers.CharField()
    refresh = serializers.CharField()
    user = MeSerializer()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class AccessRefreshSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


# --- Machines -------------------------------------------------------------------
class MachineSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Machine
        fields = ["id", "machine_type", "model", "location", "status"]
        read_only_fields = fields


class MachineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Machine
        fields = ["id", "machine_type", "model", "serial_number", "location", "status", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # The serial number's uniqueness is a conditional constraint; the model
        # checks it in full_clean (views), with its own message.
        validators = []


# --- Tickets --------------------------------------------------------------------
class TicketListSerializer(serializers.ListSerializer):
    """Many tickets at once (the API's list): the rows TicketSerializer would give,
    built as plain dicts.

    DRF's field-by-field machinery (20 fields and three nested objects per row,
    each attribute read through `get_attribute`, each choice label translated
    after hashing every choice) cost about 70 % of a page of 50; the rows
    themselves are cheap. TicketSerializer stays the reference and the schema
    (drf-spectacular reads its fields); a test compares the two on varied tickets,
    in French and in English, so they cannot drift apart.
    """

    def to_representation(self, data):
        tickets = data.all() if isinstance(data, models.manager.BaseManager) else data
        row = self.child.row_builder()
        return [row(ticket) for ticket in tickets]


class TicketSerializer(serializers.ModelSerializer):
    machine = MachineSummarySerializer(read_only=True)
    reporter = UserSummarySerializer(read_only=True)
    assigned_to = UserSummarySerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    assignee_label = serializers.CharField(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    overdue_delay = serializers.SerializerMethodField(
        help_text=_("Retard en clair, ex. « 2 jour(s) 9h 26min » ; null si le ticket n'est pas en retard.")
    )
    allowed_moves = serializers.SerializerMethodField(
        help_text=_("Statuts vers lesquels l'appelant peut déplacer ce ticket.")
    )

    class Meta:
        model = Ticket
        fields = ["ticket_id", "title", "description", "machine", "status", "status_label", "priority",
                  "priority_label", "reporter", "assigned_to", "assigned_to_team", "assignee_label",
                  "scheduled_date", "is_overdue", "overdue_delay", "allowed_moves", "created_at", "updated_at",
                  "completed_at"]
        read_only_fields = fields
        list_serializer_class = TicketListSerializer

    def _now(self):
        # One instant for the whole page, so two rows never disagree.
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return self.context["now"]

    def get_is_overdue(self, ticket) -> bool:
        return ticket.is_overdue(self._now())

    def get_overdue_delay(self, ticket) -> str | None:
        delay = ticket.overdue_delay(self._now())
        return delay.text if delay is not None else None

    def get_allowed_moves(self, ticket) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [str(s) for s in policies.allowed_moves(request.user, ticket)]

    def row_builder(self):
        """A function ticket → the dict `self.to_representation(ticket)` would give.

        What is the same for every row is looked up once: the instant, the time
        zone and the labels in the request's language. Values and formats copy
        DRF's fields: datetimes as DRF's DateTimeField writes them (ISO 8601 in the
        current time zone, "Z" for UTC), a missing person as None.
        """
        now = self._now()
        zone = timezone.get_current_timezone()
        status_labels = _labels(Ticket, "status")
        priority_labels = _labels(Ticket, "priority")
        request = self.context.get("request")
        user = request.user if request is not None else None

        def instant(value):
            if not value:
                return None
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        def person(someone):
            if someone is None:
                return None
            return {"id": someone.pk, "email": someone.email, "full_name": someone.full_name, "role": someone.role,
                    "is_active": someone.is_active}

        def row(ticket):
            machine = ticket.machine
            delay = ticket.overdue_delay(now)
            return {
                "ticket_id": ticket.ticket_id,
                "title": ticket.title,
                "description": ticket.description,
                "machine": {"id": machine.pk, "machine_type": machine.machine_type, "model": machine.model,
                            "location": machine.location, "status": machine.status},
                "status": ticket.status,
                "status_label": status_labels.get(ticket.status, ticket.status),
                "priority": ticket.priority,
                "priority_label": priority_labels.get(ticket.priority, ticket.priority),
                "reporter": person(ticket.reporter),
                "assigned_to": person(ticket.assigned_to),
                "assigned_to_team": bool(ticket.assigned_to_team),
                "assignee_label": str(ticket.assignee_label),
                "scheduled_date": instant(ticket.scheduled_date),
                "is_overdue": delay is not None,
                "overdue_delay": delay.text if delay is not None else None,
                "allowed_moves": [] if user is None else [str(s) for s in policies.allowed_moves(user, ticket)],
                "created_at": instant(ticket.created_at),
                "updated_at": instant(ticket.updated_at),
                "completed_at": instant(ticket.completed_at),
            }

        return row


def _labels(model, field_name):
    """{value: label} of a choice field, translated now (once per page, not per row)."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


class TicketCreateSerializer(serializers.Serializer):
    machine = serializers.PrimaryKeyRelatedField(queryset=Machine.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, default=Ticket.Priority.MEDIUM)


class TicketUpdateSerializer(serializers.Serializer):
    machine = serializers.PrimaryKeyRelatedField(queryset=Machine.objects.all(), required=False)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)


class TicketMoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    confirm_unchecked = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Terminer malgré des points de la liste de vérification non cochés (sinon : 400)."))


class TicketAssignSerializer(serializers.Serializer):
    assigned_to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.technicians(), allow_null=True, required=False, default=None,
        help_text=_("Identifiant d'un technicien actif ; null pour personne."),
    )
    team = serializers.BooleanField(required=False, default=False, help_text=_("Toute l'équipe."))

    def validate(self, attrs):
        if attrs.get("assigned_to") is not None and attrs.get("team"):
            raise serializers.ValidationError(_("Choisissez un technicien ou toute l'équipe, pas les deux."))
        return attrs


class TicketScheduleSerializer(serializers.Serializer):
    scheduled_date = serializers.DateTimeField(allow_null=True, help_text=_("null pour retirer la planification."))

    def validate_scheduled_date(self, value):
        # A typo such as 0125 for 2025 would otherwise plan the work 1900 years ago
        # (and print it with the zone's 18th-century offset).
        if value is not None and not 2000 <= value.year <= 2100:
            raise serializers.ValidationError(_("Choisissez une date entre l'an 2000 et l'an 2100."))
        return value


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)
    actor_name = serializers.CharField(source="display_actor", read_only=True, help_text=_(
        "Nom de l'auteur, gardé même si son compte a été supprimé (actor est alors null)."))
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = TimelineEntry
        fields = ["id", "action", "action_label", "actor", "actor_name", "old_value", "new_value", "note",
                  "created_at"]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True, allow_null=True)
    author_name = serializers.CharField(source="display_author", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "body", "author", "author_name", "author_role", "created_at"]
        read_only_fields = ["id", "author", "author_name", "author_role", "created_at"]
        extra_kwargs = {"body": {"max_length": 20000}}


class MediaSerializer(serializers.ModelSerializer):
    uploaded_by = UserSummarySerializer(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField(
        help_text=_("Miniature WebP (320 px au plus, sans métadonnées) ; null pour une vidéo ou un fichier sans "
                    "miniature."))

    class Meta:
        model = Media
        fields = ["id", "original_name", "content_type", "kind", "size", "uploaded_by", "created_at",
                  "download_url", "thumbnail_url", "thumbnail_width", "thumbnail_height"]
        read_only_fields = fields

    def _absolute(self, name, media):
        path = reverse(name, kwargs={"pk": media.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, media):
        return self._absolute("api:media-download", media)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, media):
        return self._absolute("api:media-thumbnail", media) if media.thumbnail else None


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Photo ou vidéo ; le type est lu dans le contenu du fichier."))

