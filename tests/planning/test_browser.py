"""The planning pages in a real Chromium, phone (390×844) and desktop (1280×800): a supervisor sets up a plan
and generates its ticket; a technician ticks the checklist and completes with a point left (confirmed);
a supervisor drags a ticket to another day of the calendar."""
# ruff: noqa: F811
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from planning import services
from planning.models import Plan
from tests.web.conftest import DESKTOP, PHONE, browser, media_in_tmp, screenshot_dir  # noqa: F401
from tests.web.test_browser import assert_fits_a_thumb, open_page, settled, shoot, sign_in  # noqa: F401
from tickets.models import Ticket, TimelineEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


def size_name(viewport):
    return "phone" if viewport == PHONE else "desktop"


def drag_to_day(page, item, day):
    """Press on a calendar item, lift it a little (SortableJS starts there), drop it in `day`'s list."""
    box = item.locator("a").first.bounding_box()
    cell = page.locator(f'.cal-days .cal-items[data-day="{day.isoformat()}"]').bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 15, steps=3)
    page.mouse.move(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] / 2, steps=12)
    page.mouse.up()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_supervisor_sets_up_a_plan_and_generates_its_ticket(open_page, live_server, viewport, supervisor,
                                                              technician, machine, screenshot_dir):
    size = size_name(viewport)
    page = open_page(viewport)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + reverse("planning:plan-create"))
    page.get_by_label("Machine").select_option(str(machine.pk))
    page.get_by_label("Titre").fill("Graissage trimestriel")
    page.get_by_label("Liste de vérification").fill("Graisser les engrenages\nVérifier la tension")
    page.get_by_label("Assigner à").select_option(str(technician.pk))
    page.get_by_label("Tous les").fill("3")
    page.get_by_label("Première date").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"plan-form-{size}", full_page=True)
    page.get_by_role("button", name="Enregistrer le plan").click()
    page.get_by_role("button", name="Générer maintenant").wait_for()
    settled(page)
    shoot(page, screenshot_dir, f"plan-detail-{size}", full_page=True)

    page.get_by_role("button", name="Générer maintenant").click()
    page.locator(".ticket-head").wait_for()
    settled(page)
    ticket = Ticket.objects.get()
    assert ticket.assigned_to == technician and ticket.occurrence.plan.title == "Graissage trimestriel"
    assert page.locator(".banners .b-preventive").is_visible()
    assert page.locator("#checklist .check-item").count() == 2
    page.goto(live_server.url + reverse("web:board"))
    badge = page.locator(".card .b-preventive").first
    badge.wait_for()
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(220, 252, 231)"
    shoot(page, screenshot_dir, f"board-preventive-{size}")
    assert page.errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_technician_ticks_the_checklist_and_completes_with_one_point_left(open_page, live_server, viewport,
                                                                           supervisor, technician, machine,
                                                                           screenshot_dir):
    size = size_name(viewport)
    plan = services.plan_save(plan=Plan(machine=machine, title="Contrôle du four", assigned_to=technician,
                                        checklist=["Purger la vanne", "Contrôler les brûleurs"],
                                        start_date=timezone.localdate()), by=supervisor)
    ticket = services.generate(plans=[plan], force=True).created[0]
    page = open_page(viewport)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + ticket.get_absolute_url())

    page.get_by_role("button", name="Purger la vanne").click()
    page.locator(".check-item.is-done", has_text="Purger la vanne").wait_for()
    settled(page)
    assert "Coché par Jean Technicien" in page.locator("#checklist").inner_text()
    assert page.locator("#checklist h2").inner_text().endswith("(1 sur 2)")
    page.locator("#checklist").scroll_into_view_if_needed()
    shoot(page, screenshot_dir, f"ticket-checklist-{size}")

    page.get_by_role("button", name="En cours", exact=True).click()
    page.get_by_text("Terminer malgré 1 point non coché").wait_for()
    settled(page)
    page.get_by_role("button", name="Terminé", exact=True).click()  # The unticked box stops the form.
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.IN_PROGRESS
    page.get_by_label("Terminer malgré 1 point non coché").check()
    page.locator("#h-moves").scroll_into_view_if_needed()
    shoot(page, screenshot_dir, f"ticket-checklist-confirm-{size}")
    page.get_by_role("button", name="Terminé", exact=True).click()
    page.locator(".badge.st-completed").wait_for()
    assert TimelineEntry.objects.filter(ticket=ticket, new_value="Terminé avec 1 point non coché (confirmé)").exists()
    assert page.errors == []


