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


def failing_channels(*, now=None):
    """Channels whose deliveries have been failing for longer than `NOTIFICATIONS_FAILING_AFTER` (1 h). Three queries.

    - e-mail, push: a delivery still waiting for a retry (status failed) whose
      failed attempt is older than that, while no delivery of the channel
      succeeded since then (one mailbox greylisting us is not a broken SMTP
      server). Permanent refusals (given up) do not count: the channel works.
    - webhook: an active destination's alert still failing (attempts > 0) whose
      first failure of this alert is older than that.
    Sorted names: ["email", "push", "webhook"].
    """
    from django.db.models import Exists, OuterRef

    from .models import Delivery, DeliveryAttempt, OverdueAlert

    now = now or timezone.now()
    since = now - settings.NOTIFICATIONS_FAILING_AFTER
    failing = set(DeliveryAttempt.objects.filter(
        succeeded=False, sent_at__lte=since, delivery__status=Delivery.Status.FAILED,
    ).values_list("delivery__channel", flat=True).distinct())
    if failing:
        failing -= set(DeliveryAttempt.objects.filter(succeeded=True, sent_at__gt=since,
                                                      delivery__channel__in=failing)
                       .values_list("delivery__channel", flat=True).distinct())
    old_failure = WebhookNotification.objects.filter(notification_id=OuterRef("notification_id"), succeeded=False,
                                                     sent_at__lte=since)
    if OverdueAlert.objects.filter(attempts__gt=0, endpoint__is_active=True).filter(Exists(old_failure)).exists():
        failing.add("webhook")
    return sorted(failing)
