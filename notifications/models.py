from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookNotification(models.Model):
    """Placeholder: the full model comes with issue 3."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="webhook_notifications",
                               verbose_name=_("ticket"))

    class Meta:
        verbose_name = _("notification webhook")
        verbose_name_plural = _("notifications webhook")
        permissions = [("run_overdue_check", _("Lancer la vérification des retards"))]
