"""The planning pages: plans, "Générer maintenant", the checklist on the ticket page, the calendar,
its drag (JSON) and form fallback, and the private iCalendar feed (parsed with `icalendar`)."""
from datetime import date, timedelta

import icalendar
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning import services
from planning.models import CalendarFeed, ChecklistItem, Plan
from tests.conftest import NOW
from tickets.models import Ticket, TimelineEntry


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_supervisor_creates_a_plan_with_its_checklist(signed_in, supervisor, machine, technician):
    response = signed_in(supervisor).post(reverse("planning:plan-create"), {
        "machine": machine.pk, "title": "Vidange", "description": "", "priority": "high", "kind": "fixed",
        "every": 3, "unit": "months", "start_date": "2025-11-15", "time_of_day": "08:00", "lead_days": 7,
        "due_soon_hours": 24, "assignee": str(technician.pk), "checklist_text": "Vidanger\n\nRemplir\n",
    })
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.checklist == ["Vidanger", "Remplir"] and plan.assigned_to == technician
    assert plan.next_date == date(2025, 11, 15) and plan.created_by == supervisor


def test_the_plan_form_says_what_is_wrong(signed_in, supervisor, machine):
    response = signed_in(supervisor).post(reverse("planning:plan-create"), {
        "machine": machine.pk, "title": "", "kind": "fixed", "every": 0, "unit": "months", "priority": "low",
        "start_date": "2025-11-15", "time_of_day": "08:00", "lead_days": 7, "due_soon_hours": 24,
        "end_date": "2025-01-01"})
    assert response.status_code == 400
    assert not Plan.objects.exists()
    assert "La fin ne peut pas précéder la première date." in response.content.decode()


def test_a_technician_may_not_manage_plans(signed_in, technician, make_plan):
    plan = make_plan()
    client = signed_in(technician)
    assert client.get(reverse("planning:plan-create")).status_code == 403
    assert client.post(reverse("planning:plan-generate", kwargs={"pk": plan.pk})).status_code == 403
    assert client.get(plan.get_absolute_url()).status_code == 200  # He may read it.


def test_generate_now_creates_the_ticket_once_and_opens_it(signed_in, supervisor, make_plan):
    plan = make_plan(start_date=date(2026, 1, 15))
    client = signed_in(supervisor)
    response = client.post(reverse("planning:plan-generate", kwargs={"pk": plan.pk}))
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    client.post(reverse("planning:plan-generate", kwargs={"pk": plan.pk}))
    assert Ticket.objects.count() == 1
    page = client.get(plan.get_absolute_url()).content.decode()
    assert ticket.ticket_id in page


def test_the_plan_page_and_the_board_say_the_plan_is_late(signed_in, supervisor, make_plan):
    plan = make_plan(every=1, unit=Plan.Unit.WEEKS)
    services.generate(now=NOW)
    with time_machine.travel(NOW + timedelta(days=14), tick=False):
        client = signed_in(supervisor)
        assert "PLAN EN RETARD" in client.get(plan.get_absolute_url()).content.decode()
        board = client.get(reverse("web:board")).content.decode()
        assert "PRÉVENTIF" in board and "PLAN EN RETARD" in board
        assert "css/planning.css" in board  # The badge's style comes with the preventive cards only.


def test_ticking_on_the_ticket_page_and_completing_asks_for_confirmation(signed_in, technician, make_plan):
    make_plan(checklist=["Graisser", "Serrer"])
    ticket = services.generate(now=NOW).created[0]
    client = signed_in(technician)
    item = ChecklistItem.objects.get(label="Graisser")
    client.post(reverse("planning:checklist-toggle", kwargs={"ticket_id": ticket.ticket_id, "item_id": item.pk}),
                {"done": "1"})
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Coché par Jean Technicien" in page and "1 sur 2" in page
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.IN_PROGRESS)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Terminer malgré 1 point non coché" in page

    move = reverse("web:ticket-move", kwargs={"ticket_id": ticket.ticket_id})
    client.post(move, {"status": "completed", "from_status": "in_progress"})
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.IN_PROGRESS
    client.post(move, {"status": "completed", "from_status": "in_progress", "confirm_unchecked": "1"})
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.COMPLETED
    assert TimelineEntry.objects.filter(ticket=ticket, new_value="✓ Graisser", actor=technician).exists()


def test_an_operator_cannot_tick(signed_in, operator, make_plan):
    make_plan(checklist=["Graisser"])
    ticket = services.generate(now=NOW).created[0]
    Ticket.objects.filter(pk=ticket.pk).update(reporter=operator)
    item = ChecklistItem.objects.get()
    signed_in(operator).post(reverse("planning:checklist-toggle", kwargs={"ticket_id": ticket.ticket_id,
                                                                           "item_id": item.pk}), {"done": "1"})
    assert ChecklistItem.objects.get().done_at is None


