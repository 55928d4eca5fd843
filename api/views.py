"""The REST API. Views are declarations plus short actions calling the domain.

Every ticket lookup and every list starts from `Ticket.objects.visible_to(user)`:
a ticket the caller may not see answers 404, exactly like one that does not
exist, so its number leaks nothing.
"""
from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from accounts import policies as account_policies
from accounts import services as account_services
from accounts import signin_limit
from accounts.models import User
from tickets import services
from tickets.downloads import media_file_response, thumbnail_response
from tickets.models import Machine, Media, Ticket

from . import serializers as s
from .exceptions import Conflict, LoginThrottled, PayloadTooLarge
from .filters import MachineFilter, TicketFilter, TicketFilterBackend, TicketSearchFilter, UserFilter
from .permissions import ModelPermissions, TicketPolicy, UserPolicy

ERROR = OpenApiResponse(response=s.ErrorSerializer,
                        description=gettext_lazy("Erreur JSON : status, code, detail, hint (et errors pour un 400)."))


# --- Sign-in --------------------------------------------------------------------
class TokenEndpoint(APIView):
    """Open endpoints whose credentials are in the body (password or refresh token)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # Bad credentials are a 401 (DRF answers 403 without an authentication class).
        return 'Bearer realm="api"'


class LoginView(TokenEndpoint):
    """Sign in with an e-mail address and a password."""

    @extend_schema(request=s.LoginSerializer, responses={200: s.TokenPairSerializer, 400: ERROR, 401: ERROR,
                                                          429: ERROR}, auth=[])
    def post(self, request):
        serializer = s.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"].strip().lower()

        # The Django request, where the sign-in limit (accounts/signin_limit.py) leaves its verdict;
        # while it holds, the password is not even checked.
        user = authenticate(request._request, email=email, password=serializer.validated_data["password"])
        if signin_limit.is_locked_out(request._request):
            raise LoginThrottled(signin_limit.seconds_locked(request._request))
        if user is None or not user.is_active:
            raise AuthenticationFailed(_(
                "Adresse courriel ou mot de passe incorrect, ou compte désactivé."
            ), code="bad_credentials")

        refresh = RefreshToken.for_user(user)
        # Receivers of this signal stamp last_login (Django) and clear the pair's failures (axes).
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh),
                         "user": s.MeSerializer(user).data})


class RefreshView(TokenEndpoint):
    """Exchange a refresh token for a new access token AND a new refresh token.

    The old refresh token is blacklisted: each one works once.
    """

    @extend_schema(request=s.RefreshSerializer, responses={200: s.AccessRefreshSerializer, 400: ERROR, 401: ERROR},
                   auth=[])
    def post(self, request):
        serializer = s.RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                refresh = RefreshToken(serializer.validated_data["refresh"])
                user = User.objects.get(pk=refresh.payload.get(jwt_settings.USER_ID_CLAIM))
                if not user.is_active:
                    raise AuthenticationFailed(_("Ce compte est désactivé."), code="inactive")
                if not password_unchanged_since(refresh, user):
                    raise TokenError("password changed")
                if not spend_refresh_token(refresh, user):
                    raise TokenError("already used")
                refresh.set_jti()
                refresh.set_exp()
                refresh.set_iat()
                refresh.outstand()
        except (TokenError, ObjectDoesNotExist, ValueError, TypeError) as exc:
            raise InvalidToken(_("Jeton de renouvellement invalide, expiré ou déjà utilisé.")) from exc
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


def password_unchanged_since(token, user):
    """The token was issued for the password the user has now (SIMPLE_JWT CHECK_REVOKE_TOKEN).

    A changed password already blacklisted the token; this also covers a hash
    upgrade at sign-in, after which the token's access tokens would be refused
    on every request: better one clear 401 here, and a new sign-in.
    """
    if not jwt_settings.CHECK_REVOKE_TOKEN:
        return True
    return token.payload.get(jwt_settings.REVOKE_TOKEN_CLAIM) == get_md5_hash_password(user.password)


def spend_refresh_token(refresh, user):
    """Blacklist `refresh`; False if it already was (a replay, or a concurrent use).

    simplejwt's own `blacklist()` uses get_or_create, so two requests racing with
    the same token would both succeed; inserting the blacklist row ourselves lets
    the unique constraint pick exactly one winner.
    """
    outstanding, _created = OutstandingToken.objects.get_or_create(
        jti=refresh.payload[jwt_settings.JTI_CLAIM],
        defaults={"user": user, "token": str(refresh), "created_at": refresh.current_time,
                  "expires_at": datetime_from_epoch(refresh.payload["exp"])},
    )
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        return False
    return True


class LogoutView(TokenEndpoint):
    """Sign out: the refresh token is blacklisted and can no longer be used."""

    @extend_schema(request=s.RefreshSerializer, responses={204: None, 400: ERROR, 401: ERROR}, auth=[])
    def post(self, request):
        serializer = s.RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            RefreshToken(serializer.validated_data["refresh"]).blacklist()
        except (TokenError, ValueError, TypeError) as exc:
            raise InvalidToken(_("Jeton de renouvellement invalide, expiré ou déjà utilisé.")) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who is signed in, with the role and permissions read now from the database."""

    @extend_schema(responses={200: s.MeSerializer, 401: ERROR})
    def get(self, request):
        return Response(s.MeSerializer(request.user).data)


