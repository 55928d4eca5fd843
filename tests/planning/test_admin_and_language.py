"""The plans in the admin (saved through the service, « Générer maintenant » as an action), the pages in
English, and what a preventive ticket's page costs."""
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning import services
from planning.models import Plan
from tests.conftest import NOW
from tickets.models import Ticket


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_plan_added_in_the_admin_gets_its_author_and_next_date(supervisor, machine, technician):
    response = client_for(supervisor).post(reverse("admin:planning_plan_add"), {
        "machine": machine.pk, "title": "Vidange", "description": "", "checklist": '["Vidanger"]',
        "priority": "medium", "assigned_to": technician.pk, "kind": "fixed", "every": 1, "unit": "months",
        "start_date": "2025-11-20", "time_of_day": "08:00", "lead_days": 7, "due_soon_lead": "1 00:00:00",
        "occurrences-TOTAL_FORMS": 0, "occurrences-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get()
    assert plan.created_by == supervisor and plan.next_date == date(2025, 11, 20)


def test_generate_now_from_the_admin_list(supervisor, make_plan):
    plan = make_plan(start_date=date(2026, 2, 1))
    client_for(supervisor).post(reverse("admin:planning_plan_changelist"),
                                {"action": "generate_now", "_selected_action": [plan.pk]})
    assert Ticket.objects.count() == 1


def test_a_technician_has_no_plan_in_the_admin(technician):
    assert client_for(technician).get(reverse("admin:planning_plan_changelist")).status_code == 302


def test_the_calendar_and_the_plan_page_speak_english(supervisor, make_plan):
    plan = make_plan()
    client = client_for(supervisor)
    client.cookies["django_language"] = "en"
    calendar = client.get(reverse("planning:calendar"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My calendar on my phone" in calendar and ">Month<" in calendar
    page = client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Generate now" in page and "Every 3 months from 15/11/2025" in page


def test_a_preventive_ticket_page_costs_one_query_more_than_a_plain_one(supervisor, make_plan, make_ticket):
    plain = make_ticket()
    make_plan(checklist=["Graisser", "Serrer"])
    preventive = services.generate(now=NOW).created[0]
    client = client_for(supervisor)

    def cost(ticket):
        client.get(ticket.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ticket.get_absolute_url()).status_code == 200
        return len(queries)

    assert cost(preventive) == cost(plain) + 1  # The checklist; plan and occurrence come with the ticket.
