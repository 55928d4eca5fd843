"""The alert history outlives its ticket; an inactive assignee's ticket keeps being alerted."""
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from notifications.models import OverdueAlert, WebhookNotification
from notifications.services import run_overdue_scan
from tests.api.conftest import ticket_url
from tests.conftest import NOW

from .conftest import hook_ok, posted

pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def test_deleting_a_ticket_keeps_its_alert_history_with_its_number(client, supervisor, overdue_ticket, hooks):
    ticket = overdue_ticket()
    number = ticket.ticket_id
    hook_ok(hooks)
    run_overdue_scan(now=NOW)
    assert OverdueAlert.objects.filter(ticket=ticket).exists()

    assert api_as(supervisor).delete(ticket_url(ticket)).status_code == 204

    [row] = WebhookNotification.objects.all()
    assert row.ticket is None and row.ticket_number == number and row.succeeded
    assert not OverdueAlert.objects.exists()  # State of the next alert, not history: gone with the ticket.
    client.force_login(supervisor)
    page = client.get(reverse("admin:notifications_webhooknotification_changelist")).content.decode()
    assert number in page
    found = client.get(reverse("admin:notifications_webhooknotification_changelist"), {"q": number})
    assert number in found.content.decode()


def test_every_recorded_attempt_names_its_ticket(overdue_ticket, hooks):
    ticket = overdue_ticket()
    hook_ok(hooks, status=500)

    run_overdue_scan(now=NOW)

    assert list(WebhookNotification.objects.values_list("ticket_number", flat=True)) == [ticket.ticket_id]


def test_a_deactivated_assignees_overdue_ticket_is_still_alerted_with_his_name(
        supervisor, technician, overdue_ticket, hooks):
    ticket = overdue_ticket()
    api_as(supervisor).patch(f"/api/users/{technician.pk}", {"is_active": False}, format="json")
    hook_ok(hooks)

    run_overdue_scan(now=NOW)

    [payload] = posted(hooks)
    assert payload["ticket_id"] == ticket.ticket_id
    assert payload["assigned_to"] == "Jean Technicien"  # The payload never changes.


def test_a_migrated_database_gets_the_ticket_numbers_of_existing_rows(overdue_ticket):
    migration = importlib.import_module("notifications.migrations.0003_webhooknotification_keeps_ticket_number")
    ticket = overdue_ticket()
    WebhookNotification.objects.create(ticket=ticket, webhook_url="https://hooks.igp.test/x")
    WebhookNotification.objects.update(ticket_number="")

    migration.fill_ticket_numbers(apps, None)

    assert WebhookNotification.objects.get().ticket_number == ticket.ticket_id
