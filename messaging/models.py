"""Team messaging: one public channel for everyone, private conversations between two people.

- `Conversation` — the public channel (exactly one, a partial unique constraint)
  or a private conversation of a pair (unique; `first` is always the lower user
  id, so A→B and B→A are the same conversation, enforced by a check).
- `Message` — text or voice; its `recipient` is the other person of a private
  conversation (empty in the public channel), kept from the original's rows.
  Read state: a private message has ONE reader, so `is_read`/`read_at` on the
  row (imported as the original had them); the public channel has as many
  readers as people, so each person has a `ReadMark` (read up to a moment).
  Deleting keeps the row as a "message supprimé" trace (`deleted_at`,
  `deleted_by`) and drops its text and recording.
"""
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConversationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The conversations `user` may open: the public channel if his role reads it, and his own
        private ones. Nobody else's, administrators included (see README, "Team messaging")."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        mine = Q(first=user) | Q(second=user)
        if user.has_perm("messaging.read_public_channel"):
            mine |= Q(kind=Conversation.Kind.PUBLIC)
        return self.filter(mine)

    def with_unread(self, user):
        """Each conversation's number of messages `user` has not read, as `unread` (a subquery: one query)."""
        return self.annotate(unread=Coalesce(
            Subquery(Message.objects.unread_by(user).filter(conversation=OuterRef("pk")).order_by()
                     .values("conversation").annotate(n=Count("pk")).values("n")[:1]),
            Value(0)))

    def with_last_message(self):
        last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
        return self.annotate(last_content=Subquery(last.values("content")[:1]),
                             last_deleted_at=Subquery(last.values("deleted_at")[:1]),
                             last_audio=Subquery(last.values("audio_file")[:1]),
                             last_audio_key=Subquery(last.values("audio_file_key")[:1]))


class Conversation(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Canal public")
        PRIVATE = "private", _("Conversation privée")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PRIVATE)
    first = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+", verbose_name=_("participant"))
    second = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("participant"))
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    # Moved forward by every message: the list of conversations is ordered by it (newest first).
    last_message_at = models.DateTimeField(_("dernier message"), null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="public"), name="messaging_one_public_channel"),
            models.UniqueConstraint(fields=["first", "second"], name="messaging_one_conversation_per_pair"),
            models.CheckConstraint(
                condition=Q(kind="public", first__isnull=True, second__isnull=True)
                | Q(kind="private", first__isnull=False, second__isnull=False, first__lt=F("second")),
                name="messaging_conversation_people"),
        ]

    def __str__(self):
        if self.is_public:
            return str(_("Canal public"))
        return f"{self.first} ↔ {self.second}"

    def get_absolute_url(self):
        return reverse("messaging:conversation", kwargs={"pk": self.pk})

    @property
    def is_public(self):
        return self.kind == self.Kind.PUBLIC

    def other(self, user):
        """The other person of a private conversation (None for the public channel)."""
        if self.is_public:
            return None
        return self.second if self.first_id == user.pk else self.first

    def has_member(self, user):
        return user.pk in (self.first_id, self.second_id)

    @staticmethod
    def pair(a, b):
        """(lower id, higher id): how a private conversation stores its two people."""
        return (a, b) if a.pk < b.pk else (b, a)


class MessageQuerySet(models.QuerySet):
    def public(self):
        return self.filter(recipient__isnull=True)

    def private(self):
        return self.filter(recipient__isnull=False)

    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def unread_by(self, user):
        """What `user` has not read, wherever he may read it: his private messages not marked read, and
        the public channel's messages newer than his read mark (or than his arrival, without a mark).
        Others' messages only, deleted ones not counted."""
        mark = ReadMark.objects.filter(user=user, conversation=OuterRef("conversation")).values("read_until")[:1]
        private = Q(recipient=user, is_read=False)
        if user.has_perm("messaging.read_public_channel"):
            since = Coalesce(Subquery(mark), Value(user.date_joined))
            # The public channel's messages are those without a recipient: both halves then read the
            # (recipient, is_read) index, with no join (one query, whatever the size of the history).
            rows = self.alias(read_until=since).filter(
                private | Q(recipient__isnull=True, created_at__gt=F("read_until")))
        else:
            rows = self.filter(private)
        return rows.alive().exclude(sender=user)

    def page_order(self):
        return self.order_by("-created_at", "-id")

    def older_than(self, message):
        """Strictly before `message` in the conversation's order (keyset: constant cost on any page)."""
        return self.filter(Q(created_at__lt=message.created_at) | Q(created_at=message.created_at, id__lt=message.pk))


def audio_upload_to(instance, filename):
    """A random name: nothing of the person's file name reaches the storage."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"messages/audio/{uuid.uuid4().hex}{suffix}"


class Message(models.Model):
    """A text or voice message, in the public channel or a private conversation (see the module)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages",
                                     verbose_name=_("conversation"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages", verbose_name=_("expéditeur")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="received_messages",
        verbose_name=_("destinataire"), help_text=_("Vide : message public, pour toute l'équipe."),
    )
    content = models.TextField(_("message"), blank=True)
    is_read = models.BooleanField(_("lu"), default=False)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    # Voice messages: the original kept the recording on its R2 bucket under this key.
    audio_file_key = models.CharField(_("clé de l'enregistrement"), max_length=500, blank=True)
    audio_file = models.FileField(_("enregistrement"), upload_to=audio_upload_to, max_length=255, blank=True)
    audio_content_type = models.CharField(_("type de l'enregistrement"), max_length=60, blank=True)
    audio_duration = models.PositiveIntegerField(_("durée (s)"), null=True, blank=True)
    audio_size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now, db_index=True)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("supprimé par"))

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "is_read"], name="message_recipient_unread_idx"),
            # A page of a conversation, newest first, from any point: an index range scan.
            models.Index(fields=["conversation", "-created_at", "-id"], name="message_conversation_page_idx"),
            # The poll's "was anything deleted since?" (selectors.version) reads only the deleted ones.
            models.Index(fields=["conversation", "deleted_at"], name="message_conversation_del_idx",
                         condition=Q(deleted_at__isnull=False)),
        ]
        permissions = [
            ("send_message", _("Envoyer des messages texte")),
            ("send_audio", _("Envoyer des messages vocaux")),
            ("read_public_channel", _("Lire et écrire dans le canal public")),
            ("delete_any_message", _("Supprimer les messages des autres")),
        ]

    def __str__(self):
        return f"{self.sender} → {self.recipient or _('tous')} : {self.content[:50]}"

    @property
    def is_public(self):
        return self.recipient_id is None

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_audio(self):
        return bool(self.audio_file or self.audio_file_key)

    @property
    def has_playable_audio(self):
        return bool(self.audio_file) and not self.is_deleted


class ReadMark(models.Model):
    """How far one person has read a conversation (the public channel): everything up to `read_until`."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="read_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_until = models.DateTimeField(_("lu jusqu'au"))

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="messaging_one_mark_per_person")]

    def __str__(self):
        return f"{self.user} → {self.read_until:%Y-%m-%d %H:%M}"
