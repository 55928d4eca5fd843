"""The delivery discipline every channel shares: claim, record before sending, record the outcome, retry.

Two kinds of rows are delivered this way:

- `OverdueAlert` — the next overdue webhook for one (ticket, endpoint);
- `Delivery` — one notification to one person on one channel and target (e-mail
  address, push subscription).

Both inherit `Claimable`, and the scan, the "deliver right after commit" thread
and the admin's "resend now" go through the functions below, so there is one
claim, one retry schedule and one way to release a row:

1. `claim(rows, now=, at=)` — a conditional UPDATE (`… WHERE <the row> AND
   next_attempt_at <= due_until(now) AND (claimed_until IS NULL OR claimed_until
   < at)`) that sets a fresh `claim_token`; the caller acts only when exactly one
   row changed. No lock is held while the message is in flight, it works the
   same on SQLite and PostgreSQL, across processes and hosts
   (`select_for_update` would be a silent no-op on SQLite). The claim expires
   after `OVERDUE_CLAIM_TTL_SECONDS`: a run killed mid-send leaves the row to the
   next run, with the same `notification_id` (webhook-id, e-mail Message-ID, push
   topic), so receivers can deduplicate.
2. The caller writes its history row ("Envoi en cours") *before* sending:
   `WebhookNotification` for the webhook, `DeliveryAttempt` for people.
3. `release(row, token, **fields)` — the outcome, written only if the caller
   still holds the claim (a run whose claim expired and was taken over only
   completes its history row). `retry_fields(failures, now)` is the one retry
   schedule: 5, 15, 60 minutes, then hourly (`OVERDUE_RETRY_DELAYS_MINUTES`).

Time: a row is due up to `due_until(now)` (`OVERDUE_DUE_TOLERANCE_SECONDS` after
the run's instant, see `services`), and claims use `at`, the run's instant plus
the time elapsed in the run.
"""
import operator
import uuid
from collections import defaultdict
from datetime import timedelta
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Claimable(models.Model):
    """What a row needs to be delivered exactly once, retried and never lost.

    The verbose names are those `OverdueAlert` always had: moving its fields
    here changed nothing in its table.
    """

    notification_id = models.UUIDField(_("identifiant de l'alerte"), default=uuid.uuid4)
    attempts = models.PositiveIntegerField(_("échecs de cette alerte"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain envoi dès"), default=timezone.now)
    claimed_until = models.DateTimeField(_("réservée jusqu'à"), null=True, blank=True)
    claim_token = models.UUIDField(_("jeton de réservation"), null=True, blank=True)

    class Meta:
        abstract = True


def due_until(now):
    """The latest `next_attempt_at` a run at `now` takes (see "Time" in the services docstring)."""
    return now + timedelta(seconds=settings.OVERDUE_DUE_TOLERANCE_SECONDS)


def claim_ttl():
    return timedelta(seconds=settings.OVERDUE_CLAIM_TTL_SECONDS)


def claim(rows, *, now, at, force=False, fetch=True, **also):
    """Take the one row of `rows` if it is due and free: (row, token), or (None, None).

    `rows` is a queryset naming at most one row (unique lookup). The conditional
    UPDATE is the whole lock: of concurrent callers exactly one sees one changed
    row. `force` (the admin's "resend now") ignores `next_attempt_at` but still
    respects a live claim. `also` are extra fields set by the same UPDATE (a
    `Delivery` becomes "sending"). `fetch=False` saves the read-back when the
    caller's `rows` already pin the values it relies on (e.g. `attempts=`):
    the row returned is then True.
    """
    token = uuid.uuid4()
    if _claimable(rows, now=now, at=at, force=force).update(claimed_until=at + claim_ttl(), claim_token=token,
                                                            **also) != 1:
        return None, None
    return (rows.model.objects.get(claim_token=token) if fetch else True), token


def claim_many(rows, *, now, at, force=False, **also):
    """`claim` for every row of `rows` at once: (pks this call claimed, token). Two queries.

    One conditional UPDATE sets the same fresh token on the rows that are due
    and free; reading back who holds the token says which ones this call won
    (concurrent callers each win a disjoint part, possibly nothing). The
    dispatcher claims a batched lane's next rows this way.
    """
    token = uuid.uuid4()
    if not _claimable(rows, now=now, at=at, force=force).update(claimed_until=at + claim_ttl(), claim_token=token,
                                                               **also):
        return set(), token
    return set(rows.model.objects.filter(claim_token=token).values_list("pk", flat=True)), token


def _claimable(rows, *, now, at, force):
    claimable = rows.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=at))
    return claimable if force else claimable.filter(next_attempt_at__lte=due_until(now))


def retry_delay(failures):
    """Wait after the n-th consecutive failure: 5, 15, 60 minutes, then the last value again."""
    delays = settings.OVERDUE_RETRY_DELAYS_MINUTES or [60]
    return timedelta(minutes=delays[min(max(failures, 1), len(delays)) - 1])


def retry_fields(failures, *, now, retry_after=None):
    """The fields of a row that failed for the `failures`-th time in a row: same id, later.

    A receiver's own Retry-After (push services send one with 429/503) wins when
    it asks for longer than our schedule.
    """
    delay = retry_delay(failures)
    if retry_after is not None and retry_after > delay:
        delay = retry_after
    return {"attempts": failures, "next_attempt_at": now + delay}


def release(model, *, pk, token, **fields):
    """Write the outcome on row `pk` and free it — only if `token` still holds it. True when written."""
    return model.objects.filter(pk=pk, claim_token=token).update(claimed_until=None, claim_token=None, **fields) == 1


def release_many(model, items):
    """`release` for many rows: `items` are (pk, token, fields). Returns how many were written.

    Each row is written only if its own token still holds it. Rows settled
    alike (the same fields and values: "sent", or "failed, retry at 10:05") share
    one UPDATE, so a batch costs one statement per distinct outcome, usually one
    or two; Django's CASE-per-row form cost more Python than the sends it
    followed (`bench/notifications.py`).
    """
    groups = defaultdict(lambda: defaultdict(list))  # fields → token → pks
    for pk, token, fields in items:
        groups[tuple(sorted(fields.items()))][token].append(pk)
    written = 0
    for fields, by_token in groups.items():
        held = reduce(operator.or_, (Q(pk__in=pks, claim_token=token) for token, pks in by_token.items()))
        written += model.objects.filter(held).update(claimed_until=None, claim_token=None, **dict(fields))
    return written
