"""What an admin sees and can do about overdue alerts."""
from datetime import timedelta

import pytest
import responses
import time_machine
from django.urls import reverse

from notifications.models import ScanRun, WebhookEndpoint, WebhookNotification
from notifications.services import run_overdue_scan
from tests.conftest import NOW

from .conftest import HOOK_URL, hook_ok, posted

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_admin_home_shows_the_last_run(admin_client):
    ScanRun.objects.create(trigger="crontab", started_at=NOW, total_overdue=3, sent=2, failed=1)
    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Dernière vérification" in page and "il y a 4 min" in page
    assert "3 ticket(s) en retard, 2 alerte(s) envoyée(s), 1 échec(s)" in page
    assert "Attention" not in page


def test_the_admin_home_warns_in_red_after_15_minutes_without_a_run(admin_client):
    ScanRun.objects.create(trigger="crontab", started_at=NOW)
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        page = admin_client.get(reverse("admin:index")).content.decode()
    assert 'class="errornote"' in page
    assert "aucune vérification des retards depuis plus de 15 minutes" in page


def test_the_admin_home_warns_when_no_run_ever_happened(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "n'a encore jamais tourné" in page


def test_other_admin_pages_do_not_pay_for_the_scheduler_status(admin_client):
    response = admin_client.get(reverse("admin:notifications_scanrun_changelist"))
    assert response.status_code == 200
    assert "scheduler" not in response.context


def test_the_history_is_read_only_and_searchable_by_ticket_id(admin_client, overdue_ticket, hooks):
    ticket = overdue_ticket()
    other = overdue_ticket()
    hook_ok(hooks)
    run_overdue_scan(now=NOW)
    url = reverse("admin:notifications_webhooknotification_changelist")

    page = admin_client.get(url, {"q": ticket.ticket_id}).content.decode()
    assert ticket.ticket_id in page and other.ticket_id not in page
    assert admin_client.get(url, {"succeeded__exact": "0"}).status_code == 200
    assert admin_client.get(reverse("admin:notifications_webhooknotification_add")).status_code == 403
    record = WebhookNotification.objects.first()
    change = admin_client.get(reverse("admin:notifications_webhooknotification_change", args=[record.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content


def test_resend_now_delivers_the_alert_again_at_once(admin_client, overdue_ticket, hooks):
    overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, status=500)
    run_overdue_scan(now=NOW)
    hooks.replace(responses.POST, HOOK_URL, json={}, status=200)
    failed = WebhookNotification.objects.get()

    admin_client.post(reverse("admin:notifications_webhooknotification_changelist"),
                      {"action": "resend_now", "_selected_action": [failed.pk]})

    assert len(hooks.calls) == 2
    first, resent = posted(hooks)
    assert first["notification_id"] == resent["notification_id"], "the retry of a failed alert keeps its id"
    assert WebhookNotification.objects.filter(succeeded=True, attempt=2).count() == 1


def test_send_a_test_webhook_from_the_endpoint_list(admin_client, hooks):
    endpoint = WebhookEndpoint.objects.create(name="Pabbly", url="http://pabbly.igp.test/hook")
    hook_ok(hooks, url=endpoint.url)

    response = admin_client.post(reverse("admin:notifications_webhookendpoint_changelist"),
                                 {"action": "send_test_webhook", "_selected_action": [endpoint.pk]}, follow=True)

    assert "essai reçu (HTTP 200)" in response.content.decode()
    assert posted(hooks)[0]["test"] is True
    assert WebhookNotification.objects.get().notification_type == "test"


def test_the_ticket_page_in_the_admin_shows_its_alert_history(admin_client, overdue_ticket, hooks):
    ticket = overdue_ticket()
    hook_ok(hooks, status=500)
    run_overdue_scan(now=NOW)

    page = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()

    assert "alertes de retard envoyées" in page.lower()
    assert "Code HTTP 500 reçu" in page


def test_a_supervisor_may_see_the_history(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("admin:notifications_webhooknotification_changelist")).status_code == 200


SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_an_endpoints_secret_is_never_shown_back_and_is_kept_when_left_empty(admin_client):
    endpoint = WebhookEndpoint.objects.create(name="Pabbly", url="http://pabbly.igp.test/hook", secret=SECRET)
    url = reverse("admin:notifications_webhookendpoint_change", args=[endpoint.pk])

    assert SECRET not in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"name": "Pabbly 2", "url": endpoint.url, "is_active": "on", "secret": "",
                                       "timeout_seconds": "", "spacing_ms": "200"})

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.secret) == ("Pabbly 2", SECRET)


def test_a_malformed_secret_is_refused(admin_client):
    response = admin_client.post(reverse("admin:notifications_webhookendpoint_add"), {
        "name": "X", "url": "http://x.igp.test/", "is_active": "on", "secret": "not-a-secret", "spacing_ms": "200"})
    assert response.status_code == 200
    assert "whsec_" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_environment_destination_is_read_only_and_hides_its_secret(admin_client, settings, hooks):
    settings.OVERDUE_WEBHOOK_SECRET = SECRET
    run_overdue_scan(now=NOW)
    endpoint = WebhookEndpoint.objects.get(managed_by_settings=True)

    page = admin_client.get(reverse("admin:notifications_webhookendpoint_change", args=[endpoint.pk]))

    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert 'name="url"' not in page.content.decode()


def test_a_destination_cannot_ask_for_more_time_than_a_cron_call_has(admin_client):
    response = admin_client.post(reverse("admin:notifications_webhookendpoint_add"), {
        "name": "Lent", "url": "http://x.igp.test/", "is_active": "on", "secret": "", "timeout_seconds": "25",
        "spacing_ms": "200"})

    assert response.status_code == 200
    assert "10" in response.context["adminform"].form.errors["timeout_seconds"][0]
    assert not WebhookEndpoint.objects.exists()


def test_a_stored_destination_timeout_beyond_the_cap_is_held_to_it(settings):
    settings.WEBHOOK_TOTAL_TIMEOUT = 8
    assert WebhookEndpoint(name="Lent", url="http://x.igp.test/", timeout_seconds=25).total_timeout == 10
    assert WebhookEndpoint(name="Vif", url="http://x.igp.test/", timeout_seconds=2).total_timeout == 2
    assert WebhookEndpoint(name="Défaut", url="http://x.igp.test/").total_timeout == 8


def test_an_alerts_title_shows_factory_time_like_its_fields(admin_client, overdue_ticket, hooks):
    ticket = overdue_ticket()
    hook_ok(hooks, status=500)
    run_overdue_scan(now=NOW)  # 09:26 in the factory, 14:26 UTC.

    record = WebhookNotification.objects.get()
    assert "2025-11-12 09:26" in str(record)
    page = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    assert "14:26" not in page


def test_the_history_list_puts_success_beside_the_date_and_in_factory_time(admin_client, overdue_ticket, hooks):
    overdue_ticket()
    hook_ok(hooks)
    run_overdue_scan(now=NOW)

    response = admin_client.get(reverse("admin:notifications_webhooknotification_changelist"))

    columns = response.context["cl"].list_display
    assert columns.index("succeeded") <= 2
    assert "12/11/2025 09:26" in response.content.decode()
