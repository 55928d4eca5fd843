"""The overdue scan: find what is due, claim it, send it, record it.

`run_overdue_scan()` is the one entry point; `manage.py check_overdue`, the
cron endpoint and the JWT endpoint each call it and format its `ScanResult`.

Guarantees, and how they are kept:

- *Never twice.* Each (ticket, endpoint) alert is claimed with a conditional
  UPDATE (`… WHERE ticket=… AND endpoint=… AND next_attempt_at <= now AND
  (claimed_until IS NULL OR claimed_until < now)`) and sent only when exactly
  one row changed. That works the same on SQLite and PostgreSQL, across
  processes and hosts, with no lock held while the request is in flight
  (`select_for_update` would be a silent no-op on SQLite).
- *Never lost.* The claim expires after `OVERDUE_CLAIM_TTL_SECONDS`: when a run
  is killed mid-way the alert is claimable again, with the same
  `notification_id` (receivers can deduplicate on `webhook-id`). A failed
  delivery moves `next_attempt_at` by 5, 15, 60 minutes, then hourly
  (`OVERDUE_RETRY_DELAYS_MINUTES`), keeping the id; only a success starts the
  24 h window (`OVERDUE_ALERT_INTERVAL`) and gives the next alert a fresh id.
- *Always recorded.* The `WebhookNotification` row is written ("Envoi en
  cours") before the request goes out and completed afterwards.
- *Always answers in time.* No delivery starts after `OVERDUE_RUN_BUDGET_SECONDS`
  and each attempt ends by its total deadline (`delivery.post`); what is left is
  counted in `remaining` and goes out next run.
- *Counts that add up.* due = sent + failed + remaining + held, `held` being
  the alerts another run (overlapping cron calls) claimed first.
- *No send "in progress" for hours.* A run's first step marks the "Envoi en
  cours" rows and the unfinished run records older than the claim TTL (their
  run died: its claims have expired) as interrupted.
- *A gone destination is switched off.* An answer 410 Gone deactivates the
  endpoint (`disabled_at`, `disabled_reason`, a red warning in the admin)
  instead of retrying hourly forever. The settings destination stays off while
  `OVERDUE_WEBHOOK_URL` is unchanged; a new URL or the admin's "reactivate"
  turns it back on.

People (issue 13): the same run also fans out the overdue notifications owed to
the assignees and digest holders (`events.overdue`) and delivers every due
`Delivery` (e-mail, push) with the same claim, record-before-send, outcome and
retry schedule (`outbox`) and the same dispatcher (`dispatch`: one lane per
webhook endpoint, one for the SMTP server, one per push service), within the
same time budget. Their counts are in `ScanResult.people`, apart from the
webhook's (the cron answer and the `ScanRun` counts stay the webhook's).
`deliver_people()` is the same delivery without a scan, used by the
background thread started after a commit (`deliver_soon`) and the admin's
"resend now".

Time: `now` (the run's instant) decides what is overdue and due, and is the
base of the 24 h window and of the retry delays, so tests pass a fixed instant.
A retry or window that falls due within `OVERDUE_DUE_TOLERANCE_SECONDS` after
`now` is due (`due_until()`): the instant is taken after the process started,
and without the tolerance a retry due "in 5 minutes" slips to the next run
(10 minutes), the daily re-alert to 24 h 05. The overdue rule does not use it.
Claims and `sent_at` use `now` plus the time elapsed in the run (a long run must
not hold claims that already expired in real time).
"""
import logging
import operator
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from tickets.models import Ticket

from . import delivery, events, outbox
from .dispatch import Dispatcher, Lane, Tally
from .models import Delivery as PersonDelivery
from .models import DeliveryAttempt, DueSoonAlert, OverdueAlert, ScanRun, WebhookEndpoint, WebhookNotification
from .transports import for_channel, webhook

logger = logging.getLogger(__name__)

# Patched by tests that need the run's budget to run out without sleeping.
monotonic = time.monotonic
sleep = time.sleep

SETTINGS_ENDPOINT_NAME = "OVERDUE_WEBHOOK_URL"
GONE = 410
# Stored in French, like the attempts' error texts.
GONE_REASON = "Code HTTP 410 reçu : le destinataire indique que cette adresse n'existe plus"


# --- Results ------------------------------------------------------------------
@dataclass
class Delivery:
    ticket: Ticket | None
    endpoint: WebhookEndpoint
    notification_id: uuid.UUID
    attempt: int
    sent_at: datetime | None = None
    status: int | None = None
    error: str = ""
    succeeded: bool = False


@dataclass
class PeopleTally(Tally):
    """The deliveries to people of one run: `attempts` are the finished `DeliveryAttempt`s' outcomes."""

    due: int = 0
    notified: int = 0  # Notifications the run fanned out (overdue).
    sent: int = 0
    failed: int = 0
    given_up: int = 0
    errors: list = field(default_factory=list)  # (delivery, error) of the failed and given-up ones.


