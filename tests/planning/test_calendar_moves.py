"""Moving a plan's next date in the calendar: its ticket is made now (as "Générer maintenant"), then scheduled
on the chosen day at the plan's hour through ticket_schedule, in the mover's name; a refusal leaves nothing."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from planning import services
from planning.models import Occurrence, Plan
from tests.conftest import NOW
from tickets import services as ticket_services
from tickets.models import Ticket, TimelineEntry

# NOW is 12 November 2025. A weekly plan from Thursday the 20th (lead 7 days: not made by the scan yet)
# shows 20 and 27 November in the month; only the 20th, its next date, moves.
NEXT, LATER, TARGET = date(2025, 11, 20), date(2025, 11, 27), date(2025, 11, 21)


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.OVERDUE_WEBHOOK_URL = ""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def weekly(make_plan):
    return make_plan(title="Contrôle hebdo", every=1, unit=Plan.Unit.WEEKS, start_date=NEXT,
                     checklist=["Graisser"], time_of_day=time(7, 30))


def drag(client, plan, day, to_day=TARGET, **data):
    return client.post(reverse("planning:calendar-move-plan", kwargs={"pk": plan.pk, "day": day}),
                       {"day": to_day.isoformat() if to_day else "", **data}, HTTP_ACCEPT="application/json")


def assert_nothing_made(plan, next_date=NEXT, tickets=0):
    assert Ticket.objects.count() == tickets
    assert Occurrence.objects.count() == tickets
    plan.refresh_from_db()
    assert plan.next_date == next_date


def test_dragging_the_next_date_makes_its_ticket_on_the_new_day_at_the_plans_hour(signed_in, supervisor,
                                                                                   technician, weekly):
    response = drag(signed_in(supervisor), weekly, NEXT)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["reload"]
    ticket = Ticket.objects.get()
    assert body["ticket"] == ticket.ticket_id and ticket.ticket_id in body["message"]
    local = timezone.localtime(ticket.scheduled_date)
    assert (local.date(), local.hour, local.minute) == (TARGET, 7, 30)
    assert ticket.occurrence.date == NEXT and ticket.assigned_to == technician
    assert [i.label for i in ticket.checklist.all()] == ["Graisser"]
    assert ticket.timeline.filter(action=TimelineEntry.Action.UPDATED,
                                  new_value="Maintenance préventive : Contrôle hebdo").exists()
    moved = ticket.timeline.get(action=TimelineEntry.Action.SCHEDULED, actor=supervisor)
    assert moved.new_value.startswith("2025-11-21T07:30")
    weekly.refresh_from_db()
    assert weekly.next_date == LATER


def test_the_same_drag_sent_twice_is_refused_and_makes_nothing_more(signed_in, supervisor, weekly):
    client = signed_in(supervisor)
    assert drag(client, weekly, NEXT).status_code == 200

    again = drag(client, weekly, NEXT, to_day=date(2025, 11, 22))

    assert again.status_code == 409 and "rechargez" in again.json()["error"]
    assert_nothing_made(weekly, next_date=LATER, tickets=1)
    ticket = Ticket.objects.get()
    assert timezone.localdate(ticket.scheduled_date) == TARGET
    assert ticket.timeline.filter(action=TimelineEntry.Action.SCHEDULED, actor=supervisor).count() == 1


def test_a_late_plan_makes_nothing(signed_in, supervisor, make_plan):
    plan = make_plan(every=1, unit=Plan.Unit.WEEKS, start_date=NOW.date())
    services.generate(plans=[plan], force=True, now=NOW)  # Its ticket of the 12th is still open.
    plan.refresh_from_db()

    response = drag(signed_in(supervisor), plan, plan.next_date)

    assert response.status_code == 409 and "encore ouvert" in response.json()["error"]
    assert_nothing_made(plan, next_date=date(2025, 11, 19), tickets=1)


def test_without_the_scheduling_right_nothing_is_made(signed_in, technician, weekly):
    response = drag(signed_in(technician), weekly, NEXT)

    assert response.status_code == 403 and response.json()["error"]
    assert_nothing_made(weekly)


def test_a_later_date_is_not_movable(signed_in, supervisor, weekly):
    client = signed_in(supervisor)
    page = client.get(reverse("planning:calendar")).content.decode()
    assert page.count('data-move-url="/calendrier/deplacer-plan/') == 1
    assert f'/calendrier/deplacer-plan/{weekly.pk}/{NEXT.isoformat()}/' in page
    assert "seule la prochaine date se déplace" in page  # The 27th's tooltip.

    response = drag(client, weekly, LATER)

    assert response.status_code == 409 and "prochaine date" in response.json()["error"]
    assert_nothing_made(weekly)


def test_a_date_that_is_no_longer_the_next_one_asks_to_reload(signed_in, supervisor, weekly):
    weekly.start_date = date(2025, 11, 22)  # Edited meanwhile: its next date is now the 22nd.
    services.plan_save(plan=weekly, by=supervisor)

    response = drag(signed_in(supervisor), weekly, NEXT)

    assert response.status_code == 409 and "rechargez" in response.json()["error"]
    assert_nothing_made(weekly, next_date=date(2025, 11, 22))


def test_a_paused_plan_makes_nothing(signed_in, supervisor, weekly):
    services.plan_pause(plan=weekly, by=supervisor)

    response = drag(signed_in(supervisor), weekly, NEXT)

    assert response.status_code == 409 and "pause" in response.json()["error"]
    assert_nothing_made(weekly)


def test_without_a_day_nothing_is_made(signed_in, supervisor, weekly):
    response = drag(signed_in(supervisor), weekly, NEXT, to_day=None)

    assert response.status_code == 400 and response.json()["error"] == "Choisissez un jour."
    assert_nothing_made(weekly)


def test_a_plan_that_is_gone_is_a_404(signed_in, supervisor, weekly):
    client = signed_in(supervisor)
    Plan.objects.filter(pk=weekly.pk).delete()
    response = drag(client, weekly, NEXT)
    assert response.status_code == 404 and response.json()["error"]


def test_a_date_another_run_made_a_moment_before_is_moved_all_the_same(signed_in, supervisor, weekly):
    made = services.generate(plans=[weekly], force=True, now=NOW).created[0]  # Someone's "Générer maintenant".

    response = drag(signed_in(supervisor), weekly, NEXT)

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket == made and timezone.localdate(ticket.scheduled_date) == TARGET
    assert_nothing_made(weekly, next_date=LATER, tickets=1)


def test_a_date_whose_ticket_is_already_done_is_not_moved_again(signed_in, supervisor, weekly):
    services.generate(plans=[weekly], force=True, now=NOW)
    Ticket.objects.update(status=Ticket.Status.COMPLETED)

    response = drag(signed_in(supervisor), weekly, NEXT)

    assert response.status_code == 409 and "rechargez" in response.json()["error"]
    assert Ticket.objects.get().scheduled_date == weekly.moment(NEXT)


def test_a_scan_that_claims_the_date_while_we_insert_leaves_us_its_ticket(supervisor, weekly, monkeypatch):
    real = services.generate

    def a_scan_got_there_first(**kwargs):
        real(plans=[weekly], force=True, now=NOW)
        return services.GenerationResult()

    monkeypatch.setattr(services, "generate", a_scan_got_there_first)

    ticket = services.move_upcoming(plan=weekly, day=NEXT, to_day=TARGET, by=supervisor, now=NOW)

    assert timezone.localdate(ticket.scheduled_date) == TARGET
    assert_nothing_made(weekly, next_date=LATER, tickets=1)


def test_a_refused_reschedule_leaves_no_ticket_behind(supervisor, weekly, monkeypatch):
    real = ticket_services.ticket_schedule

    def refuse_people(**kwargs):  # The plan's own scheduling (by=None) goes through; the person's is refused.
        if kwargs["by"] is not None:
            raise PermissionDenied("Non.")
        return real(**kwargs)

    monkeypatch.setattr(ticket_services, "ticket_schedule", refuse_people)

    with pytest.raises(PermissionDenied):
        services.move_upcoming(plan=weekly, day=NEXT, to_day=TARGET, by=supervisor, now=NOW)

    assert_nothing_made(weekly)
    assert TimelineEntry.objects.count() == 0


def test_the_move_form_without_javascript_makes_the_ticket_and_comes_back(signed_in, supervisor, weekly):
    client = signed_in(supervisor)
    page = client.get(reverse("planning:calendar"), {"vue": "semaine", "date": NEXT.isoformat()}).content.decode()
    form_url = reverse("planning:calendar-day-plan", kwargs={"pk": weekly.pk, "day": NEXT})
    assert form_url in page

    form = client.get(form_url, {"next": "/calendrier/?vue=semaine"})
    assert form.status_code == 200
    assert "Contrôle hebdo" in form.content.decode() and "Nouveau jour" in form.content.decode()

    response = client.post(reverse("planning:calendar-move-plan", kwargs={"pk": weekly.pk, "day": NEXT}),
                           {"day": TARGET.isoformat(), "next": "/calendrier/?vue=semaine"}, follow=True)

    assert response.redirect_chain[-1][0] == "/calendrier/?vue=semaine"
    ticket = Ticket.objects.get()
    assert timezone.localdate(ticket.scheduled_date) == TARGET
    assert f"{ticket.ticket_id} créé et planifié le" in response.content.decode()


def test_the_move_form_refuses_with_a_message(signed_in, supervisor, make_plan):
    plan = make_plan(every=1, unit=Plan.Unit.WEEKS, start_date=NOW.date())
    services.generate(plans=[plan], force=True, now=NOW)
    plan.refresh_from_db()

    response = signed_in(supervisor).post(
        reverse("planning:calendar-move-plan", kwargs={"pk": plan.pk, "day": plan.next_date}),
        {"day": TARGET.isoformat()}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("planning:calendar")
    assert "encore ouvert" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_the_move_form_needs_the_scheduling_right(signed_in, technician, weekly):
    url = reverse("planning:calendar-day-plan", kwargs={"pk": weekly.pk, "day": NEXT})
    assert signed_in(technician).get(url).status_code == 403


def test_a_technician_sees_his_plans_dates_but_cannot_move_them(signed_in, technician, weekly):
    page = signed_in(technician).get(reverse("planning:calendar"), {"personne": technician.pk}).content.decode()
    assert page.count("cal-item cal-upcoming") == 2 and "deplacer-plan" not in page


def test_movable_dates_cost_no_query_more_on_the_calendar(signed_in, supervisor, make_plan, machine):
    make_plan(every=1, unit=Plan.Unit.WEEKS, start_date=NEXT)
    client = signed_in(supervisor)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("planning:calendar")).content.decode()
        return len(queries), page.count('data-move-url="/calendrier/deplacer-plan/')

    few = cost()
    for i in range(20):
        make_plan(title=f"Plan {i}", every=1, unit=Plan.Unit.WEEKS, start_date=date(2025, 11, 14 + i % 10))
    assert cost() == (few[0], 21) and few[1] == 1


def test_once_moved_the_plans_next_date_waits_for_its_ticket_without_being_called_late(signed_in, supervisor,
                                                                                        weekly):
    client = signed_in(supervisor)
    drag(client, weekly, NEXT)

    page = client.get(reverse("planning:calendar")).content.decode()

    assert page.count("cal-item cal-upcoming") == 1  # The 27th; the 20th is the ticket on the 21st now.
    assert "deplacer-plan" not in page and "plan en retard" not in page
    assert "Attend que le ticket précédent de ce plan soit terminé." in page


def test_only_the_next_date_of_a_late_plan_says_so(signed_in, supervisor, make_plan):
    plan = make_plan(every=1, unit=Plan.Unit.WEEKS, start_date=NOW.date())
    services.generate(plans=[plan], force=True, now=NOW)  # Open; the 19th is due (lead 7 days): late.

    page = signed_in(supervisor).get(reverse("planning:calendar")).content.decode()

    assert page.count("cal-item cal-upcoming") == 2  # 19 and 26 November.
    assert page.count("plan en retard") == 1 and page.count("is-late") == 1


def test_the_move_speaks_english(signed_in, supervisor, technician, weekly):
    client, refused = signed_in(supervisor), signed_in(technician)
    client.cookies["django_language"] = refused.cookies["django_language"] = "en"
    assert "Only a plan's next date can be moved" in drag(client, weekly, LATER).json()["error"]
    assert drag(refused, weekly, NEXT).json()["error"] == "You are not allowed to schedule tickets."
    assert "created and scheduled for" in drag(client, weekly, NEXT).json()["message"]


@pytest.mark.django_db(transaction=True)
def test_two_drags_and_two_scans_at_once_make_one_ticket_moved_once(supervisor, weekly):
    """Threads with their own connections: SQLite (IMMEDIATE transactions) and PostgreSQL alike."""
    start = threading.Barrier(4)

    def run(worker):
        try:
            start.wait()
            if worker < 2:
                return services.move_upcoming(plan=weekly, day=NEXT, to_day=TARGET + timedelta(days=worker),
                                              by=supervisor, now=NOW)
            services.generate(now=NOW + timedelta(days=2))  # The 20th is within its lead by then.
            return "scan"
        except services.MoveConflict as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(run, range(4)))

    moved = [o for o in outcomes[:2] if isinstance(o, Ticket)]
    assert len(moved) == 1 and isinstance(next(o for o in outcomes[:2] if o not in moved), services.MoveConflict)
    ticket = Ticket.objects.get()
    assert ticket.occurrence.date == NEXT and ticket.scheduled_date == moved[0].scheduled_date
    assert ticket.timeline.filter(action=TimelineEntry.Action.SCHEDULED, actor=supervisor).count() == 1
    assert ticket.timeline.filter(action=TimelineEntry.Action.CREATED).count() == 1
    weekly.refresh_from_db()
    assert weekly.next_date == LATER
