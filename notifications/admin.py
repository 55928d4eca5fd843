"""Admin for the overdue alerts (destinations, the delivery history, the runs) and for the
notifications to people (notifications, outbox rows per channel, their attempts, preferences).

History and runs are read-only: they are what happened. "Resend now" goes through
the same claim code as the scan (`alert_resend_now`, `deliver_people(force=True)`). The ticket admin gets
the ticket's alert history as an inline (added from here, so tickets/admin.py
stays unaware of notifications).
"""
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.admin import TicketAdmin

from .models import (
    Delivery,
    DeliveryAttempt,
    Notification,
    NotificationPreference,
    OverdueAlert,
    ScanRun,
    WebhookEndpoint,
    WebhookNotification,
    validate_webhook_secret,
)
from .services import alert_resend_now, deliver_people, endpoint_reactivate, endpoint_send_test


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _https_by_default(db_field, **kwargs):
    # Django 6 makes https the default scheme of URL fields; say so now (and silence its warning).
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class WebhookEndpointForm(forms.ModelForm):
    """The secret is never shown back; leaving the field empty keeps the current one."""

    secret = forms.CharField(
        label=_("secret de signature"), required=False, widget=forms.PasswordInput(render_value=False),
        validators=[validate_webhook_secret],
        help_text=_("Facultatif, « whsec_… ». Laisser vide pour garder le secret actuel."),
    )
    clear_secret = forms.BooleanField(label=_("supprimer le secret"), required=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "is_active", "secret", "timeout_seconds", "spacing_ms"]
        formfield_callback = _https_by_default

    def clean(self):
        data = super().clean()
        if data.get("clear_secret"):
            data["secret"] = ""
        elif not data.get("secret") and self.instance.pk:
            data["secret"] = self.instance.secret
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "url", "is_active", "signed", "spacing_ms", "timeout_seconds", "managed_by_settings",
                    "disabled"]
    list_filter = ["is_active", "managed_by_settings"]
    search_fields = ["name", "url"]
    fields = ["name", "url", "is_active", "secret", "clear_secret", "timeout_seconds", "spacing_ms",
              "managed_by_settings", "created_at", "disabled_at", "disabled_reason"]
    readonly_fields = ["managed_by_settings", "created_at", "disabled_at", "disabled_reason"]
    actions = ["send_test_webhook", "reactivate"]

    def get_fields(self, request, obj=None):
        if obj is not None and obj.managed_by_settings:
            return ["name", "url", "is_active", "signed", "timeout_seconds", "spacing_ms", "managed_by_settings",
                    "created_at", "disabled_at", "disabled_reason"]
        return self.fields

    def save_model(self, request, obj, form, change):
        # Ticking "active" again is the admin's answer to a 410: the reason no longer holds.
        if obj.is_active and obj.disabled_at:
            obj.disabled_at, obj.disabled_reason = None, ""
        super().save_model(request, obj, form, change)

    @admin.display(description=_("désactivée (410)"))
    def disabled(self, obj):
        if not obj.disabled_at:
            return ""
        return format_html('<strong style="color: #ba2121;">{}</strong>', obj.disabled_reason)

    @admin.action(description=_("Réactiver les destinations sélectionnées"), permissions=["change"])
    def reactivate(self, request, queryset):
        endpoints = list(queryset)
        for endpoint in endpoints:
            endpoint_reactivate(endpoint=endpoint)
        self.message_user(request, ngettext("%d destination réactivée.", "%d destinations réactivées.",
                                            len(endpoints)) % len(endpoints), messages.SUCCESS)

    def get_readonly_fields(self, request, obj=None):
        # The settings destination is rewritten from the environment at every run.
        if obj is not None and obj.managed_by_settings:
            return self.get_fields(request, obj)
        return self.readonly_fields

    @admin.display(description=_("signé"), boolean=True)
    def signed(self, obj):
        return bool(obj.secret)

    @admin.action(description=_("Envoyer un webhook d'essai"))
    def send_test_webhook(self, request, queryset):
        for endpoint in queryset:
            result = endpoint_send_test(endpoint=endpoint, now=timezone.now())
            if result.succeeded:
                self.message_user(request, _("%(name)s : essai reçu (HTTP %(status)s).")
                                  % {"name": endpoint.name, "status": result.status}, messages.SUCCESS)
            else:
                self.message_user(request, _("%(name)s : échec de l'essai — %(error)s")
                                  % {"name": endpoint.name, "error": result.error}, messages.ERROR)