@dataclass
class DueSoonTally(Tally):
    """The due-soon webhooks of one run: apart from the overdue alerts, so the cron answer stays the seed's."""

    sent: int = 0
    failed: int = 0


@dataclass
class ScanResult:
    checked_at: datetime
    trigger: str
    dry_run: bool = False
    total_overdue: int = 0
    destinations: int = 0
    due: int = 0
    deliveries: list = field(default_factory=list)
    run: ScanRun | None = None
    people: PeopleTally = field(default_factory=PeopleTally)
    webhooks: Tally = field(default_factory=Tally)
    due_soon: DueSoonTally = field(default_factory=DueSoonTally)

    # The webhook's held/remaining, as before (the dispatcher counts them on `webhooks`).
    @property
    def held(self):
        return self.webhooks.held

    @held.setter
    def held(self, value):
        self.webhooks.held = value

    @property
    def remaining(self):
        return self.webhooks.remaining

    @remaining.setter
    def remaining(self, value):
        self.webhooks.remaining = value

    @property
    def sent(self):
        return [d for d in self.deliveries if d.succeeded]

    @property
    def failed(self):
        return [d for d in self.deliveries if not d.succeeded and not self.dry_run]

    @property
    def ok(self):
        """Every due alert went out (or nothing was due). Drives the command's exit code."""
        return not self.failed

    def as_json(self):
        """The original endpoint's answer, kept field for field (+ `remaining` when the budget cut the run)."""
        listed = self.deliveries if self.dry_run else self.sent
        answer = {
            "message": "Vérification terminée",
            "total_overdue": self.total_overdue,
            "notifications_sent": len(self.sent),
            "notifications": [
                {
                    "ticket_id": d.ticket.ticket_id,
                    "title": d.ticket.title,
                    "overdue_text": d.ticket.overdue_delay(self.checked_at).text,
                    "webhook_status": d.status,
                    "sent_at": delivery.iso(d.sent_at, "milliseconds"),
                }
                for d in listed
            ],
        }
        if self.failed:
            answer["errors"] = [
                {"ticket_id": d.ticket.ticket_id, "endpoint": d.endpoint.name, "webhook_status": d.status,
                 "error": d.error}
                for d in self.failed
            ]
        answer["checked_at"] = delivery.iso(self.checked_at, "milliseconds")
        if self.remaining:
            answer["remaining"] = self.remaining
        if self.dry_run:
            answer["dry_run"] = True
        return answer