def test_a_supervisor_drags_a_ticket_to_another_day_of_the_calendar(open_page, live_server, supervisor,
                                                                    technician, machine, make_ticket,
                                                                    screenshot_dir):
    today = timezone.localdate()
    target = today - timedelta(days=1) if today.weekday() == 6 else today + timedelta(days=1)
    tz = timezone.get_default_timezone()
    ticket = make_ticket(title="Changer la courroie", assigned_to=technician,
                         scheduled_date=datetime.combine(today, time(10, 30), tzinfo=tz))
    services.plan_save(plan=Plan(machine=machine, title="Contrôle hebdomadaire", assigned_to=technician,
                                 every=1, unit=Plan.Unit.WEEKS, start_date=today + timedelta(days=2)),
                       by=supervisor)
    page = open_page(DESKTOP)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + reverse("planning:calendar"))
    item = page.locator(".cal-days .cal-item", has_text="Changer la courroie")
    item.wait_for()
    shoot(page, screenshot_dir, "calendar-month-desktop", full_page=True)

    drag_to_day(page, item, target)

    page.locator("#cal-status", has_text="planifié").wait_for(state="attached")
    ticket.refresh_from_db()
    local = timezone.localtime(ticket.scheduled_date)
    assert (local.date(), local.hour, local.minute) == (target, 10, 30)
    assert ticket.timeline.filter(action=TimelineEntry.Action.SCHEDULED, actor=supervisor).exists()
    assert page.errors == []

    phone = open_page(PHONE)
    sign_in(phone, live_server, supervisor.email)
    phone.goto(live_server.url + reverse("planning:calendar"))
    phone.locator(".cal-days .cal-item", has_text="Changer la courroie").wait_for()
    assert not phone.locator(".cal-head").is_visible()
    assert not phone.locator(".cal-cell.empty").first.is_visible()  # A day-by-day list of what there is.
    assert_fits_a_thumb(phone)
    shoot(phone, screenshot_dir, "calendar-phone", full_page=True)


def test_without_javascript_the_move_form_reschedules(open_page, live_server, supervisor, make_ticket):
    today = timezone.localdate()
    tz = timezone.get_default_timezone()
    ticket = make_ticket(title="Changer la courroie", scheduled_date=datetime.combine(today, time(9), tzinfo=tz))
    page = open_page(DESKTOP, javascript=False)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + reverse("planning:calendar") + "?vue=semaine")
    item = page.locator(".cal-days .cal-item", has_text="Changer la courroie")
    item.locator(".cal-move").click()
    new_day = today + timedelta(days=3)
    page.get_by_label("Nouveau jour").fill(new_day.isoformat())
    page.get_by_role("button", name="Déplacer").click()
    page.locator(".msg-success").wait_for()
    assert "vue=semaine" in page.url
    ticket.refresh_from_db()
    assert timezone.localdate(ticket.scheduled_date) == new_day
    assert isinstance(new_day, date)


def _plan_ahead(supervisor, technician, machine):
    """A weekly plan whose next date is ten days ahead (beyond its 7-day lead: no ticket yet), and the day
    next to it in the same week of the month view."""
    start = timezone.localdate() + timedelta(days=10)
    plan = services.plan_save(plan=Plan(machine=machine, title="Contrôle du four", assigned_to=technician,
                                        every=1, unit=Plan.Unit.WEEKS, start_date=start, time_of_day=time(7, 30)),
                              by=supervisor)
    return plan, start, start - timedelta(days=1) if start.weekday() == 6 else start + timedelta(days=1)


def _calendar_at(open_page, live_server, supervisor, start):
    """The supervisor's month view (1280×800) at `start`, and the plan's movable date on it."""
    page = open_page(DESKTOP)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + reverse("planning:calendar") + f"?date={start.isoformat()}")
    item = page.locator(f'.cal-items[data-day="{start.isoformat()}"] .cal-upcoming.cal-movable')
    item.wait_for()
    return page, item