class PasswordChangeView(APIView):
    """Change one's own password; the old one is required. Signs out other sessions."""

    @extend_schema(request=s.PasswordChangeSerializer, responses={204: None, 400: ERROR, 401: ERROR, 429: ERROR})
    def post(self, request):
        serializer = s.PasswordChangeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = request.user
        with transaction.atomic():
            # The save revokes every refresh token and session (accounts.signals).
            user.set_password(serializer.validated_data["new_password"])
            user.save(update_fields=["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Tickets --------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Tickets visibles par l'appelant, filtrés, triés et paginés")),
    retrieve=extend_schema(summary=gettext_lazy("Un ticket, par son numéro"),
                           responses={200: s.TicketSerializer, 404: ERROR}),
    create=extend_schema(summary=gettext_lazy("Signaler un problème (le numéro est donné par le serveur)"),
                         request=s.TicketCreateSerializer, responses={201: s.TicketSerializer, 400: ERROR,
                                                                      403: ERROR}),
    partial_update=extend_schema(summary=gettext_lazy("Modifier titre, description, priorité ou machine"),
                                 request=s.TicketUpdateSerializer,
                                 responses={200: s.TicketSerializer, 400: ERROR, 403: ERROR, 404: ERROR}),
    destroy=extend_schema(summary=gettext_lazy("Supprimer un ticket (superviseurs, administrateurs)"),
                          responses={204: None, 403: ERROR, 404: ERROR}),
)
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TicketSerializer
    permission_classes = [TicketPolicy]
    # django-filter's OrderingFilter (in TicketFilter) orders by urgency for "priority".
    filter_backends = [TicketFilterBackend, TicketSearchFilter]
    filterset_class = TicketFilter
    lookup_field = "ticket_id"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Ticket.objects.visible_to(self.request.user).with_related()

    def _answer(self, ticket, code=status.HTTP_200_OK):
        ticket = self.get_queryset().get(pk=ticket.pk)  # Fresh, with its relations.
        return Response(self.get_serializer(ticket).data, status=code)

    def create(self, request):
        data = self._valid(s.TicketCreateSerializer)
        ticket = services.ticket_create(reporter=request.user, **data)
        return self._answer(ticket, status.HTTP_201_CREATED)

    def partial_update(self, request, ticket_id=None):
        ticket = self.get_object()
        data = self._valid(s.TicketUpdateSerializer)
        services.ticket_update(ticket=ticket, by=request.user, **data)
        return self._answer(ticket)

    def destroy(self, request, ticket_id=None):
        services.ticket_delete(ticket=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.TicketMoveSerializer, responses={200: s.TicketSerializer, 400: ERROR, 403: ERROR,
                                                              404: ERROR, 409: ERROR},
                   summary=gettext_lazy("Changer le statut (seulement vers un statut permis)"))
    @action(detail=True, methods=["post"])
    def move(self, request, ticket_id=None):
        ticket = self.get_object()
        data = self._valid(s.TicketMoveSerializer)
        services.ticket_move(ticket=ticket, to_status=data["status"], by=request.user,
                             confirm_unchecked=data["confirm_unchecked"])
        return self._answer(ticket)

    @extend_schema(request=s.TicketAssignSerializer, responses={200: s.TicketSerializer, 400: ERROR, 403: ERROR,
                                                                404: ERROR},
                   summary=gettext_lazy("Assigner à un technicien, à toute l'équipe, ou à personne"))
    @action(detail=True, methods=["post"])
    def assign(self, request, ticket_id=None):
        ticket = self.get_object()
        data = self._valid(s.TicketAssignSerializer)
        services.ticket_assign(ticket=ticket, by=request.user, technician=data.get("assigned_to"),
                               team=data.get("team", False))
        return self._answer(ticket)

    @extend_schema(request=s.TicketScheduleSerializer, responses={200: s.TicketSerializer, 400: ERROR,
                                                                  403: ERROR, 404: ERROR},
                   summary=gettext_lazy("Planifier (ou déplanifier) le ticket"))
    @action(detail=True, methods=["post"])
    def schedule(self, request, ticket_id=None):
        ticket = self.get_object()
        data = self._valid(s.TicketScheduleSerializer)
        services.ticket_schedule(ticket=ticket, by=request.user, scheduled_date=data["scheduled_date"])
        return self._answer(ticket)

    @extend_schema(responses={200: s.TimelineEntrySerializer(many=True), 404: ERROR},
                   summary=gettext_lazy("Historique du ticket"), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, ticket_id=None):
        ticket = self.get_object()
        entries = ticket.timeline.select_related("actor")
        return self._page(entries, s.TimelineEntrySerializer)

    @extend_schema(methods=["GET"], responses={200: s.CommentSerializer(many=True), 404: ERROR},
                   summary=gettext_lazy("Commentaires du ticket"), filters=False)
    @extend_schema(methods=["POST"], request=s.CommentSerializer,
                   responses={201: s.CommentSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
                   summary=gettext_lazy("Commenter le ticket"))
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, ticket_id=None):
        ticket = self.get_object()
        if request.method == "POST":
            data = self._valid(s.CommentSerializer)
            comment = services.comment_add(ticket=ticket, author=request.user, body=data["body"])
            return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        return self._page(ticket.comments.select_related("author"), s.CommentSerializer)

    @extend_schema(methods=["GET"], responses={200: s.MediaSerializer(many=True), 404: ERROR},
                   summary=gettext_lazy("Photos et vidéos du ticket"), filters=False)
    @extend_schema(methods=["POST"], request={"multipart/form-data": s.MediaUploadSerializer},
                   responses={201: s.MediaSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 413: ERROR},
                   summary=gettext_lazy("Joindre une photo ou une vidéo (multipart)"))
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def media(self, request, ticket_id=None):
        ticket = self.get_object()
        if request.method == "POST":
            self._refuse_oversized_body(request)
            data = self._valid(s.MediaUploadSerializer)
            media = services.media_add(ticket=ticket, upload=data["file"], by=request.user)
            return Response(s.MediaSerializer(media, context={"request": request}).data,
                            status=status.HTTP_201_CREATED)
        return self._page(ticket.media.select_related("uploaded_by"), s.MediaSerializer)

    # --- helpers ---
    @staticmethod
    def _refuse_oversized_body(request):
        """413 before reading a body larger than any file we would keep (the exact
        cap per kind is media_add's, once the content says photo or video)."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        largest = max(settings.MEDIA_MAX_PHOTO_BYTES, settings.MEDIA_MAX_VIDEO_BYTES)
        if length > largest + 64 * 1024:  # Room for the multipart envelope.
            raise PayloadTooLarge(_("Fichier trop volumineux : %(size)s, maximum %(cap)s.") % {
                "size": filesizeformat(length), "cap": filesizeformat(largest)})

    def _valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _page(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context()
        if page is not None:
            return self.get_paginated_response(serializer_class(page, many=True, context=context).data)
        return Response(serializer_class(queryset, many=True, context=context).data)


class EndpointNotFoundView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None

    def _not_found(self, request, *args, **kwargs):
        raise NotFound(_("Cette adresse ne correspond à aucun point d'accès de l'API."))

    get = post = put = patch = delete = head = options = _not_found


def _visible_media(request, pk):
    """A photo or video of a ticket the caller may see; 404 otherwise, like a ticket."""
    return get_object_or_404(
        Media.objects.select_related("ticket", "uploaded_by"),
        pk=pk, ticket__in=Ticket.objects.visible_to(request.user),
    )


class MediaDetailView(APIView):
    """One photo or video: read it, or remove it (its sender, or supervisors and admins)."""

    @extend_schema(responses={200: s.MediaSerializer, 401: ERROR, 404: ERROR},
                   summary=gettext_lazy("Une photo ou une vidéo"))
    def get(self, request, pk):
        return Response(s.MediaSerializer(_visible_media(request, pk), context={"request": request}).data)

    @extend_schema(responses={204: None, 401: ERROR, 403: ERROR, 404: ERROR},
                   summary=gettext_lazy("Supprimer une photo ou une vidéo (la sienne ; toutes pour superviseurs "
                                        "et administrateurs)"))
    def delete(self, request, pk):
        services.media_delete(media=_visible_media(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MediaDownloadView(APIView):
    """The file itself, only for someone who may see its ticket."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 401: ERROR, 404: ERROR},
                   summary=gettext_lazy("Télécharger une photo ou une vidéo"))
    def get(self, request, pk):
        media = _visible_media(request, pk)
        as_attachment = request.query_params.get("download") in ("1", "true")
        try:
            return media_file_response(media, as_attachment=as_attachment)
        except Http404 as exc:  # Its reason (not copied from the original app yet, missing file) is useful.
            raise NotFound(str(exc)) from exc