# --- Destinations -------------------------------------------------------------
def destinations(*, write=True):
    """Active endpoints, the settings one first. One query (two when the settings changed).

    `OVERDUE_WEBHOOK_URL` is upserted as an endpoint row flagged
    `managed_by_settings`, so the original one-URL set-up needs no admin step and
    its 24 h windows and history work like any other destination's. Unsetting the
    variable deactivates the row (its history stays). Once switched off by a 410
    it stays off while the URL is unchanged: re-enabling it at every scan would
    bring the hourly retries back. A new URL turns it on again.
    """
    endpoints = list(WebhookEndpoint.objects.order_by("-managed_by_settings", "name", "id"))
    from_settings = next((e for e in endpoints if e.managed_by_settings), None)
    wanted = {
        "url": settings.OVERDUE_WEBHOOK_URL,
        "secret": settings.OVERDUE_WEBHOOK_SECRET,
        "spacing_ms": settings.WEBHOOK_SPACING_MS,
        "is_active": bool(settings.OVERDUE_WEBHOOK_URL),
    }
    if from_settings is not None and from_settings.disabled_at:
        if from_settings.url == wanted["url"]:
            wanted["is_active"] = False
        else:
            wanted.update(disabled_at=None, disabled_reason="")
    if from_settings is None and wanted["is_active"]:
        from_settings = WebhookEndpoint(name=SETTINGS_ENDPOINT_NAME, managed_by_settings=True, **wanted)
        if write:
            try:
                with transaction.atomic():
                    from_settings.save()
            except IntegrityError:  # Another run created it at the same instant.
                from_settings = WebhookEndpoint.objects.get(managed_by_settings=True)
        endpoints.insert(0, from_settings)
    elif from_settings is not None and any(getattr(from_settings, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(from_settings, k, v)
        if write:
            WebhookEndpoint.objects.filter(pk=from_settings.pk).update(**wanted)
    return [e for e in endpoints if e.is_active]


# --- The scan -----------------------------------------------------------------
due_until = outbox.due_until
retry_delay = outbox.retry_delay


def mark_interrupted(*, now):
    """Close what dead runs left open: (attempt rows, run records) marked interrupted. Two UPDATEs.

    An attempt lasts at most its total deadline and a run its budget plus one
    attempt, both far below the claim TTL: an "Envoi en cours" row or an
    unfinished run older than the TTL belongs to a process that was killed, and
    its claims have expired (the alerts are sent again, same id). Without this
    the history would show a send in progress for ever.
    """
    cutoff = now - timedelta(seconds=settings.OVERDUE_CLAIM_TTL_SECONDS)
    rows = WebhookNotification.objects.filter(error=WebhookNotification.SENDING, sent_at__lt=cutoff).update(
        error=WebhookNotification.INTERRUPTED)
    runs = ScanRun.objects.filter(finished_at__isnull=True, interrupted=False, started_at__lt=cutoff).update(
        interrupted=True)
    # The same for people: the attempt row, and the delivery left "sending" once its claim expired
    # (a live claim is never touched: the condition excludes it). It is retried, same id.
    rows += DeliveryAttempt.objects.filter(error=DeliveryAttempt.SENDING, sent_at__lt=cutoff).update(
        error=DeliveryAttempt.INTERRUPTED)
    PersonDelivery.objects.filter(status=PersonDelivery.Status.SENDING, claimed_until__lt=now).update(
        status=PersonDelivery.Status.FAILED, last_error=DeliveryAttempt.INTERRUPTED)
    return rows, runs


def select_due(*, now, endpoints):
    """Overdue tickets and the (ticket, endpoint) pairs due now. Three queries at most, whatever the table size.

    A pair is due when it has no alert row yet, or its row is due
    (`next_attempt_at <= due_until(now)`). A pair another run holds right now
    is due too: the claim settles who sends it, and this run counts it `held`
    (its counts then say the others had it, not that nothing was due).
    """
    tickets = list(Ticket.objects.overdue(now=now).with_related().order_by("scheduled_date", "pk"))
    endpoint_ids = [e.pk for e in endpoints if e.pk]
    alerts = {}
    if tickets and endpoint_ids:
        rows = OverdueAlert.objects.filter(
            ticket__in=Ticket.objects.overdue(now=now).values("pk"), endpoint_id__in=endpoint_ids
        ).only("ticket_id", "endpoint_id", "next_attempt_at")
        alerts = {(a.ticket_id, a.endpoint_id): a for a in rows}
    due, until = [], due_until(now)
    for endpoint in endpoints:
        for ticket in tickets:
            alert = alerts.get((ticket.pk, endpoint.pk))
            if alert is None or alert.next_attempt_at <= until:
                due.append((ticket, endpoint))
    return tickets, due


def run_overdue_scan(*, now=None, trigger=ScanRun.Trigger.MANUAL, dry_run=False, budget_seconds=None):
    """Check the overdue tickets, alert every destination that is due, and deliver what people are owed.

    0. Mark what killed runs left "in progress" as interrupted.
    1. List the active destinations (upserting the one from the settings).
    2. Select the overdue tickets and their alert rows (constant number of queries).
    3. Work out the due (ticket, endpoint) pairs. A dry run stops here: nothing sent, nothing recorded.
    4. Record the run; forget failed alerts of tickets that are no longer overdue
       (their next overdue spell gets a fresh alert); create missing alert rows.
       Fan out the overdue notifications owed to people (`events.overdue`).
    5. Deliver, webhooks first, then the due deliveries to people (`select_people_due`):
       claim each, record "Envoi en cours", send (no transaction open), record the
       outcome — in lanes (`dispatch`) until the time budget runs out.
    6. Close the run's record with its counts (due = sent + failed + remaining + held).
    """
    now = now or timezone.now()
    budget = settings.OVERDUE_RUN_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    clock = _Clock(now)
    result = ScanResult(checked_at=now, trigger=trigger, dry_run=dry_run)

    if not dry_run:
        mark_interrupted(now=now)
    endpoints = destinations(write=not dry_run)
    if not dry_run:
        from planning import services as planning  # Preventive plans' due tickets exist before the selection.

        planning.scan(now=now)  # Also their due-soon notices, and the due-soon webhooks (`DueSoonAlert`).
    tickets, due = select_due(now=now, endpoints=endpoints)
    result.total_overdue, result.due, result.destinations = len(tickets), len(due), len(endpoints)
    if dry_run:
        result.deliveries = [
            Delivery(ticket=t, endpoint=e, notification_id=uuid.uuid4(), attempt=0) for t, e in due
        ]
        return result

    result.run = ScanRun.objects.create(trigger=trigger, started_at=now, total_overdue=len(tickets), due=len(due))
    OverdueAlert.objects.filter(attempts__gt=0).exclude(ticket__in=Ticket.objects.overdue(now=now).values("pk")).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ).delete()
    if due:
        OverdueAlert.objects.bulk_create(
            [OverdueAlert(ticket=t, endpoint=e, next_attempt_at=now) for t, e in due],
            ignore_conflicts=True, batch_size=500,
        )
    result.people.notified = len(events.overdue(tickets, now=now))
    people = select_people_due(now=now)
    result.people.due = len(people)

    jobs = [_WebhookJob(ticket, endpoint, now=now, clock=clock, result=result) for ticket, endpoint in due]
    jobs += [_DueSoonJob(row, now=now, clock=clock, tally=result.due_soon)
             for row in select_due_soon(now=now, endpoints=endpoints)]
    jobs += [_PersonJob(row, now=now, clock=clock, tally=result.people) for row in people]
    _dispatcher(clock, budget).run(jobs)

    ScanRun.objects.filter(pk=result.run.pk).update(
        finished_at=clock(), sent=len(result.sent), failed=len(result.failed), remaining=result.remaining,
        held=result.held,
    )
    return result


class _Clock:
    def __init__(self, now):
        self.now, self.started = now, monotonic()

    def elapsed(self):
        return monotonic() - self.started

    def __call__(self):
        return self.now + timedelta(seconds=self.elapsed())


def _dispatcher(clock, budget):
    # Lambdas: tests patch this module's `monotonic` and `sleep`, read at each call.
    return Dispatcher(budget=budget, max_concurrency=settings.WEBHOOK_MAX_CONCURRENCY, elapsed=clock.elapsed,
                      batch=settings.NOTIFICATIONS_BATCH_SIZE,
                      monotonic=lambda: monotonic(), sleep=lambda seconds: sleep(seconds))


# --- Webhook jobs ----------------------------------------------------------------
class _WebhookJob:
    """One due (ticket, endpoint) of a scan, in the endpoint's lane (its spacing)."""

    def __init__(self, ticket, endpoint, *, now, clock, result):
        self.ticket, self.endpoint, self.now, self.clock, self.result = ticket, endpoint, now, clock, result
        self.lane = Lane(("webhook", endpoint.pk), spacing=endpoint.spacing_ms / 1000)
        self.tally = result.webhooks

    def prepare(self):
        """Claim the alert and record the attempt before it is sent; None when another run holds it."""
        alert, token = claim_alert(ticket_id=self.ticket.pk, endpoint_id=self.endpoint.pk, now=self.now,
                                   at=self.clock())
        if alert is None:
            return None
        attempt = prepare_attempt(self.ticket, self.endpoint, alert=alert, token=token, sent_at=self.clock())
        attempt.on_finish = self._finished
        return attempt

    def _finished(self, attempt, outcome):
        record_outcome(attempt, outcome, now=self.now)
        self.result.deliveries.append(attempt.delivery)
        return outcome.status == GONE  # An endpoint that answered 410 Gone gets nothing more this run.


@dataclass
class _Attempt:
    delivery: Delivery
    record_id: int
    claim_token: uuid.UUID | None
    alert_id: int | None
    body: bytes
    headers: dict
    on_finish: object = None

    def send(self):
        return webhook.send(self)

    def finish(self, outcome):
        return self.on_finish(self, outcome)


# --- Steps shared with the admin actions ---------------------------------------
def claim_alert(*, ticket_id, endpoint_id, now, at, force=False):
    """Take the alert for one (ticket, endpoint) if it is due and free: (alert, token) or (None, None).

    The claim of every channel (`outbox.claim`): exactly one concurrent caller
    wins. `force` (the admin's "resend now") ignores `next_attempt_at` but still
    respects a live claim.
    """
    return outbox.claim(OverdueAlert.objects.filter(ticket_id=ticket_id, endpoint_id=endpoint_id),
                        now=now, at=at, force=force)


def prepare_attempt(ticket, endpoint, *, alert, token, sent_at):
    payload = delivery.build_payload(ticket, notification_id=alert.notification_id, sent_at=sent_at)
    body = delivery.encode(payload)
    headers = delivery.signature_headers(msg_id=str(alert.notification_id), body=body, secret=endpoint.secret)
    attempt_number = alert.attempts + 1
    record = WebhookNotification.objects.create(
        ticket=ticket, endpoint=endpoint, notification_type=WebhookNotification.Type.OVERDUE_SCHEDULED,
        notification_id=alert.notification_id, webhook_url=endpoint.url, sent_at=sent_at,
        attempt=attempt_number, error=WebhookNotification.SENDING,
    )
    return _Attempt(
        delivery=Delivery(ticket=ticket, endpoint=endpoint, notification_id=alert.notification_id,
                          attempt=attempt_number, sent_at=sent_at),
        record_id=record.pk, claim_token=token, alert_id=alert.pk, body=body, headers=headers,
    )


def record_outcome(attempt, outcome, *, now):
    """Complete the attempt's record and move the alert on, in one short transaction.

    Success: the 24 h window starts from `now`, the next alert gets a new id.
    Failure: retry after the growing delay (`outbox.retry_fields`), same id. A run
    whose claim expired and was taken over by another run only completes its
    record (`outbox.release` checks the token). An answer 410 Gone ("this
    address no longer exists") also switches the endpoint off.
    """
    d = attempt.delivery
    with transaction.atomic():
        _complete_record(attempt, outcome, now=now)
        if attempt.alert_id is None:
            return
        if outcome.succeeded:
            outbox.release(OverdueAlert, pk=attempt.alert_id, token=attempt.claim_token,
                           notification_id=uuid.uuid4(), attempts=0, last_delivered_at=d.sent_at,
                           next_attempt_at=now + settings.OVERDUE_ALERT_INTERVAL)
        else:
            outbox.release(OverdueAlert, pk=attempt.alert_id, token=attempt.claim_token,
                           **outbox.retry_fields(d.attempt, now=now))


def _complete_record(attempt, outcome, *, now):
    """The webhook attempt's `webhook_notifications` row completed; a 410 switches its endpoint off."""
    d = attempt.delivery
    d.status, d.error, d.succeeded = outcome.status, outcome.error, outcome.succeeded
    WebhookNotification.objects.filter(pk=attempt.record_id).update(
        response_status=outcome.status, response_body=outcome.body, error=outcome.error,
        duration=outcome.duration, succeeded=outcome.succeeded,
    )
    if outcome.status == GONE:
        endpoint_disable(endpoint=d.endpoint, now=now, reason=GONE_REASON)


# --- Due-soon webhooks (preventive tickets) -------------------------------------------
def select_due_soon(*, now, endpoints):
    """The due-soon webhooks to send now: not delivered, due, to an active endpoint, and still true (the ticket
    still scheduled at the announced instant, in the future, not started). One query, relations loaded."""
    endpoint_ids = [e.pk for e in endpoints if e.pk]
    if not endpoint_ids:
        return []
    by_pk = {e.pk: e for e in endpoints}
    rows = list(DueSoonAlert.objects.filter(
        delivered_at__isnull=True, next_attempt_at__lte=due_until(now), endpoint_id__in=endpoint_ids,
        scheduled_for__gt=now, ticket__scheduled_date=F("scheduled_for"),
        ticket__status__in=Ticket.WAITING_STATUSES,
    ).select_related("ticket__machine", "ticket__reporter", "ticket__assigned_to", "ticket__occurrence__plan")
        .order_by("scheduled_for", "pk"))
    for row in rows:
        row.endpoint = by_pk[row.endpoint_id]  # The run's own endpoint objects: a 410 closes their lane.
    return rows


class _DueSoonJob:
    """One due-soon webhook, in its endpoint's lane (the same lane and spacing as the overdue alerts)."""

    def __init__(self, row, *, now, clock, tally):
        self.row, self.now, self.clock, self.tally = row, now, clock, tally
        self.lane = Lane(("webhook", row.endpoint_id), spacing=row.endpoint.spacing_ms / 1000)

    def prepare(self):
        row = self.row
        claimed, token = outbox.claim(DueSoonAlert.objects.filter(pk=row.pk, delivered_at__isnull=True,
                                                                  attempts=row.attempts),
                                      now=self.now, at=self.clock(), fetch=False)
        if claimed is None:
            return None
        sent_at, ticket, endpoint = self.clock(), row.ticket, row.endpoint
        occurrence = getattr(ticket, "occurrence", None)
        payload = delivery.build_due_soon_payload(ticket, notification_id=row.notification_id, sent_at=sent_at,
                                                  plan=occurrence.plan.title if occurrence else "")
        body = delivery.encode(payload)
        headers = delivery.signature_headers(msg_id=str(row.notification_id), body=body, secret=endpoint.secret)
        record = WebhookNotification.objects.create(
            ticket=ticket, endpoint=endpoint, notification_type=WebhookNotification.Type.DUE_SOON,
            notification_id=row.notification_id, webhook_url=endpoint.url, sent_at=sent_at,
            attempt=row.attempts + 1, error=WebhookNotification.SENDING,
        )
        attempt = _Attempt(
            delivery=Delivery(ticket=ticket, endpoint=endpoint, notification_id=row.notification_id,
                              attempt=row.attempts + 1, sent_at=sent_at),
            record_id=record.pk, claim_token=token, alert_id=row.pk, body=body, headers=headers)
        attempt.on_finish = self._finished
        return attempt

    def _finished(self, attempt, outcome):
        """Sent: done for this instant. Failed: retried on the common schedule, same id, while still true."""
        with transaction.atomic():
            _complete_record(attempt, outcome, now=self.now)
            if outcome.succeeded:
                outbox.release(DueSoonAlert, pk=self.row.pk, token=attempt.claim_token,
                               delivered_at=attempt.delivery.sent_at, attempts=attempt.delivery.attempt)
                self.tally.sent += 1
            else:
                outbox.release(DueSoonAlert, pk=self.row.pk, token=attempt.claim_token,
                               **outbox.retry_fields(attempt.delivery.attempt, now=self.now))
                self.tally.failed += 1
        return outcome.status == GONE


def alert_resend_now(*, ticket, endpoint, now=None):
    """The admin's "resend now": deliver this ticket's alert to this endpoint at once, window or not.

    After a success the alert row already holds a fresh id, so this is a new
    alert; after a failure it is a retry of the same one. Returns the Delivery,
    or None when another run holds the alert right now.
    """
    now = now or timezone.now()
    OverdueAlert.objects.get_or_create(ticket=ticket, endpoint=endpoint, defaults={"next_attempt_at": now})
    alert, token = claim_alert(ticket_id=ticket.pk, endpoint_id=endpoint.pk, now=now, at=now, force=True)
    if alert is None:
        return None
    ticket = Ticket.objects.with_related().get(pk=ticket.pk)
    attempt = prepare_attempt(ticket, endpoint, alert=alert, token=token, sent_at=now)
    record_outcome(attempt, attempt.send(), now=now)
    return attempt.delivery


def endpoint_send_test(*, endpoint, now=None):
    """The admin's "send a test webhook": a recorded post with a fake ticket's payload."""
    now = now or timezone.now()
    notification_id = uuid.uuid4()
    body = delivery.encode(delivery.test_payload(notification_id=notification_id, sent_at=now))
    headers = delivery.signature_headers(msg_id=str(notification_id), body=body, secret=endpoint.secret)
    record = WebhookNotification.objects.create(
        ticket=None, endpoint=endpoint, notification_type=WebhookNotification.Type.TEST,
        notification_id=notification_id, webhook_url=endpoint.url, sent_at=now, error=WebhookNotification.SENDING,
    )
    attempt = _Attempt(delivery=Delivery(ticket=None, endpoint=endpoint, notification_id=notification_id, attempt=1,
                                         sent_at=now),
                       record_id=record.pk, claim_token=None, alert_id=None, body=body, headers=headers)
    record_outcome(attempt, attempt.send(), now=now)
    return attempt.delivery


# --- Deliveries to people ---------------------------------------------------------
def select_people_due(*, now, notification_ids=None, delivery_ids=None):
    """Open deliveries due by `due_until(now)`, oldest first. One query.

    A scan takes at most `NOTIFICATIONS_SCAN_LIMIT` (the rest goes next run);
    the rows of given notifications (right after their commit) all at once.

    Rows another run holds right now are included: the claim settles who sends
    them and this run counts them `held`. Everything a transport needs is loaded
    here (recipient, ticket), so sending runs no query.
    """
    rows = PersonDelivery.objects.filter(status__in=PersonDelivery.OPEN, next_attempt_at__lte=due_until(now))
    if notification_ids is not None:
        rows = rows.filter(person_notification_id__in=notification_ids)
    if delivery_ids is not None:
        rows = rows.filter(pk__in=delivery_ids)
    rows = rows.select_related("person_notification__recipient", "person_notification__ticket").order_by(
        "next_attempt_at", "pk")
    if notification_ids is None and delivery_ids is None:  # An event's own rows are bounded by the event.
        rows = rows[:settings.NOTIFICATIONS_SCAN_LIMIT]
    return preload_targets(list(rows))


def preload_targets(rows):
    """Let each transport load what its rows point at (push: the devices), one query per channel, here on the
    caller's thread: sending happens in worker threads, which run no query."""
    by_channel = defaultdict(list)
    for row in rows:
        by_channel[row.channel].append(row)
    for channel, some in by_channel.items():
        transport = for_channel(channel)
        if hasattr(transport, "preload"):
            transport.preload(some)
    return rows


class _PersonJob:
    """One due `Delivery`, in its transport's lane (the SMTP server, a push service).

    With worker threads the dispatcher claims and records these by batch
    (`prepare_batch`, `_PersonAttempt.finish_batch`); one by one otherwise.
    """

    def __init__(self, row, *, now, clock, tally, force=False):
        self.row, self.now, self.clock, self.tally, self.force = row, now, clock, tally, force
        self.transport = for_channel(row.channel)
        key = self.transport.lane(row) if hasattr(self.transport, "lane") else row.channel
        limit = settings.EMAIL_MAX_CONCURRENCY if row.channel == "email" else None
        self.lane = Lane(("person", key), limit=limit)

    def prepare(self):
        """Claim the delivery and record the attempt ("Envoi en cours") before it is sent; None if held."""
        at, row = self.clock(), self.row
        # `attempts` as selected: if another run tried it meanwhile, the claim fails (held) rather than
        # numbering this attempt wrongly; so no read-back is needed (the id of a Delivery never changes).
        claimed, token = outbox.claim(
            PersonDelivery.objects.filter(pk=row.pk, status__in=PersonDelivery.OPEN, attempts=row.attempts),
            now=self.now, at=at, force=self.force, fetch=False, status=PersonDelivery.Status.SENDING,
        )
        if claimed is None:
            return None
        row.status = PersonDelivery.Status.SENDING
        record = DeliveryAttempt.objects.create(delivery=row, attempt=row.attempts + 1, sent_at=at,
                                                error=DeliveryAttempt.SENDING)
        return _PersonAttempt(job=self, token=token, record=record, sent_at=at)

    @classmethod
    def prepare_batch(cls, jobs):
        """`prepare` for jobs of one run and lane: one claim UPDATE (+ its read-back) and one INSERT of the
        attempt rows, whatever their number. [attempt or None (held)], in the jobs' order."""
        first = jobs[0]
        at = first.clock()
        pks_by_attempts = defaultdict(list)
        for job in jobs:
            pks_by_attempts[job.row.attempts].append(job.row.pk)
        # `attempts` as selected, as in `prepare`: a row another run tried meanwhile is held, not misnumbered.
        same_attempts = reduce(operator.or_, (Q(pk__in=pks, attempts=n) for n, pks in pks_by_attempts.items()))
        claimed, token = outbox.claim_many(
            PersonDelivery.objects.filter(same_attempts, status__in=PersonDelivery.OPEN),
            now=first.now, at=at, force=first.force, status=PersonDelivery.Status.SENDING,
        )
        won = [job for job in jobs if job.row.pk in claimed]
        records = DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(delivery=job.row, attempt=job.row.attempts + 1, sent_at=at, error=DeliveryAttempt.SENDING)
            for job in won)
        attempts = {}
        for job, record in zip(won, records, strict=True):
            job.status_before, job.row.status = job.row.status, PersonDelivery.Status.SENDING
            attempts[job.row.pk] = _PersonAttempt(job=job, token=token, record=record, sent_at=at)
            if hasattr(job.transport, "prepare"):  # E-mail: the message is written here, ahead of its turn.
                job.transport.prepare(job.row)
        return [attempts.get(job.row.pk) for job in jobs]


