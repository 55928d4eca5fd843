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

What the notifications to people remember (issue 13, "one delivery discipline"):

- `Notification`: one per (event, recipient) — the bell item. Its text is
  rendered from `kind` + `params` in the reader's language when shown or sent.
  `key` is unique per recipient, so fanning the same event out twice (two scans
  at once, a retried request) creates nothing new.
- `Delivery`: the outbox row, one per notification × channel × target (one per
  push subscription, so a 410 removes one device; one for the e-mail address).
  It inherits the claim fields of `OverdueAlert` (`outbox.Claimable`) and is
  delivered by the same claim, retry schedule and dispatcher.
- `DeliveryAttempt`: one row per attempt, written before the send ("Envoi en
  cours") and completed after — the people's counterpart of
  `webhook_notifications`.
- `NotificationPreference`: per person, which kinds reach which channel, and
  quiet hours. No row means the defaults (`DEFAULT_CHANNELS`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .outbox import Claimable

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


class OverdueAlert(Claimable):
    """The next overdue webhook for one (ticket, endpoint). Claim fields: `outbox.Claimable`."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="overdue_alerts",
                               verbose_name=_("ticket"))
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="alerts",
                                 verbose_name=_("destination"))
    last_delivered_at = models.DateTimeField(_("dernier envoi réussi"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerte de retard")
        verbose_name_plural = _("alertes de retard")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "endpoint"], name="one_overdue_alert_per_ticket_endpoint"),
        ]

    def __str__(self):
        return f"{self.ticket_id} → {self.endpoint_id}"


class DueSoonAlert(Claimable):
    """The due-soon webhook of one (ticket, endpoint, scheduled instant): sent once, retried like an overdue
    alert (same claim, same retry schedule, same `webhook_notifications` history), never repeated.

    Made by `events.due_soon` beside the people's notices; a rescheduled ticket gets a new row for its new
    instant, and a row whose instant is no longer the ticket's (rescheduled, started, past) is not sent.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="due_soon_alerts",
                               verbose_name=_("ticket"))
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="due_soon_alerts",
                                 verbose_name=_("destination"))
    scheduled_for = models.DateTimeField(_("échéance annoncée"))
    delivered_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerte d'échéance proche")
        verbose_name_plural = _("alertes d'échéance proche")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "endpoint", "scheduled_for"],
                                    name="one_due_soon_alert_per_ticket_endpoint_instant"),
        ]

    def __str__(self):
        return f"{self.ticket_id} → {self.endpoint_id} ({self.scheduled_for:%Y-%m-%d %H:%M})"


class WebhookNotification(models.Model):
    """One delivery attempt. Fields read by `selectors.alert_history` and the ticket page."""

    class Type(models.TextChoices):
        OVERDUE_SCHEDULED = "overdue_scheduled", _("Ticket planifié en retard")
        DUE_SOON = "due_soon", _("Ticket bientôt dû")
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
# --- Notifications to people ------------------------------------------------------
class Kind(models.TextChoices):
    """What happened. The text of each kind is in `Notification.title`/`body`."""

    TICKET_ASSIGNED = "ticket_assigned", _("Ticket assigné")
    TICKET_OVERDUE = "ticket_overdue", _("Ticket en retard")
    TICKET_COMPLETED = "ticket_completed", _("Ticket terminé")
    MESSAGE_RECEIVED = "message_received", _("Message privé reçu")
    DUE_SOON = "due_soon", _("Ticket bientôt dû")


class Channel(models.TextChoices):
    PUSH = "push", _("Notification sur l'appareil")
    EMAIL = "email", pgettext_lazy("channel", "Courriel")