def _assert_made_on(plan, start, target, supervisor):
    ticket = Ticket.objects.get()
    local = timezone.localtime(ticket.scheduled_date)
    assert (local.date(), local.hour, local.minute) == (target, 7, 30)
    assert ticket.occurrence.date == start
    assert ticket.timeline.filter(action=TimelineEntry.Action.SCHEDULED, actor=supervisor).exists()
    plan.refresh_from_db()
    assert plan.next_date == start + timedelta(days=7)
    return ticket


def test_a_supervisor_drags_a_plans_next_date_and_it_becomes_a_ticket(open_page, live_server, supervisor,
                                                                      technician, machine, screenshot_dir):
    plan, start, target = _plan_ahead(supervisor, technician, machine)
    page, item = _calendar_at(open_page, live_server, supervisor, start)
    later = page.locator(f'.cal-items[data-day="{(start + timedelta(days=7)).isoformat()}"] .cal-upcoming')
    if later.count():  # The following week is in this month's grid: shown, not movable, and says why.
        assert "cal-movable" not in later.get_attribute("class")
        assert "seule la prochaine date" in later.get_attribute("title")
    shoot(page, screenshot_dir, "calendar-upcoming-before-desktop", full_page=True)

    drag_to_day(page, item, target)

    # The page is drawn again: on the new day a ticket (préventif, movable as any ticket), and the message.
    made = page.locator(f'.cal-items[data-day="{target.isoformat()}"] .cal-item:not(.cal-upcoming)',
                        has_text="Contrôle du four")
    made.wait_for()
    page.locator(".msg-success", has_text="créé et planifié le").wait_for()
    ticket = _assert_made_on(plan, start, target, supervisor)
    assert ticket.ticket_id in made.inner_text() or made.locator(".cal-move").count() == 1
    assert page.locator(f'.cal-items[data-day="{start.isoformat()}"] .cal-item').count() == 0
    assert page.locator(".cal-upcoming.is-late").count() == 0  # Waiting for its ticket is not being late.
    settled(page)
    shoot(page, screenshot_dir, "calendar-upcoming-after-desktop", full_page=True)
    assert page.errors == []


def test_a_refused_drag_of_a_plans_date_puts_it_back_with_the_reason(open_page, live_server, supervisor,
                                                                     technician, machine, screenshot_dir):
    plan, start, target = _plan_ahead(supervisor, technician, machine)
    page, item = _calendar_at(open_page, live_server, supervisor, start)
    services.plan_pause(plan=plan, by=supervisor)  # Meanwhile, someone pauses the plan.

    drag_to_day(page, item, target)

    page.locator("#cal-alert", has_text="en pause").wait_for()
    assert page.locator(f'.cal-items[data-day="{start.isoformat()}"] .cal-upcoming').count() == 1
    shoot(page, screenshot_dir, "calendar-upcoming-refused-desktop")
    assert Ticket.objects.count() == 0
    assert page.errors == ["Failed to load resource: the server responded with a status of 409 (Conflict)"]


def test_on_a_phone_the_plans_next_date_moves_with_its_link(open_page, live_server, supervisor, technician,
                                                           machine, screenshot_dir):
    plan, start, target = _plan_ahead(supervisor, technician, machine)
    page = open_page(PHONE)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + reverse("planning:calendar") + f"?date={start.isoformat()}")
    item = page.locator(f'.cal-items[data-day="{start.isoformat()}"] .cal-upcoming')
    item.wait_for()
    assert not page.locator(".cal-head").is_visible()
    assert_fits_a_thumb(page)
    item.scroll_into_view_if_needed()
    shoot(page, screenshot_dir, "calendar-upcoming-phone")

    item.get_by_role("link", name="Déplacer Contrôle du four").click()
    page.get_by_label("Nouveau jour").wait_for()
    settled(page)
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, "calendar-upcoming-form-phone")
    page.get_by_label("Nouveau jour").fill(target.isoformat())
    page.get_by_role("button", name="Déplacer").click()

    page.locator(".msg-success", has_text="créé et planifié le").wait_for()
    settled(page)
    assert f"date={start.isoformat()}" in page.url
    _assert_made_on(plan, start, target, supervisor)
    made = page.locator(f'.cal-items[data-day="{target.isoformat()}"] .cal-item:not(.cal-upcoming)',
                        has_text="Contrôle du four")
    assert made.is_visible()
    shoot(page, screenshot_dir, "calendar-upcoming-after-phone", full_page=True)
    assert page.errors == []