@dataclass
class _PersonAttempt:
    job: _PersonJob
    token: uuid.UUID
    record: DeliveryAttempt
    sent_at: datetime

    def send(self):
        return self.job.transport.send(self.job.row)

    def finish(self, outcome):
        record_person_outcome(self, outcome, now=self.job.now)
        return False

    @staticmethod
    def finish_batch(pairs):
        """`finish` for many (attempt, outcome): one UPDATE of the attempt rows, one of the deliveries."""
        records = [attempt.record for attempt, _outcome in pairs]
        for attempt, outcome in pairs:
            _fill_attempt_record(attempt.record, outcome)
        # The attempt rows written before the send are replaced by their completed selves (same ids, same
        # transaction): two statements, where `bulk_update`'s CASE per row and field cost more than the sends.
        DeliveryAttempt.objects.filter(pk__in=[r.pk for r in records]).delete()
        DeliveryAttempt.objects.bulk_create(records)
        settled = [(attempt, outcome, _settle(attempt, outcome, now=attempt.job.now)) for attempt, outcome in pairs]
        outbox.release_many(PersonDelivery, [(a.job.row.pk, a.token, fields) for a, _outcome, fields in settled])
        for attempt, outcome, _fields in settled:
            _count(attempt, outcome)

    @staticmethod
    def abandon_batch(attempts):
        """Claimed ahead, never sent (the run's budget ran out): the rows go back as they were, due again next
        run, and the attempt rows that never went out are removed. Two queries."""
        DeliveryAttempt.objects.filter(pk__in=[a.record.pk for a in attempts]).delete()
        outbox.release_many(PersonDelivery, [(a.job.row.pk, a.token, {"status": a.job.status_before})
                                             for a in attempts])
        for attempt in attempts:
            attempt.job.row.status = attempt.job.status_before


