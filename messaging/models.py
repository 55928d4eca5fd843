from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageQuerySet(models.QuerySet):
    def public(self):
        return self.filter(recipient__isnull=True)

    def private(self):
        return self.filter(recipient__isnull=False)


class Message(models.Model):
    """A message of the original application's team messaging, public or private.

    Kept so nothing is lost when moving over; no screen writes them yet.
    """

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
    audio_file = models.FileField(_("enregistrement"), upload_to="messages/audio/", max_length=255, blank=True)
    audio_duration = models.PositiveIntegerField(_("durée (s)"), null=True, blank=True)
    audio_size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now, db_index=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "is_read"], name="message_recipient_unread_idx")]

    def __str__(self):
        return f"{self.sender} → {self.recipient or _('tous')} : {self.content[:50]}"

    @property
    def is_public(self):
        return self.recipient_id is None