# Without a preference row: push for every kind, e-mail for overdue tickets only
# (the seed's e-mail to the administrator, now to the assignee too).
DEFAULT_CHANNELS = {
    Channel.PUSH: frozenset(Kind.values),
    Channel.EMAIL: frozenset({Kind.TICKET_OVERDUE}),
}


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event for one person: the bell item, and the parent of its deliveries.

    `params` hold what the text needs (ticket title, machine, who did it, the
    delay...) as plain values, so `title`/`body` render in whatever language is
    active — the reader's own when the bell or the e-mail shows it.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("destinataire"))
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    # SET_NULL: deleting a ticket keeps the person's notifications, still naming it by number.
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="person_notifications", verbose_name=_("ticket"))
    ticket_number = models.CharField(_("numéro de ticket"), max_length=120, blank=True)
    params = models.JSONField(_("paramètres du texte"), default=dict, blank=True)
    key = models.CharField(
        _("clé de dédoublonnage"), max_length=200,
        help_text=_("Unique par destinataire : le même événement diffusé deux fois ne crée rien de plus."),
    )
    priority = models.CharField(_("priorité"), max_length=10, blank=True,
                                help_text=_("Celle du ticket : « critical » passe outre les heures de silence."))
    url = models.CharField(_("lien"), max_length=500, blank=True,
                           help_text=_("Chemin de la page à ouvrir (ticket, conversation)."))
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        permissions = [("receive_overdue_digest",
                        _("Recevoir par courriel les tickets en retard, même non assignés"))]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_recipient_key"),
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_bell_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_id} ({self.ticket_number})"

    def get_absolute_url(self):
        return self.url or "/"

    def _p(self, name, default=""):
        return (self.params or {}).get(name, default)

    @property
    def title(self):
        """One line, in the active language (the reader's, inside `translation.override`)."""
        from django.utils.translation import gettext

        number = self.ticket_number or self._p("ticket")
        texts = {
            Kind.TICKET_ASSIGNED: gettext("Ticket assigné à l'équipe : %(ticket)s") if self._p("team")
            else gettext("Ticket assigné : %(ticket)s"),
            Kind.TICKET_OVERDUE: gettext("Ticket en retard : %(ticket)s"),
            Kind.TICKET_COMPLETED: gettext("Ticket terminé : %(ticket)s"),
            Kind.MESSAGE_RECEIVED: gettext("Message de %(sender)s"),
            Kind.DUE_SOON: gettext("Ticket bientôt dû : %(ticket)s"),
        }
        return texts.get(self.kind, self.get_kind_display()) % {"ticket": number, "sender": self._p("sender")}

    @property
    def body(self):
        """A sentence or two under the title, in the active language."""
        from django.utils.translation import gettext

        p = {"title": self._p("title"), "machine": self._p("machine"), "by": self._p("by"),
             "excerpt": self._p("excerpt"), "days": self._p("days", 0), "hours": self._p("hours", 0),
             "minutes": self._p("minutes", 0), "priority": self._p("priority_label")}
        if self.kind == Kind.TICKET_ASSIGNED:
            text = gettext("%(title)s — %(machine)s. Assigné par %(by)s.") if p["by"] \
                else gettext("%(title)s — %(machine)s.")
        elif self.kind == Kind.TICKET_OVERDUE:
            text = gettext("%(title)s — %(machine)s. En retard de %(days)s j %(hours)s h %(minutes)s min.")
        elif self.kind == Kind.TICKET_COMPLETED:
            text = gettext("%(title)s — %(machine)s. Terminé par %(by)s.") if p["by"] \
                else gettext("%(title)s — %(machine)s.")
        elif self.kind == Kind.MESSAGE_RECEIVED:
            text = "%(excerpt)s"
        else:
            text = gettext("%(title)s — %(machine)s.")
        return text % p

    @property
    def absolute_url(self):
        """The link for e-mails and push: SITE_URL + the page."""
        return settings.SITE_URL + self.get_absolute_url()