ATTEMPT_OUTCOME_FIELDS = ["status_code", "response", "error", "duration", "succeeded"]


def _fill_attempt_record(record, outcome):
    record.status_code, record.response, record.error = outcome.status, outcome.body, outcome.error
    record.duration, record.succeeded = outcome.duration, outcome.succeeded


def _settle(attempt, outcome, *, now):
    """Where the outcome leaves the delivery: the fields to release it with (and `row.status` set).

    Sent: `delivered_at`. A permanent refusal (`outcome.gone`: push 404/410,
    SMTP 5xx; `outcome.final`: a push service's other 4xx, the device kept) or
    the `NOTIFICATIONS_MAX_ATTEMPTS`-th failure: given up. Otherwise
    failed, retried on the common schedule (or the receiver's Retry-After when
    longer), same id.
    """
    row, number = attempt.job.row, attempt.record.attempt
    if outcome.succeeded:
        row.status = PersonDelivery.Status.SENT
        return {"status": row.status, "attempts": number, "delivered_at": attempt.sent_at, "last_error": ""}
    if outcome.gone or outcome.final or number >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        row.status = PersonDelivery.Status.GIVEN_UP
        return {"status": row.status, "attempts": number, "last_error": outcome.error}
    row.status = PersonDelivery.Status.FAILED
    return {"status": row.status, "last_error": outcome.error,
            **outbox.retry_fields(number, now=now, retry_after=outcome.retry_after)}


