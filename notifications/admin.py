"""Admin for the overdue alerts: destinations, the delivery history, the runs.

History and runs are read-only: they are what happened. The ticket admin gets
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
    OverdueAlert,
    PushSubscription,
    ScanRun,
    WebhookEndpoint,
    WebhookNotification,
    validate_webhook_secret,
)
from .services import alert_resend_now, endpoint_reactivate, endpoint_send_test


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


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    """Devices that receive Web Push. Made by the browsers only; an admin may remove one (a lost phone)."""

    list_display = ["user", "label", "created_at", "last_success_at", "failure_count", "last_error"]
    list_filter = ["label"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__last_name", "label"]
    readonly_fields = ["user", "endpoint", "p256dh", "auth", "user_agent", "label", "created_at", "last_success_at",
                       "failure_count", "last_error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
