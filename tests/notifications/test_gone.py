"""An answer 410 Gone switches the destination off instead of retrying hourly forever."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from notifications.models import ScanRun, WebhookEndpoint, WebhookNotification
from notifications.services import GONE_REASON, run_overdue_scan
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def gone_receiver(receiver):
    receiver.status = 410
    return receiver


def test_a_410_switches_the_destination_off_and_says_why(gone_receiver, overdue_ticket):
    overdue_ticket()

    result = run_overdue_scan(now=NOW)

    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active
    assert endpoint.disabled_at == NOW
    assert endpoint.disabled_reason == GONE_REASON
    [record] = WebhookNotification.objects.all()
    assert (record.response_status, record.error) == (410, "Code HTTP 410 reçu")
    assert [d.status for d in result.failed] == [410]


def test_after_a_410_the_other_alerts_of_the_run_wait_and_later_runs_send_nothing(gone_receiver, overdue_ticket):
    for _ in range(3):
        overdue_ticket()

    run_overdue_scan(now=NOW)
    for hours in (1, 2, 5, 25):
        run_overdue_scan(now=NOW + timedelta(hours=hours))

    assert len(gone_receiver.received) == 1
    first = ScanRun.objects.order_by("started_at").first()
    assert (first.due, first.failed, first.remaining) == (3, 1, 2)


def test_the_settings_destination_stays_off_while_its_url_is_unchanged(gone_receiver, overdue_ticket, settings):
    overdue_ticket()
    run_overdue_scan(now=NOW)
    gone_receiver.status = 200

    run_overdue_scan(now=NOW + timedelta(hours=2))
    assert len(gone_receiver.received) == 1
    assert not WebhookEndpoint.objects.get().is_active

    settings.OVERDUE_WEBHOOK_URL = gone_receiver.url + "?v=2"  # The new address the receiver's owner gave.
    run_overdue_scan(now=NOW + timedelta(hours=3))

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.is_active and endpoint.disabled_at is None and endpoint.disabled_reason == ""
    assert len(gone_receiver.received) == 2


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_admin_home_warns_in_red_about_a_destination_switched_off(gone_receiver, overdue_ticket, admin_client):
    overdue_ticket()
    run_overdue_scan(now=NOW)

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        page = admin_client.get(reverse("admin:index")).content.decode()

    assert 'class="errornote disabled-endpoint"' in page
    assert "la destination « OVERDUE_WEBHOOK_URL » est désactivée" in page
    assert "Aucune alerte ne lui parvient" in page


def test_the_admin_reactivates_a_destination_and_the_next_run_sends_again(gone_receiver, overdue_ticket,
                                                                           admin_client):
    overdue_ticket()
    run_overdue_scan(now=NOW)
    gone_receiver.status = 200
    endpoint = WebhookEndpoint.objects.get()
    listing = admin_client.get(reverse("admin:notifications_webhookendpoint_changelist")).content.decode()
    assert "n&#x27;existe plus" in listing or "n'existe plus" in listing

    admin_client.post(reverse("admin:notifications_webhookendpoint_changelist"),
                      {"action": "reactivate", "_selected_action": [endpoint.pk]})
    run_overdue_scan(now=NOW + timedelta(hours=2))

    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_at is None
    assert [r["status"] for r in gone_receiver.received] == [410, 200]