class Delivery(Claimable):
    """One notification on one channel to one target: the outbox row.

    Delivered exactly once by the claim of `outbox` (its `notification_id` is the
    e-mail's Message-ID and the push topic, kept across retries). `status` says
    where it stands; `attempts`/`next_attempt_at` drive the retries like an
    `OverdueAlert`'s.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENDING = "sending", _("Envoi en cours")
        SENT = "sent", _("Envoyée")
        FAILED = "failed", _("Échec, nouvel essai prévu")
        GIVEN_UP = "given_up", _("Abandonnée")

    # Still to deliver. "sending" stays open: a killed run leaves it so, and its claim expires.
    OPEN = (Status.PENDING, Status.SENDING, Status.FAILED)

    # Not `notification`: its column would be `notification_id`, the name of the claim's message id.
    person_notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries",
                                            verbose_name=_("notification"))
    channel = models.CharField(_("canal"), max_length=16, choices=Channel.choices)
    target = models.CharField(_("cible"), max_length=500,
                              help_text=_("Adresse courriel, ou identifiant de l'abonnement push de l'appareil."))
    status = models.CharField(_("état"), max_length=16, choices=Status.choices, default=Status.PENDING)
    delivered_at = models.DateTimeField(_("remise le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person_notification", "channel", "target"],
                                    name="one_delivery_per_notification_channel_target"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.target}"


class DeliveryAttempt(models.Model):
    """One attempt of a `Delivery`, written before the send and completed after."""

    SENDING = "Envoi en cours"
    INTERRUPTED = "Interrompu (envoi non terminé)"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log",
                                 verbose_name=_("envoi"))
    attempt = models.PositiveIntegerField(_("tentative"), default=1)
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now, db_index=True)
    status_code = models.PositiveIntegerField(_("code de réponse"), null=True, blank=True,
                                              help_text=_("Code HTTP (push) ou SMTP (courriel)."))
    response = models.TextField(_("réponse (1 000 premiers caractères)"), blank=True)
    error = models.TextField(_("erreur"), blank=True)
    duration = models.DurationField(_("durée"), null=True, blank=True)
    succeeded = models.BooleanField(_("réussi"), default=False)

    class Meta:
        verbose_name = _("tentative d'envoi")
        verbose_name_plural = _("tentatives d'envoi")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.delivery_id} #{self.attempt} {self.status_code or self.error}"


class NotificationPreference(models.Model):
    """What reaches one person, and when. No row: `DEFAULT_CHANNELS`, no quiet hours.

    `choices` holds only what the person changed, as {"<kind>:<channel>": bool},
    so a new kind or a changed default reaches everybody who did not decide
    otherwise. Quiet hours are in the factory's time (TIME_ZONE); start after end
    spans midnight (22:00 → 06:00). During them a delivery waits for their end —
    nothing is dropped — except for critical tickets.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("personne"))
    choices = models.JSONField(_("choix"), default=dict, blank=True)
    quiet_start = models.TimeField(_("début des heures de silence"), null=True, blank=True)
    quiet_end = models.TimeField(_("fin des heures de silence"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiées le"), default=timezone.now)

    class Meta:
        verbose_name = _("préférences de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self):
        return str(self.user)

    @staticmethod
    def choice_key(kind, channel):
        return f"{kind}:{channel}"

    def wants(self, kind, channel):
        """True when `kind` should reach this person on `channel`."""
        key = self.choice_key(kind, channel)
        if key in (self.choices or {}):
            return bool(self.choices[key])
        return kind in DEFAULT_CHANNELS.get(channel, ())

    def matrix(self):
        """[(kind, label, {channel: on})] for a preferences page, every kind and channel."""
        return [(kind, label, {channel: self.wants(kind, channel) for channel in Channel.values})
                for kind, label in Kind.choices]

    def quiet_until(self, at):
        """The end of the quiet hours `at` falls in (aware datetime), or None when `at` is not quiet."""
        from datetime import datetime, timedelta

        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        local = timezone.localtime(at)
        t, start, end = local.time(), self.quiet_start, self.quiet_end
        if start < end:
            quiet, end_day = start <= t < end, local.date()
        else:  # Across midnight.
            quiet = t >= start or t < end
            end_day = local.date() + timedelta(days=1) if t >= start else local.date()
        if not quiet:
            return None
        return timezone.make_aware(datetime.combine(end_day, end), timezone.get_current_timezone())
