"""A ticket's checklist: ticking points, and what completing asks (tickets.services.ticket_move reads it)."""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import policies
from tickets import services as ticket_services

from .models import ChecklistItem


def unticked_count(ticket):
    """Points of the ticket's checklist not ticked yet (0 for a ticket without checklist). One query."""
    return ChecklistItem.objects.filter(ticket_id=ticket.pk, done_at__isnull=True).count()


def can_tick(user, ticket):
    """Ticking is working on the ticket: whoever may move it."""
    return policies.can_move(user, ticket) and ticket.is_open


def checklist_tick(*, item, by, done=True, now=None):
    """Tick (or untick) one point: who and when are kept on the point, and a timeline row says it.

    Conditional on the point's state, so a double tap, or two people at once, writes one row:
    returns False when the point already was in the asked state.
    """
    ticket = item.ticket
    if not can_tick(by, ticket):
        raise PermissionDenied(_("Vous n'avez pas le droit de cocher la liste de ce ticket."))
    now = now or timezone.now()
    with transaction.atomic():
        if done:
            changed = ChecklistItem.objects.filter(pk=item.pk, done_at__isnull=True).update(
                done_at=now, done_by=by, done_by_name=str(by)[:255])
        else:
            changed = ChecklistItem.objects.filter(pk=item.pk, done_at__isnull=False).update(
                done_at=None, done_by=None, done_by_name="")
        if not changed:
            return False
        if done:
            item.done_at, item.done_by, item.done_by_name = now, by, str(by)[:255]
            ticket_services.timeline_add(ticket=ticket, by=by, new=f"✓ {item.label}", now=now)
        else:
            item.done_at, item.done_by, item.done_by_name = None, None, ""
            ticket_services.timeline_add(ticket=ticket, by=by, old=f"✓ {item.label}", new=item.label, now=now)
    return True
