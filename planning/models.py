"""Preventive maintenance plans, their occurrences, and the checklists of the tickets they create.

A plan says what to do on a machine and how often (planning/rhythm.py does the
calendar maths). Each date it falls on is an `Occurrence` row, unique per
(plan, date): the scan and the "generate now" button both insert it and only the
one whose insert went in creates the ticket, so a date can never make two
tickets (planning/services.py). The ticket is an ordinary ticket, created and
assigned through tickets/services.py; `Occurrence.ticket` is what makes it
"préventif" (the board badge, the ticket page, the calendar; the API lists a plan's
occurrences with their ticket numbers).
"""
import secrets
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Machine, Ticket

from . import rhythm


class PlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(paused=False)

    def to_generate(self, *, now):
        """Plans whose next occurrence is due to be created: not paused, not ended, lead time reached.

        `generate_from` is the next occurrence's moment minus the lead time, stored
        with `next_date`, so this is one indexed comparison whatever each plan's lead.
        """
        return self.active().filter(next_date__isnull=False, generate_from__lte=now).filter(
            Q(end_date__isnull=True) | Q(next_date__lte=models.F("end_date")))


class Plan(models.Model):
    class Kind(models.TextChoices):
        FIXED = rhythm.FIXED, _("Calendrier fixe")
        FLOATING = rhythm.FLOATING, _("Après la dernière réalisation")

    class Unit(models.TextChoices):
        DAYS = rhythm.DAYS, _("jours")
        WEEKS = rhythm.WEEKS, _("semaines")
        MONTHS = rhythm.MONTHS, _("mois")

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="plans", verbose_name=_("machine"))
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    checklist = models.JSONField(
        _("liste de vérification"), default=list, blank=True,
        help_text=_("Un point par ligne ; chaque ticket créé reçoit sa propre liste à cocher."),
    )
    priority = models.CharField(_("priorité"), max_length=10, choices=Ticket.Priority.choices,
                                default=Ticket.Priority.MEDIUM)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("technicien"),
    )
    assigned_to_team = models.BooleanField(_("toute l'équipe"), default=False)
    kind = models.CharField(_("rythme"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    every = models.PositiveSmallIntegerField(_("tous les"), default=1)
    unit = models.CharField(_("unité"), max_length=10, choices=Unit.choices, default=Unit.MONTHS)
    start_date = models.DateField(_("première date"))
    time_of_day = models.TimeField(_("heure"), default=time(8, 0))
    lead_days = models.PositiveSmallIntegerField(
        _("créer le ticket (jours avant)"), default=7,
        help_text=_("Le ticket apparaît sur le tableau ce nombre de jours avant sa date."),
    )
    due_soon_lead = models.DurationField(
        _("rappel avant l'échéance"), default=timedelta(hours=24),
        help_text=_("La personne assignée est prévenue ce temps avant la date planifiée."),
    )
    end_date = models.DateField(_("fin"), null=True, blank=True)
    paused = models.BooleanField(_("en pause"), default=False)
    # The next date to generate and the moment it becomes due (its moment minus the lead):
    # kept by the services, so the scan selects due plans with one indexed query.
    next_date = models.DateField(_("prochaine date"), null=True, blank=True, editable=False)
    generate_from = models.DateTimeField(_("à créer à partir du"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    # Why the last generation of this plan failed (its author can no longer report, say); "" when fine.
    last_error = models.CharField(_("dernière erreur"), max_length=255, blank=True, editable=False)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan de maintenance")
        verbose_name_plural = _("plans de maintenance")
        ordering = ["machine__machine_type", "machine__model", "title"]
        permissions = [("manage_plans", _("Gérer les plans de maintenance préventive"))]
        indexes = [models.Index(fields=["paused", "generate_from"], name="plan_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(assigned_to__isnull=False) & Q(assigned_to_team=True)),
                name="plan_assigned_to_person_or_team",
                violation_error_message=_("Un plan est assigné à une personne ou à toute l'équipe, pas aux deux."),
            ),
            models.CheckConstraint(condition=Q(every__gte=1), name="plan_every_positive"),
        ]

    def __str__(self):
        return f"{self.title} — {self.machine}"

    def get_absolute_url(self):
        return reverse("planning:plan-detail", kwargs={"pk": self.pk})

    def clean(self):
        """The plan's technician must be someone a ticket can be given to (active, a technician's role)."""
        super().clean()
        from accounts.roles import TECHNICIAN_ROLES

        person = self.assigned_to
        if person is not None and (not person.is_active or person.role not in {r.value for r in TECHNICIAN_ROLES}):
            raise ValidationError({"assigned_to": _("Choisissez un technicien actif.")})

    @property
    def rhythm(self):
        return rhythm.Rhythm(kind=self.kind, every=self.every, unit=self.unit, start=self.start_date)

    @property
    def assignee_label(self):
        if self.assigned_to_team:
            return str(_("Équipe complète"))
        return str(self.assigned_to) if self.assigned_to_id else ""

    @property
    def rhythm_label(self):
        if self.kind == self.Kind.FIXED:
            return _("Tous les %(n)s %(unit)s depuis le %(start)s") % {
                "n": self.every, "unit": self.get_unit_display(), "start": self.start_date.strftime("%d/%m/%Y")}
        return _("%(n)s %(unit)s après la dernière réalisation") % {"n": self.every, "unit": self.get_unit_display()}

    def moment(self, day):
        """The aware instant of an occurrence on `day` (the plan's hour, factory time)."""
        return rhythm.occurrence_moment(day, self.time_of_day, timezone.get_default_timezone())

    def set_next(self, day):
        """Point the plan at its next date (None: nothing more to generate until a completion)."""
        if day is not None and self.end_date is not None and day > self.end_date:
            day = None
        self.next_date = day
        self.generate_from = self.moment(day) - timedelta(days=self.lead_days) if day else None

    def upcoming(self, start, end):
        """The dates this plan will fall on within [start, end] that have no ticket yet (the calendar)."""
        if self.paused or self.next_date is None:
            return []
        last = min(end, self.end_date) if self.end_date else end
        return rhythm.dates_between(self.rhythm, self.next_date, start, last)


class Occurrence(models.Model):
    """One date of a plan. Its row is the claim: unique (plan, date), inserted before the ticket exists."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("plan"))
    date = models.DateField(_("date"))
    ticket = models.OneToOneField(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrence",
        verbose_name=_("ticket"),
    )
    # Which scan (or click) inserted the row: the one that finds its own token creates the ticket.
    claim = models.UUIDField(_("réservation"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    # The scheduled instant the due-soon notice was sent for: rescheduled, the ticket gets one notice more.
    due_soon_for = models.DateTimeField(_("rappel envoyé pour"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="occurrence_once_per_plan_and_date")]

    def __str__(self):
        return f"{self.plan.title} — {self.date:%Y-%m-%d}"


class ChecklistItem(models.Model):
    """One point to check on one ticket, copied from its plan when the ticket is created."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="checklist",
                               verbose_name=_("ticket"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("point"), max_length=255)
    done_at = models.DateTimeField(_("coché le"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("coché par"))
    done_by_name = models.CharField(_("nom de la personne"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("point de vérification")
        verbose_name_plural = _("points de vérification")
        ordering = ["ticket", "position", "id"]

    def __str__(self):
        return self.label

    @property
    def done(self):
        return self.done_at is not None


class CalendarFeed(models.Model):
    """A person's private iCalendar address. The token is the only key: revoking it makes a new one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed",
                                verbose_name=_("personne"))
    token = models.CharField(_("jeton"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("flux iCalendar")
        verbose_name_plural = _("flux iCalendar")

    def __str__(self):
        return str(self.user)

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)