@admin.register(WebhookNotification)
class WebhookNotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # ticket_number, not the ticket: the history of a deleted ticket still says which one.
    # "Réussi" right after the date: the column a supervisor opens this page for never
    # sits past the right edge of a 1280-pixel screen. The type is a filter, not a column
    # (test alerts are rare), the duration is on the detail page; the error is cut short and wraps.
    list_display = ["sent", "succeeded", "ticket_number", "endpoint", "attempt", "response_status", "short_error"]
    list_filter = ["succeeded", "endpoint", ("sent_at", admin.DateFieldListFilter), "notification_type"]
    list_select_related = ["ticket", "endpoint"]
    search_fields = ["ticket_number", "=notification_id"]
    date_hierarchy = "sent_at"
    readonly_fields = ["ticket", "ticket_number", "endpoint", "notification_type", "notification_id", "webhook_url",
                       "sent_at", "attempt", "response_status", "response_body", "succeeded", "error", "duration",
                       "created_at"]
    actions = ["resend_now"]

    @admin.display(description=_("envoyé le"), ordering="sent_at")
    def sent(self, obj):
        return date_format(timezone.localtime(obj.sent_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("erreur"))
    def short_error(self, obj):
        return (obj.error[:60] + "…") if len(obj.error) > 60 else obj.error

    @admin.action(description=_("Renvoyer l'alerte maintenant"), permissions=["run_overdue_check"])
    def resend_now(self, request, queryset):
        pairs = {(n.ticket, n.endpoint) for n in queryset.select_related("ticket", "endpoint")
                 if n.ticket_id and n.endpoint_id}
        sent = failed = busy = 0
        for ticket, endpoint in pairs:
            result = alert_resend_now(ticket=ticket, endpoint=endpoint, now=timezone.now())
            if result is None:
                busy += 1
            elif result.succeeded:
                sent += 1
            else:
                failed += 1
        if sent:
            self.message_user(request, ngettext("%d alerte renvoyée.", "%d alertes renvoyées.", sent) % sent,
                              messages.SUCCESS)
        if failed:
            self.message_user(request, ngettext("%d renvoi a échoué (voir l'historique).",
                                                "%d renvois ont échoué (voir l'historique).", failed) % failed,
                              messages.ERROR)
        if busy:
            self.message_user(request, _("%d alerte(s) en cours d'envoi par une autre vérification.") % busy,
                              messages.WARNING)
        if not pairs:
            self.message_user(request, _("Aucune alerte de ticket à renvoyer dans la sélection."), messages.WARNING)

    def has_run_overdue_check_permission(self, request):
        return request.user.has_perm("notifications.run_overdue_check")


@admin.register(OverdueAlert)
class OverdueAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "endpoint", "notification_id", "attempts", "next_attempt_at", "claimed_until",
                    "last_delivered_at"]
    list_filter = ["endpoint"]
    list_select_related = ["ticket", "endpoint"]
    search_fields = ["ticket__ticket_id", "=notification_id"]


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "trigger", "total_overdue", "due", "sent", "failed", "remaining",
                    "held", "interrupted"]
    list_filter = ["trigger", "interrupted"]
    date_hierarchy = "started_at"


