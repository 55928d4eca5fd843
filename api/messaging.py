"""The team messaging over the API (JWT), for the mobile app: the same rules and code as the pages.

- `GET /api/conversations` — the caller's conversations (the public channel if his
  role reads it, his private ones), newest first, each with `unread`.
- `POST /api/conversations` — `{"user": id}`: the private conversation with that
  person (201 the first time, 200 after).
- `GET /api/conversations/{id}` — one; someone else's private one is a 404.
- `GET /api/conversations/{id}/messages` — newest first, cursor pagination
  (`next` goes to older messages; constant cost at any depth).
- `POST /api/conversations/{id}/messages` — `{"content": "…"}` a text message.
- `POST /api/conversations/{id}/audio` — multipart `audio` (+ `duration`, the
  recorder's figure in seconds): a voice note, checked from its bytes.
- `POST /api/conversations/{id}/read` — everything in it is read.
- `DELETE /api/messages/{id}` — delete (author, or `delete_any_message`): a trace stays.
- `GET /api/messages/{id}/audio` — the recording, with `Range` support (206).

Every change goes through `messaging.services`; refusals come back as the API's
JSON errors (api.exceptions) in the caller's language.
"""
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from messaging import selectors, services
from messaging.downloads import audio_response
from messaging.models import Conversation, Message

from .views import ERROR

TAGS = ["messaging"]


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email"]


class ConversationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    other = serializers.SerializerMethodField(help_text=gettext_lazy("L'autre personne (vide pour le canal public)."))
    unread = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Messages non lus par l'appelant."))
    last_message = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = ["id", "kind", "kind_label", "other", "unread", "last_message_at", "last_message"]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_other(self, conversation):
        other = conversation.other(self.context["request"].user)
        return PersonSerializer(other).data if other else None

    def get_last_message(self, conversation) -> str:
        if getattr(conversation, "last_deleted_at", None):
            return ""
        if getattr(conversation, "last_audio", None) or getattr(conversation, "last_audio_key", None):
            return str(gettext_lazy("🎤 Message vocal"))
        return (getattr(conversation, "last_content", "") or "")[:200]


class ConversationStartSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True),
                                              help_text=gettext_lazy("La personne à qui écrire."))


class MessageSerializer(serializers.ModelSerializer):
    sender = PersonSerializer(read_only=True)
    deleted = serializers.BooleanField(source="is_deleted", read_only=True)
    read = serializers.BooleanField(source="is_read", read_only=True,
                                    help_text=gettext_lazy("Lu par son destinataire (messages privés)."))
    audio_url = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "conversation", "sender", "content", "created_at", "deleted", "deleted_at", "read",
                  "read_at", "audio_url", "audio_duration", "audio_size", "audio_content_type"]
        read_only_fields = fields

    def get_audio_url(self, message) -> str | None:
        if not message.has_playable_audio:
            return None
        return self.context["request"].build_absolute_uri(f"/api/messages/{message.pk}/audio")


class MessageCreateSerializer(serializers.Serializer):
    content = serializers.CharField(trim_whitespace=False, allow_blank=True)


class AudioUploadSerializer(serializers.Serializer):
    audio = serializers.FileField(help_text=gettext_lazy("L'enregistrement (WebM, Ogg, MP4/M4A, MP3, WAV)."))
    duration = serializers.FloatField(required=False, min_value=0,
                                      help_text=gettext_lazy("Durée mesurée par l'enregistreur, en secondes."))