def _count(attempt, outcome):
    """The run's tally for a settled delivery; a target gone for good is forgotten (the push device)."""
    job, row = attempt.job, attempt.job.row
    if row.status == PersonDelivery.Status.SENT:
        job.tally.sent += 1
        return
    if row.status == PersonDelivery.Status.GIVEN_UP:
        job.tally.given_up += 1
        if outcome.gone and hasattr(job.transport, "forget"):
            job.transport.forget(row)
    else:
        job.tally.failed += 1
    job.tally.errors.append((row, outcome.error))


def record_person_outcome(attempt, outcome, *, now):
    """Complete the attempt row and settle the delivery (`_settle`), in one short transaction."""
    _fill_attempt_record(attempt.record, outcome)
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.record.pk).update(
            **{name: getattr(attempt.record, name) for name in ATTEMPT_OUTCOME_FIELDS})
        outbox.release(PersonDelivery, pk=attempt.job.row.pk, token=attempt.token,
                       **_settle(attempt, outcome, now=now))
        _count(attempt, outcome)


def deliver_people(*, now=None, notification_ids=None, delivery_ids=None, force=False, budget_seconds=None):
    """Deliver the due deliveries to people (all, or of these notifications / rows), outside a scan.

    Same claim, history, retries and dispatcher as the scan; no `ScanRun`.
    `force` (the admin's "resend now") ignores `next_attempt_at` and also takes
    failed and given-up rows back (open again, same id). Returns a `PeopleTally`.
    """
    now = now or timezone.now()
    tally = PeopleTally()
    if force and delivery_ids:
        PersonDelivery.objects.filter(pk__in=delivery_ids, status=PersonDelivery.Status.GIVEN_UP).update(
            status=PersonDelivery.Status.FAILED)
        rows = list(PersonDelivery.objects.filter(pk__in=delivery_ids, status__in=PersonDelivery.OPEN)
                    .select_related("person_notification__recipient", "person_notification__ticket"))
        rows = preload_targets(rows)
    else:
        rows = select_people_due(now=now, notification_ids=notification_ids, delivery_ids=delivery_ids)
    tally.due = len(rows)
    clock = _Clock(now)
    budget = settings.OVERDUE_RUN_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    _dispatcher(clock, budget).run([_PersonJob(r, now=now, clock=clock, tally=tally, force=force) for r in rows])
    return tally