def test_the_month_shows_scheduled_tickets_and_upcoming_plan_dates(signed_in, supervisor, make_plan, make_ticket,
                                                                   technician):
    make_plan(title="Contrôle hebdo", every=1, unit=Plan.Unit.WEEKS, start_date=date(2025, 11, 20))
    make_ticket(title="Changer la courroie", scheduled_date=NOW + timedelta(days=2), assigned_to=technician)
    page = signed_in(supervisor).get(reverse("planning:calendar")).content.decode()
    assert "Changer la courroie" in page
    assert "Contrôle hebdo" in page
    assert page.count("cal-item cal-upcoming") == 2  # 20 and 27 November.


def test_the_calendar_filters_by_person(signed_in, supervisor, make_ticket, technician, technician2):
    make_ticket(title="Pour Jean", scheduled_date=NOW + timedelta(days=1), assigned_to=technician)
    make_ticket(title="Pour Pierre", scheduled_date=NOW + timedelta(days=1), assigned_to=technician2)
    page = signed_in(supervisor).get(reverse("planning:calendar"), {"personne": technician.pk}).content.decode()
    assert "Pour Jean" in page and "Pour Pierre" not in page


def test_the_month_costs_the_same_queries_for_few_or_many_tickets(signed_in, supervisor, make_ticket, machine,
                                                                  make_plan):
    make_plan()
    client = signed_in(supervisor)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("planning:calendar")).status_code == 200
        return len(queries)

    make_ticket(scheduled_date=NOW)
    few = cost()
    Ticket.objects.bulk_create(Ticket(ticket_id=f"IGP-CAL-{i}", title=f"T{i}", machine=machine, reporter=supervisor,
                                      scheduled_date=NOW + timedelta(hours=i)) for i in range(200))
    assert cost() == few


def test_dragging_to_another_day_reschedules_and_keeps_the_hour(signed_in, supervisor, make_ticket):
    ticket = make_ticket(scheduled_date=NOW)
    response = signed_in(supervisor).post(
        reverse("planning:calendar-move", kwargs={"ticket_id": ticket.ticket_id}), {"day": "2025-11-20"},
        HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["ok"]
    ticket.refresh_from_db()
    from django.utils import timezone
    local = timezone.localtime(ticket.scheduled_date)
    assert (local.date(), local.hour, local.minute) == (date(2025, 11, 20), 9, 26)
    assert ticket.timeline.filter(action=TimelineEntry.Action.SCHEDULED, actor=supervisor).exists()


def test_a_technician_may_not_reschedule_by_dragging(signed_in, technician, make_ticket):
    ticket = make_ticket(scheduled_date=NOW)
    response = signed_in(technician).post(
        reverse("planning:calendar-move", kwargs={"ticket_id": ticket.ticket_id}), {"day": "2025-11-20"},
        HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and response.json()["error"]


def test_the_move_form_without_javascript_comes_back_to_the_calendar(signed_in, supervisor, make_ticket):
    ticket = make_ticket(scheduled_date=NOW)
    response = signed_in(supervisor).post(
        reverse("planning:calendar-move", kwargs={"ticket_id": ticket.ticket_id}),
        {"day": "2025-11-21", "next": "/calendrier/?vue=semaine"})
    assert response["Location"] == "/calendrier/?vue=semaine"
    ticket.refresh_from_db()
    assert ticket.scheduled_date.date() == date(2025, 11, 21)


def test_the_private_feed_lists_my_work_and_stops_when_revoked(signed_in, technician, make_ticket, make_plan):
    make_ticket(title="Courroie", scheduled_date=NOW + timedelta(days=1), assigned_to=technician)
    make_plan(title="Contrôle", every=1, unit=Plan.Unit.WEEKS, start_date=date(2025, 11, 20))
    client = signed_in(technician)
    client.post(reverse("planning:feed-renew"))
    token = CalendarFeed.objects.get(user=technician).token
    url = reverse("planning:feed", kwargs={"token": token})

    response = Client().get(url)  # No session: the phone's calendar.

    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any(s.startswith("Courroie") for s in summaries)
    assert sum(s.startswith("Prévu : Contrôle") for s in summaries) >= 10
    first = next(e for e in events if str(e["SUMMARY"]).startswith("Courroie"))
    assert first.decoded("DTSTART") == NOW + timedelta(days=1)
    assert len({str(e["UID"]) for e in events}) == len(events)

    client.post(reverse("planning:feed-renew"), {"revoke": "1"})
    assert Client().get(url).status_code == 404


def test_a_wrong_token_is_a_404(db):
    assert Client().get(reverse("planning:feed", kwargs={"token": "x" * 43})).status_code == 404


def test_a_machine_page_lists_its_plans_late_ones_marked_and_an_operator_sees_none(
    signed_in, make_plan, machine, machine2, supervisor, operator
):
    plan = make_plan(title="Graissage trimestriel")
    make_plan(title="Vidange du four", machine=machine2)

    html = signed_in(supervisor).get(reverse("machines:detail", args=[machine.pk])).content.decode()

    assert "Maintenance préventive" in html and "Graissage trimestriel" in html
    assert plan.get_absolute_url() in html and plan.rhythm_label in html
    assert "Vidange du four" not in html
    page = signed_in(operator).get(reverse("machines:detail", args=[machine.pk]))
    assert page.status_code in (200, 403, 404)
    assert "Graissage trimestriel" not in page.content.decode()