class MessageCursor(CursorPagination):
    """Newest first; `next` leads to older messages. `page_size` up to 200."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Mes conversations, avec leurs messages non lus"), tags=TAGS),
    retrieve=extend_schema(summary=gettext_lazy("Une conversation"), tags=TAGS, responses={200: ConversationSerializer,
                                                                                         404: ERROR}),
    create=extend_schema(summary=gettext_lazy("Ouvrir (ou retrouver) la conversation privée avec une personne"),
                         tags=TAGS, request=ConversationStartSerializer,
                         responses={200: ConversationSerializer, 201: ConversationSerializer, 400: ERROR, 403: ERROR}),
)
class ConversationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = ConversationSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # The schema is built without a caller.
            return Conversation.objects.none()
        return selectors.conversations_for(self.request.user)

    def list(self, request, *args, **kwargs):
        if request.user.has_perm("messaging.read_public_channel"):
            services.public_channel()
        return super().list(request, *args, **kwargs)

    def create(self, request):
        data = ConversationStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        existing = services.private_conversation(user=request.user, other=data.validated_data["user"], create=False)
        conversation = existing or services.private_conversation(user=request.user, other=data.validated_data["user"])
        conversation = self.get_queryset().get(pk=conversation.pk)
        return Response(self.get_serializer(conversation).data,
                        status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED)

    def _conversation(self):
        return get_object_or_404(Conversation.objects.for_user(self.request.user).select_related("first", "second"),
                                 pk=self.kwargs["pk"])

    @extend_schema(methods=["GET"], tags=TAGS, summary=gettext_lazy("Messages, du plus récent au plus ancien"),
                   responses={200: MessageSerializer(many=True), 404: ERROR})
    @extend_schema(methods=["POST"], tags=TAGS, summary=gettext_lazy("Envoyer un message texte"),
                   request=MessageCreateSerializer, responses={201: MessageSerializer, 400: ERROR, 403: ERROR,
                                                               404: ERROR})
    @action(detail=True, methods=["get", "post"], pagination_class=MessageCursor)
    def messages(self, request, pk=None):
        conversation = self._conversation()
        if request.method == "POST":
            data = MessageCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            message = services.message_send(conversation=conversation, sender=request.user,
                                            content=data.validated_data["content"])
            return Response(MessageSerializer(message, context={"request": request}).data,
                            status=status.HTTP_201_CREATED)
        rows = conversation.messages.select_related("sender")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MessageSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(tags=TAGS, summary=gettext_lazy("Envoyer un message vocal (multipart)"),
                   request={"multipart/form-data": AudioUploadSerializer},
                   responses={201: MessageSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 413: ERROR})
    @action(detail=True, methods=["post"])
    def audio(self, request, pk=None):
        conversation = self._conversation()
        data = AudioUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_send_audio(conversation=conversation, sender=request.user,
                                              upload=data.validated_data["audio"],
                                              duration=data.validated_data.get("duration"))
        return Response(MessageSerializer(message, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, summary=gettext_lazy("Marquer la conversation comme lue"), request=None,
                   responses={200: ConversationSerializer, 404: ERROR})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        conversation = self._conversation()
        services.conversation_mark_read(conversation=conversation, user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=conversation.pk)).data)


@extend_schema_view(
    destroy=extend_schema(summary=gettext_lazy("Supprimer un message (une trace « message supprimé » reste)"),
                          tags=TAGS, responses={200: MessageSerializer, 403: ERROR, 404: ERROR}),
)
class MessageViewSet(mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = MessageSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        visible = Conversation.objects.for_user(self.request.user)
        return Message.objects.filter(conversation__in=visible).select_related("sender", "conversation")

    def destroy(self, request, pk=None):
        message = services.message_delete(message=self.get_object(), by=request.user)
        return Response(self.get_serializer(message).data)

    @extend_schema(tags=TAGS, summary=gettext_lazy("L'enregistrement d'un message vocal (requêtes Range : 206)"),
                   responses={(200, "audio/*"): OpenApiTypes.BINARY, (206, "audio/*"): OpenApiTypes.BINARY,
                              404: ERROR, 416: OpenApiResponse(description=gettext_lazy("Plage hors du fichier."))})
    @action(detail=True, methods=["get"])
    def audio(self, request, pk=None):
        return audio_response(request, self.get_object())
