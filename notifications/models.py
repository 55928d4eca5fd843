"""What the overdue alerts remember.

- `WebhookEndpoint`: a destination. The one named by `OVERDUE_WEBHOOK_URL` is a
  row too, upserted from the settings at the start of every scan
  (`managed_by_settings=True`), so the original set-up (one Pabbly URL in the
  environment) works with no admin step and every destination is handled by
  the same code.
- `OverdueAlert`: the state of the *next* alert for one (ticket, endpoint):
  its `notification_id` (kept across retries, replaced by a fresh one after a
  successful delivery), how many attempts failed, when it is due, and who
  holds it (a claim that expires, so a killed run silences nothing).
- `WebhookNotification`: one row per attempt, written before the request goes
  out and completed afterwards (the original's `webhook_notifications` table).
- `ScanRun`: one row per run, so the admin notices a stopped scheduler. Its
  counts add up: due = sent + failed + remaining + held (claimed by another run).
- A destination that answers 410 Gone is switched off (`disabled_at`,
  `disabled_reason`) instead of being retried hourly forever.
"""
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"
# Longest attempt a destination may ask for: run budget (20 s) + one attempt < cron-job.org's 30 s.
MAX_ATTEMPT_SECONDS = 10.0


def validate_webhook_secret(value):
    """Standard Webhooks secrets are `whsec_` + base64 of at least 24 random bytes."""
    import base64
    import binascii

    if not value:
        return
    if not value.startswith(SECRET_PREFIX):
        raise ValidationError(_("Le secret doit commencer par « whsec_ »."))
    try:
        raw = base64.b64decode(value[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("Le secret n'est pas du base64 valide.")) from exc
    if len(raw) < 24:
        raise ValidationError(_("Le secret doit compter au moins 24 octets aléatoires."))


class WebhookEndpoint(models.Model):
    name = models.CharField(_("nom"), max_length=100)
    url = models.URLField(_("adresse"), max_length=500)
    is_active = models.BooleanField(_("actif"), default=True)
    secret = models.CharField(
        _("secret de signature"), max_length=200, blank=True, validators=[validate_webhook_secret],
        help_text=_("Facultatif. « whsec_… » : ajoute l'en-tête webhook-signature (Standard Webhooks)."),
    )
    timeout_seconds = models.FloatField(
        _("délai maximal (s)"), null=True, blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(MAX_ATTEMPT_SECONDS)],
        help_text=_("Durée totale permise par envoi, de 0,5 à 10 s (le budget de 20 s d'une vérification plus "
                    "un envoi doit tenir dans les 30 s de cron-job.org). Vide : réglage WEBHOOK_TOTAL_TIMEOUT."),
    )
    spacing_ms = models.PositiveIntegerField(
        _("espacement minimal (ms)"), default=200,
        help_text=_("Temps minimal entre deux envois à cette adresse (Pabbly fusionnait les alertes "
                    "trop rapprochées). 0 : envois en parallèle."),
    )
    managed_by_settings = models.BooleanField(
        _("défini par OVERDUE_WEBHOOK_URL"), default=False, editable=False,
        help_text=_("Mis à jour à chaque vérification depuis l'environnement."),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    disabled_at = models.DateTimeField(_("désactivée le"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("raison de la désactivation"), max_length=200, blank=True, editable=False,
        help_text=_("Rempli quand le destinataire a répondu 410 Gone : plus aucun envoi jusqu'à sa réactivation."),
    )

    class Meta:
        verbose_name = _("destination webhook")
        verbose_name_plural = _("destinations webhook")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["managed_by_settings"], condition=Q(managed_by_settings=True),
                                    name="one_webhook_endpoint_from_settings"),
        ]

    def __str__(self):
        return self.name

    @property
    def total_timeout(self):
        # Capped here too: a row written before the validator, or by hand, must not hold a cron call past 30 s.
        if self.timeout_seconds:
            return min(self.timeout_seconds, MAX_ATTEMPT_SECONDS)
        return settings.WEBHOOK_TOTAL_TIMEOUT


