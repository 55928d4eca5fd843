"""Read-only queries other apps share (the ticket page shows `alert_history`)."""
from django.conf import settings
from django.utils import timezone

from .models import ScanRun, WebhookEndpoint, WebhookNotification


def alert_history(ticket, limit=20):
    """The last `limit` delivery attempts for `ticket`, newest first.

    Each row has `sent_at`, `webhook_url`, `response_status`, `succeeded`,
    `error` ("" when fine), `attempt`, `notification_id`. One query.
    """
    return list(
        WebhookNotification.objects.filter(ticket=ticket).select_related("endpoint").order_by("-sent_at", "-id")[:limit]
    )


def last_scan_run():
    return ScanRun.objects.order_by("-started_at", "-id").first()


def scheduler_health(*, now=None):
    """(last run or None, age as timedelta or None, stale flag). One query."""
    now = now or timezone.now()
    run = last_scan_run()
    if run is None:
        return None, None, True
    age = now - run.started_at
    return run, age, age > settings.SCHEDULER_STALE_AFTER


def disabled_endpoints():
    """Destinations switched off by a 410 Gone and not reactivated: no alert reaches them. One query."""
    return list(WebhookEndpoint.objects.filter(is_active=False, disabled_at__isnull=False).order_by("name", "id"))


def bell(user, limit=50):
    """The person's last `limit` notifications, newest first (the bell). One query."""
    from .models import Notification

    return list(Notification.objects.for_user(user).select_related("ticket").order_by("-created_at", "-id")[:limit])


def unread_count(user):
    """How many of the person's notifications are unread. One query."""
    from .models import Notification

    return Notification.objects.for_user(user).unread().count()
