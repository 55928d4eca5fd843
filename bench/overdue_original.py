"""The original application's overdue check, re-expressed with the ORM for the benchmark.

What the TypeScript handler did on every cron call:

1. one SELECT of the overdue tickets (joined with machine and assignee);
2. for each ticket, one SELECT in webhook_notifications for a row of the last
   24 hours (the "1 per 24 h" rule, counted from any attempt, failed or not);
3. if none: POST to the webhook, INSERT the notification row, sleep 200 ms
   (Pabbly merged alerts sent in the same instant).

Only used by bench/overdue.py; never imported by the application.
"""
import json
import time
from datetime import timedelta

import requests

from notifications.models import WebhookNotification
from tickets.models import Ticket


def select_original(now):
    """Steps 1 and 2: the tickets to alert. 1 + one query per overdue ticket."""
    tickets = list(Ticket.objects.overdue(now=now).select_related("machine", "assigned_to", "reporter"))
    since = now - timedelta(hours=24)
    return [
        t for t in tickets
        if not WebhookNotification.objects.filter(ticket_id=t.pk, notification_type="overdue_scheduled",
                                                  sent_at__gt=since).exists()
    ]


def run_original(*, now, url, pause=0.2):
    sent = 0
    for ticket in select_original(now):
        delay = now - ticket.scheduled_date
        body = {
            "ticket_id": ticket.ticket_id, "title": ticket.title, "description": ticket.description,
            "priority": ticket.priority, "status": ticket.status,
            "machine": f"{ticket.machine.machine_type} {ticket.machine.model}",
            "scheduled_date": ticket.scheduled_date.isoformat(), "assigned_to": ticket.assignee_label,
            "reporter": str(ticket.reporter), "created_at": ticket.created_at.isoformat(),
            "overdue_days": delay.days, "overdue_text": str(delay),
            "notification_sent_at": now.isoformat(),
        }
        try:
            response = requests.post(url, data=json.dumps(body), headers={"Content-Type": "application/json"})
            status, text = response.status_code, response.text[:1000]
        except requests.RequestException as exc:
            status, text = None, str(exc)
        WebhookNotification.objects.create(ticket=ticket, notification_type="overdue_scheduled", webhook_url=url,
                                           sent_at=now, response_status=status, response_body=text,
                                           succeeded=status is not None and 200 <= status < 300)
        sent += 1
        time.sleep(pause)
    return sent