# --- Notifications to people -----------------------------------------------------------
class DeliveryInline(admin.TabularInline):
    model = Delivery
    fk_name = "person_notification"
    extra = 0
    can_delete = False
    fields = ["channel", "target", "status", "attempts", "next_attempt_at", "delivered_at", "last_error"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "ticket_number", "read_at"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter), ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["ticket_number", "recipient__email", "recipient__last_name", "key"]
    date_hierarchy = "created_at"
    readonly_fields = ["recipient", "kind", "ticket", "ticket_number", "text", "params", "key", "priority", "url",
                       "created_at", "read_at"]
    fields = readonly_fields
    inlines = [DeliveryInline]

    @admin.display(description=_("texte"))
    def text(self, obj):
        return f"{obj.title} — {obj.body}"


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    classes = ["igp-wrap"]
    fields = ["sent_at", "attempt", "status_code", "succeeded", "error", "duration"]
    readonly_fields = fields
    ordering = ["-sent_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every outbox row, per channel — like the webhook history; its attempts inline."""

    list_display = ["created_at", "channel", "status", "recipient", "kind", "ticket_number", "attempts",
                    "next_attempt_at", "delivered_at", "short_error"]
    list_filter = ["channel", "status", "person_notification__kind", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["person_notification__recipient"]
    search_fields = ["target", "person_notification__ticket_number", "person_notification__recipient__email",
                     "=notification_id"]
    date_hierarchy = "created_at"
    readonly_fields = ["person_notification", "channel", "target", "status", "notification_id", "attempts",
                       "next_attempt_at", "claimed_until", "delivered_at", "last_error", "created_at"]
    fields = readonly_fields
    inlines = [DeliveryAttemptInline]
    actions = ["resend_now"]

    @admin.display(description=_("destinataire"), ordering="person_notification__recipient")
    def recipient(self, obj):
        return obj.person_notification.recipient

    @admin.display(description=_("type"), ordering="person_notification__kind")
    def kind(self, obj):
        return obj.person_notification.get_kind_display()

    @admin.display(description=_("ticket"))
    def ticket_number(self, obj):
        return obj.person_notification.ticket_number

    @admin.display(description=_("erreur"))
    def short_error(self, obj):
        return (obj.last_error[:60] + "…") if len(obj.last_error) > 60 else obj.last_error

    @admin.action(description=_("Renvoyer maintenant"), permissions=["run_overdue_check"])
    def resend_now(self, request, queryset):
        """Through the scan's claim: a row another run is sending right now is left to it (counted busy)."""
        ids = list(queryset.values_list("pk", flat=True))
        tally = deliver_people(now=timezone.now(), delivery_ids=ids, force=True)
        if tally.sent:
            self.message_user(request, ngettext("%d envoi réussi.", "%d envois réussis.", tally.sent) % tally.sent,
                              messages.SUCCESS)
        failed = tally.failed + tally.given_up
        if failed:
            self.message_user(request, ngettext("%d envoi a échoué (voir les tentatives).",
                                                "%d envois ont échoué (voir les tentatives).", failed) % failed,
                              messages.ERROR)
        if tally.held:
            self.message_user(request, _("%d envoi(s) en cours par une autre vérification.") % tally.held,
                              messages.WARNING)
        skipped = len(ids) - tally.due
        if skipped:
            self.message_user(request, ngettext("%d envoi déjà remis, laissé tel quel.",
                                                "%d envois déjà remis, laissés tels quels.", skipped) % skipped,
                              messages.WARNING)

    def has_run_overdue_check_permission(self, request):
        return request.user.has_perm("notifications.run_overdue_check")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sent_at", "succeeded", "channel", "delivery", "attempt", "status_code", "error"]
    list_filter = ["succeeded", "delivery__channel", ("sent_at", admin.DateFieldListFilter)]
    list_select_related = ["delivery"]
    search_fields = ["delivery__target", "=delivery__notification_id"]
    date_hierarchy = "sent_at"

    @admin.display(description=_("canal"), ordering="delivery__channel")
    def channel(self, obj):
        return obj.delivery.get_channel_display()


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "quiet_start", "quiet_end", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__last_name"]
    readonly_fields = ["updated_at"]


class WebhookNotificationInline(admin.TabularInline):
    model = WebhookNotification
    verbose_name_plural = _("alertes de retard envoyées")
    extra = 0
    can_delete = False
    classes = ["igp-wrap"]
    fields = ["sent_at", "endpoint", "attempt", "response_status", "succeeded", "error", "notification_id"]
    readonly_fields = fields
    ordering = ["-sent_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


TicketAdmin.inlines = [*TicketAdmin.inlines, WebhookNotificationInline]