class MediaThumbnailView(APIView):
    """A photo's thumbnail (WebP, no metadata), with the same rights as the photo."""

    @extend_schema(responses={(200, "image/webp"): OpenApiTypes.BINARY, 401: ERROR, 404: ERROR},
                   summary=gettext_lazy("Miniature d'une photo"))
    def get(self, request, pk):
        try:
            return thumbnail_response(_visible_media(request, pk))
        except Http404 as exc:
            raise NotFound(str(exc)) from exc


# --- Machines -------------------------------------------------------------------
@extend_schema_view(
    destroy=extend_schema(responses={204: None, 403: ERROR, 404: ERROR, 409: ERROR},
                          summary=gettext_lazy("Supprimer une machine (refusé si elle a des tickets)")),
)
class MachineViewSet(viewsets.ModelViewSet):
    queryset = Machine.objects.all()
    serializer_class = s.MachineSerializer
    permission_classes = [ModelPermissions]
    filterset_class = MachineFilter
    search_fields = ["machine_type", "model", "serial_number", "location"]
    ordering_fields = ["machine_type", "model", "location", "status", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = self._saved(Machine(**serializer.validated_data))

    def perform_update(self, serializer):
        """The status goes through machines.services.machine_set_status, so it has its history row."""
        from machines.services import machine_set_status

        machine = serializer.instance
        status = serializer.validated_data.pop("status", None)
        with transaction.atomic():
            for name, value in serializer.validated_data.items():
                setattr(machine, name, value)
            if serializer.validated_data:
                machine.full_clean()  # The conditional unique serial number, with its message.
                # Only the fields sent: the status is the service's, never written back from this copy.
                machine.save(update_fields=[*serializer.validated_data, "updated_at"])
            if status is not None:
                machine_set_status(machine=machine, status=status, by=self.request.user)

    @staticmethod
    def _saved(machine):
        machine.full_clean()  # The conditional unique serial number, with its message.
        machine.save()
        return machine

    def perform_destroy(self, machine):
        try:
            with transaction.atomic():
                machine.delete()
        except ProtectedError as exc:
            count = machine.tickets.count()
            raise Conflict(_(
                "Cette machine a %(count)d ticket(s) : elle ne peut pas être supprimée sans perdre leur "
                "historique. Passez-la plutôt à l'état « Hors service »."
            ) % {"count": count}) from exc


# --- Users ----------------------------------------------------------------------
@extend_schema_view(
    destroy=extend_schema(responses={204: None, 403: ERROR, 404: ERROR, 409: ERROR},
                          summary=gettext_lazy("Supprimer un compte (refusé s'il a un historique : le désactiver)")),
)
class UserViewSet(viewsets.ModelViewSet):
    queryset = User.objects.all()
    serializer_class = s.UserSerializer
    permission_classes = [UserPolicy]
    filterset_class = UserFilter
    search_fields = ["email", "first_name", "last_name"]
    ordering_fields = ["email", "last_name", "role", "date_joined"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        self._check_role(serializer.validated_data.get("role"))
        serializer.save()

    def perform_update(self, serializer):
        data = serializer.validated_data
        self._check_role(data.get("role"))
        if serializer.instance.pk == self.request.user.pk and (
            ("role" in data and data["role"] != serializer.instance.role) or data.get("is_active") is False
        ):
            raise PermissionDenied(_("Vous ne pouvez pas changer votre propre rôle ni désactiver votre compte."))
        if serializer.instance.pk == self.request.user.pk and data.get("password"):
            # Whoever he is, a person proves he knows his current password before replacing it.
            raise ValidationError({"password": [_(
                "Pour changer votre propre mot de passe, utilisez POST /api/users/me/password, "
                "qui demande l'ancien."
            )]})
        serializer.save()

    def _check_role(self, role):
        if role and not account_policies.can_grant_role(self.request.user, role):
            raise PermissionDenied(_("Seul un administrateur peut donner le rôle administrateur."))

    def perform_destroy(self, user):
        try:
            account_services.user_delete(user=user)
        except account_services.UserHasHistory as exc:
            raise Conflict(user_has_history_message(exc.kinds)) from exc

    @extend_schema(responses={200: s.UserSummarySerializer(many=True), 403: ERROR},
                   summary=gettext_lazy("Techniciens actifs, pour choisir à qui assigner"), filters=False)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def technicians(self, request):
        return Response(s.UserSummarySerializer(User.objects.technicians(), many=True).data)


def user_has_history_message(kinds):
    return _(
        "Ce compte a un historique (%(kinds)s) : le supprimer le ferait perdre. "
        "Désactivez-le plutôt (is_active = false) : ses tickets restent assignés et lisibles."
    ) % {"kinds": ", ".join(str(k) for k in kinds)}
