from django.core.management import call_command

from accounts.models import User
from tickets.models import Machine, Ticket


def test_the_demo_has_every_status_and_overdue_tickets(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Ticket.Status.values)
    overdue = Ticket.objects.overdue()
    assert overdue.filter(assigned_to__isnull=False).exists()
    assert overdue.filter(assigned_to_team=True).exists()
    assert Machine.objects.count() == 9


def test_the_demo_logins_work(client, db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert client.login(username="tech@igp.demo", password="demo-tech-2026")
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "supervisor", "technician", "operator"}


def test_loading_the_demo_twice_changes_nothing(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    before = (User.objects.count(), Machine.objects.count(), list(Ticket.objects.values_list("ticket_id", "status")))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    after = (User.objects.count(), Machine.objects.count(), list(Ticket.objects.values_list("ticket_id", "status")))
    assert before == after


def test_the_demo_has_preventive_plans_whose_first_scan_makes_a_preventive_ticket_and_messages(db):
    from messaging.models import Message
    from notifications.services import run_overdue_scan
    from planning.models import Plan

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Plan.objects.count() == 2 and Message.objects.count() == 3

    run_overdue_scan()

    preventive = Ticket.objects.get(occurrence__plan__title="Vérification trimestrielle du four")
    assert preventive.assigned_to.email == "tech@igp.demo" and preventive.checklist.count() == 3