class OverdueAlert(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="overdue_alerts",
                               verbose_name=_("ticket"))
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="alerts",
                                 verbose_name=_("destination"))
    notification_id = models.UUIDField(_("identifiant de l'alerte"), default=uuid.uuid4)
    attempts = models.PositiveIntegerField(_("échecs de cette alerte"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain envoi dès"), default=timezone.now)
    claimed_until = models.DateTimeField(_("réservée jusqu'à"), null=True, blank=True)
    claim_token = models.UUIDField(_("jeton de réservation"), null=True, blank=True)
    last_delivered_at = models.DateTimeField(_("dernier envoi réussi"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerte de retard")
        verbose_name_plural = _("alertes de retard")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "endpoint"], name="one_overdue_alert_per_ticket_endpoint"),
        ]

    def __str__(self):
        return f"{self.ticket_id} → {self.endpoint_id}"


class WebhookNotification(models.Model):
    """One delivery attempt. Fields read by `selectors.alert_history` and the ticket page."""

    class Type(models.TextChoices):
        OVERDUE_SCHEDULED = "overdue_scheduled", _("Ticket planifié en retard")
        TEST = "test", _("Essai")

    SENDING = "Envoi en cours"
    # Stored, like SENDING, in French: what a "Envoi en cours" row becomes once its run is known to be dead.
    INTERRUPTED = "Interrompu (envoi non terminé)"

    # SET_NULL: deleting a ticket keeps its alert history, which still names it by `ticket_number`.
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, related_name="webhook_notifications",
                               verbose_name=_("ticket"), null=True, blank=True)
    ticket_number = models.CharField(_("numéro de ticket"), max_length=120, blank=True, db_index=True)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="notifications", verbose_name=_("destination"))
    notification_type = models.CharField(_("type"), max_length=50, choices=Type.choices,
                                         default=Type.OVERDUE_SCHEDULED)
    notification_id = models.UUIDField(_("identifiant de l'alerte"), null=True, blank=True, db_index=True)
    webhook_url = models.URLField(_("adresse"), max_length=500, default="")
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now, db_index=True)
    attempt = models.PositiveIntegerField(_("tentative"), default=1)
    response_status = models.PositiveIntegerField(_("code HTTP"), null=True, blank=True)
    response_body = models.TextField(_("réponse (1 000 premiers caractères)"), blank=True)
    error = models.TextField(_("erreur"), blank=True)
    duration = models.DurationField(_("durée"), null=True, blank=True)
    succeeded = models.BooleanField(_("réussi"), default=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        db_table = "webhook_notifications"
        verbose_name = _("notification webhook")
        verbose_name_plural = _("notifications webhook")
        ordering = ["-sent_at", "-id"]
        permissions = [("run_overdue_check", _("Lancer la vérification des retards"))]
        indexes = [models.Index(fields=["ticket", "-sent_at"], name="webhook_notif_ticket_sent_idx")]

    def __str__(self):
        # Factory time, like the fields of the page this title heads.
        return f"{self.ticket_number} {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M} " \
               f"{self.response_status or self.error}"

    def save(self, *args, **kwargs):
        # Every writer (scan, resend, import) gets the number without having to think of it.
        if self.ticket_id and not self.ticket_number:
            self.ticket_number = self.ticket.ticket_id
        super().save(*args, **kwargs)


class ScanRun(models.Model):
    class Trigger(models.TextChoices):
        CRONTAB = "crontab", _("Crontab")
        HTTP = "http", _("HTTP (cron-job.org)")
        MANUAL = "manual", _("Manuel")
        API = "api", _("API (JWT)")

    trigger = models.CharField(_("déclencheur"), max_length=10, choices=Trigger.choices)
    started_at = models.DateTimeField(_("commencée le"), db_index=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    total_overdue = models.PositiveIntegerField(_("tickets en retard"), default=0)
    due = models.PositiveIntegerField(_("alertes dues"), default=0)
    sent = models.PositiveIntegerField(_("alertes envoyées"), default=0)
    failed = models.PositiveIntegerField(_("échecs"), default=0)
    remaining = models.PositiveIntegerField(_("reportées (budget de temps)"), default=0)
    held = models.PositiveIntegerField(
        _("prises par une autre vérification"), default=0,
        help_text=_("Alertes dues qu'une vérification simultanée envoyait déjà. "
                    "dues = envoyées + échecs + reportées + prises ailleurs."),
    )
    interrupted = models.BooleanField(
        _("interrompue"), default=False,
        help_text=_("La vérification s'est arrêtée sans se terminer (processus tué, serveur redémarré)."),
    )

    class Meta:
        verbose_name = _("vérification des retards")
        verbose_name_plural = _("vérifications des retards")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.get_trigger_display()} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class PushSubscription(models.Model):
    """One device (a browser on a phone or a computer) that receives this person's Web Push notifications.

    The browser makes the subscription (`pushManager.subscribe`) and gives us its
    push service's `endpoint` and the keys that encrypt what we send (`p256dh`: the
    browser's public key; `auth`: a shared secret). The endpoint is unique: a
    device signed in by another person is moved to him (see `notifications.push`).
    A push service answering 404/410 means the subscription is gone: the row is deleted.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="push_subscriptions", verbose_name=_("personne"))
    # Google's and Apple's addresses run to ~200 characters; room for longer ones.
    endpoint = models.URLField(_("adresse du service push"), max_length=1000, unique=True)
    p256dh = models.CharField(_("clé publique du navigateur (p256dh)"), max_length=200)
    auth = models.CharField(_("secret d'authentification (auth)"), max_length=100)
    user_agent = models.CharField(_("navigateur (User-Agent)"), max_length=500, blank=True)
    label = models.CharField(_("appareil"), max_length=100, blank=True,
                             help_text=_("Déduit du navigateur, p. ex. « Chrome · Android »."))
    created_at = models.DateTimeField(_("abonné le"), default=timezone.now)
    last_success_at = models.DateTimeField(_("dernier envoi réussi"), null=True, blank=True)
    failure_count = models.PositiveIntegerField(_("échecs consécutifs"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("abonnement push")
        verbose_name_plural = _("abonnements push")
        ordering = ["user", "-created_at", "-id"]

    def __str__(self):
        return f"{self.user} · {self.label or self.endpoint[:40]}"

    def subscription_info(self):
        """The dict pywebpush reads, shaped like the browser's PushSubscription.toJSON()."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
