"""Against a real HTTP receiver on 127.0.0.1 that is down for a while, then recovers."""
from datetime import timedelta

import pytest

from notifications.models import WebhookNotification
from notifications.services import run_overdue_scan
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_every_alert_arrives_exactly_once_after_the_receiver_recovers(overdue_ticket, receiver):
    tickets = [overdue_ticket() for _ in range(5)]

    receiver.status = 503
    for minutes in (0, 5, 10, 15, 20):
        run_overdue_scan(now=NOW + timedelta(minutes=minutes))
    assert receiver.delivered_ids() == []
    failed_ids = {r["body"]["notification_id"] for r in receiver.received}

    receiver.status = 200
    for minutes in range(25, 24 * 60, 5):  # The rest of the day, every 5 minutes.
        run_overdue_scan(now=NOW + timedelta(minutes=minutes))

    delivered = receiver.delivered_ids()
    assert len(delivered) == len(set(delivered)) == 5
    assert set(delivered) == failed_ids, "a retried alert keeps its id"
    assert {r["body"]["ticket_id"] for r in receiver.received} == {t.ticket_id for t in tickets}
    assert WebhookNotification.objects.filter(succeeded=True).count() == 5
    assert not WebhookNotification.objects.filter(error="Envoi en cours").exists()
