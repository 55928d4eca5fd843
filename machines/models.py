"""A machine's status history. The Machine itself lives in tickets/models.py."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Machine


class MachineStatusChangeQuerySet(models.QuerySet):
    def for_machine(self, machine):
        return self.filter(machine=machine).select_related("changed_by", "ticket")


class MachineStatusChange(models.Model):
    """One change of a machine's operational status: who, when, from what to what, and why.

    Written only by `machines.services.machine_set_status`, whatever the door (admin,
    API, machine page, a ticket reported "machine à l'arrêt"), and never edited: the
    downtime and MTBF of the machine page are computed from these rows.
    """

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="status_changes",
                                verbose_name=_("machine"))
    old_status = models.CharField(_("ancien état"), max_length=20, choices=Machine.Status.choices)
    new_status = models.CharField(_("nouvel état"), max_length=20, choices=Machine.Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("par"))
    # The author's name when the row was written: the history keeps it if the account goes.
    changed_by_name = models.CharField(_("nom de l'auteur"), max_length=255, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="machine_status_changes", verbose_name=_("ticket"))
    note = models.CharField(_("motif"), max_length=255, blank=True)
    changed_at = models.DateTimeField(_("le"), default=timezone.now)

    objects = MachineStatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("changement d'état de machine")
        verbose_name_plural = _("historique des états de machine")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["machine", "changed_at"], name="machine_status_change_idx")]

    def __str__(self):
        return f"{self.machine} : {self.get_old_status_display()} → {self.get_new_status_display()}"

    @property
    def display_actor(self):
        return str(self.changed_by) if self.changed_by_id else self.changed_by_name
