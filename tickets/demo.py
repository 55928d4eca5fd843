"""Demo data: the factory's real machines, one person per core role, and tickets
in every status, some of them scheduled, assigned and already overdue.

Idempotent: people are found by email, machines by serial number, tickets by
title; running it again creates nothing new and changes nothing.
"""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

from . import services
from .models import Machine, Ticket

MACHINES = [
    ("Polisseuse", "Double Edger", "IGP-PDE-001", "Atelier polissage"),
    ("Polisseuse", "Bavelloni", "IGP-PBV-001", "Atelier polissage"),
    ("CNC", "Intermac", "IGP-CNC-001", "Atelier usinage"),
    ("WaterJet", "Flow", "IGP-WJ-001", "Atelier découpe"),
    ("Four de trempe", "Glaston", "IGP-FT-001", "Zone trempe"),
    ("Thermos", "Ligne IG", "IGP-TH-001", "Zone assemblage"),
    ("Découpe", "Table Bottero", "IGP-DC-001", "Atelier découpe"),
    ("Laminé", "Autoclave", "IGP-LM-001", "Zone laminage"),
    ("Autre", "Divers", None, "Usine"),
]

# email, password, first name, last name, role — printed by the command and in the README.
PEOPLE = [
    ("admin@igp.demo", "demo-admin-2026", "Alice", "Administratrice", Role.ADMIN),
    ("superviseur@igp.demo", "demo-super-2026", "Marc", "Superviseur", Role.SUPERVISOR),
    ("tech@igp.demo", "demo-tech-2026", "Jean", "Technicien", Role.TECHNICIAN),
    ("tech2@igp.demo", "demo-tech2-2026", "Pierre", "Technicien", Role.TECHNICIAN),
    ("operateur@igp.demo", "demo-oper-2026", "Luc", "Opérateur", Role.OPERATOR),
]


@transaction.atomic
def seed_demo(now=None, out=print):
    now = now or timezone.now()
    people = {}
    for email, password, first, last, role in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password, first_name=first, last_name=last, role=role)
            out(f"  créé     {role:<11} {email:<24} mot de passe : {password}")
        else:
            out(f"  existant {role:<11} {email:<24} mot de passe : {password}")
        people[email] = user

    machines = []
    for machine_type, model, serial, location in MACHINES:
        lookup = {"serial_number": serial} if serial else {"machine_type": machine_type, "model": model}
        machine, _ = Machine.objects.get_or_create(
            **lookup, defaults={"machine_type": machine_type, "model": model, "location": location}
        )
        machines.append(machine)

    admin, sup = people["admin@igp.demo"], people["superviseur@igp.demo"]
    tech, tech2, oper = people["tech@igp.demo"], people["tech2@igp.demo"], people["operateur@igp.demo"]
    S = Ticket.Status
    plans = [
        # title, machine, reporter, status path, priority, assignee, scheduled (relative to now)
        ("Ajouter de la graisse aux engrenages d'entraînement", 0, sup, [], "medium", tech,
         -timedelta(days=2, hours=9, minutes=26)),
        ("Vérifier la pression du circuit d'eau", 3, sup, [S.DIAGNOSTIC], "high", "team",
         -timedelta(hours=3, minutes=10)),
        ("Remplacer les meules usées", 1, oper, [], "low", tech2, timedelta(days=2)),
        ("Bruit anormal au démarrage", 2, oper, [], "critical", None, None),
        ("Calibrer les capteurs de température", 4, sup, [S.IN_PROGRESS], "high", tech, -timedelta(hours=5)),
        ("Courroie à commander", 6, tech, [S.WAITING_PARTS], "medium", tech2, None),
        ("Nettoyage des buses", 3, oper, [S.IN_PROGRESS, S.COMPLETED], "low", tech, None),
        ("Inspection annuelle de sécurité", 7, sup, [S.IN_PROGRESS, S.COMPLETED, S.ARCHIVED], "medium", tech2, None),
        ("Fuite d'huile sous la table", 5, oper, [], "high", None, None),
    ]
    created = 0
    for title, machine_index, reporter, path, priority, assignee, scheduled in plans:
        if Ticket.objects.filter(title=title).exists():
            continue
        ticket = services.ticket_create(
            reporter=reporter, machine=machines[machine_index], title=title,
            description=f"{title}. Ticket de démonstration.", priority=priority,
            now=now - timedelta(days=3),
        )
        if assignee == "team":
            services.ticket_assign(ticket=ticket, by=sup, team=True)
        elif assignee is not None:
            services.ticket_assign(ticket=ticket, by=sup, technician=assignee)
        if scheduled is not None:
            services.ticket_schedule(ticket=ticket, by=sup, scheduled_date=now + scheduled)
        for status in path:
            services.ticket_move(ticket=ticket, to_status=status, by=admin)
        created += 1
    # The other apps' demo data, each through its own services (the one door), created once.
    from messaging.demo import seed_messages
    from planning.demo import seed_plans

    seed_plans(machines=machines, supervisor=sup, technician=tech, now=now, out=out)
    seed_messages(supervisor=sup, technician=tech, technician2=tech2, out=out)
    return {"tickets_created": created, "machines": len(machines), "people": len(PEOPLE)}