def deliver_soon(*, notification_ids):
    """After a commit: deliver these notifications now, in a short background thread (the scan is the safety net).

    The thread uses its own database connection and closes it; a fault is
    logged, never raised into the request that committed. If the process dies
    first, the rows stay due and the next scan sends them.
    """
    thread = threading.Thread(target=_deliver_in_background, args=(list(notification_ids),), daemon=True,
                              name="notifications-deliver")
    thread.start()
    return thread


def _deliver_in_background(notification_ids):
    try:
        deliver_people(now=timezone.now(), notification_ids=notification_ids)
    except Exception:  # noqa: BLE001 — the scan delivers what this thread could not
        logger.exception("Livraison immédiate des notifications impossible ; la prochaine vérification s'en charge")
    finally:
        connection.close()


def endpoint_disable(*, endpoint, now, reason):
    """Switch a destination off, saying when and why (a 410 Gone). Its history and alert rows stay."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=now, disabled_reason=reason)
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason


def endpoint_reactivate(*, endpoint):
    """The admin's "reactivate": deliveries resume at the next scan (due retries first)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=True, disabled_at=None, disabled_reason="")
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""


# --- The bell ------------------------------------------------------------------------
def notifications_mark_read(*, user, ids=None, now=None):
    """Mark the person's notifications read (these `ids`, or all). Only their own; returns how many changed."""
    from .models import Notification

    rows = Notification.objects.for_user(user).unread()
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=now or timezone.now())
