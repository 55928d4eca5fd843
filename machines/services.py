"""The one door through which a machine's status changes.

The admin's machine form, the API's PATCH /api/machines/<id>, the machine page's
form and a ticket reported "machine à l'arrêt" all call `machine_set_status`, so
every change leaves its `MachineStatusChange` row (who, when, old, new, ticket):
the downtime and MTBF of the machine page read nothing else.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import Machine

from . import policies
from .models import MachineStatusChange


def machine_set_status(*, machine, status, by, ticket=None, note="", now=None, check=True):
    """Put `machine` in `status` and record the change; nothing is written when it already is.

    1. refuse an unknown status, or a person without the right (`check=False` for the
       admin, which has checked `change_machine` itself, and for commands);
    2. lock the machine row (select_for_update; SQLite's IMMEDIATE transactions do the same),
       so two changes at once are recorded one after the other with the right "old" status each,
       and stamp the time only then;
    3. update the status and write the history row in one transaction.
    Returns the history row, or None when the status did not change.
    """
    if status not in Machine.Status.values:
        raise ValidationError({"status": _("État inconnu : %(status)s.") % {"status": status}})
    if check and not policies.can_change_status(by, ticket=ticket):
        raise PermissionDenied(_("Vous n'avez pas le droit de changer l'état de cette machine."))
    with transaction.atomic():
        old = Machine.objects.select_for_update().values_list("status", flat=True).get(pk=machine.pk)
        # The time is read once the row is held: a change that waited for another one is stamped after it,
        # so the history's order by time is the order the changes really happened in.
        now = now or timezone.now()
        if old == status:
            machine.status = status
            return None
        Machine.objects.filter(pk=machine.pk).update(status=status, updated_at=now)
        machine.status, machine.updated_at = status, now
        return MachineStatusChange.objects.create(
            machine=machine, old_status=old, new_status=status, changed_by=by,
            changed_by_name=str(by)[:255] if by is not None and by.pk else "", ticket=ticket,
            note=(note or "")[:255], changed_at=now,
        )
