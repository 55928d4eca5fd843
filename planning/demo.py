"""The demo's preventive plans (`manage.py seed_demo`): one calendar plan whose first ticket the first scan creates
(so the board shows a PRÉVENTIF card and the calendar its dates), one floating plan. Created once."""
from datetime import timedelta

from django.utils import timezone

from .models import Plan
from .services import plan_save


def seed_plans(*, machines, supervisor, technician, now=None, out=print):
    now = now or timezone.now()
    today = timezone.localdate(now)
    plans = [
        dict(machine=machines[4], title="Vérification trimestrielle du four", every=3, unit=Plan.Unit.MONTHS,
             start_date=today + timedelta(days=5), assigned_to=technician, priority="high",
             checklist=["Vérifier les résistances", "Contrôler les thermocouples", "Nettoyer le ventilateur"]),
        dict(machine=machines[0], title="Graissage des engrenages", kind=Plan.Kind.FLOATING, every=30,
             unit=Plan.Unit.DAYS, start_date=today + timedelta(days=20), assigned_to_team=True,
             checklist=["Graisser les engrenages d'entraînement"]),
    ]
    created = 0
    for fields in plans:
        if Plan.objects.filter(title=fields["title"]).exists():
            continue
        plan_save(plan=Plan(**fields), by=supervisor)
        created += 1
    if created:
        out(f"  {created} plan(s) de maintenance préventive")
    return created
