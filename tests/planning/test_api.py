"""The plans and checklists over the API: what a client of the mobile app sees and does."""
from datetime import date
from urllib.parse import quote

import time_machine
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from planning.models import ChecklistItem, Plan
from tests.conftest import NOW
from tickets.models import Ticket


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def test_a_plan_created_over_the_api_is_pointed_at_its_first_date(supervisor, machine, technician):
    response = api(supervisor).post("/api/plans", {
        "machine": machine.pk, "title": "Vidange", "every": 3, "unit": "months", "start_date": "2026-01-15",
        "time_of_day": "07:30", "assigned_to": technician.pk, "checklist": ["Vidanger", "Remplir"],
        "due_soon_hours": 48}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["next_date"] == "2026-01-15" and body["time_of_day"] == "07:30" and body["due_soon_hours"] == 48
    assert Plan.objects.get().created_by == supervisor


def test_generate_then_tick_then_complete_with_confirmation(supervisor, technician, make_plan):
    with time_machine.travel(NOW, tick=False):
        plan = make_plan(checklist=["Graisser", "Serrer"])
        created = api(supervisor).post(f"/api/plans/{plan.pk}/generate").json()["created"]
        ticket = Ticket.objects.get(ticket_id=created[0])
        client = api(technician)
        items = client.get("/api/checklist-items", {"ticket": ticket.ticket_id}).json()
        assert [i["label"] for i in items] == ["Graisser", "Serrer"]
        ticked = client.patch(f"/api/checklist-items/{items[0]['id']}", {"done": True}, format="json").json()
        assert ticked["done"] and ticked["done_by"] == "Jean Technicien"
        url = f"/api/tickets/{quote(ticket.ticket_id)}/move"
        client.post(url, {"status": "in_progress"}, format="json")

        refused = client.post(url, {"status": "completed"}, format="json")
        done = client.post(url, {"status": "completed", "confirm_unchecked": True}, format="json")

    assert refused.status_code == 400 and "confirmez" in str(refused.json()["errors"])
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert ChecklistItem.objects.filter(done_at__isnull=False).count() == 1
    occurrences = api(supervisor).get(f"/api/plans/{plan.pk}/occurrences").json()
    assert occurrences == [{"id": occurrences[0]["id"], "date": str(date(2025, 11, 15)), "ticket": ticket.ticket_id,
                            "ticket_status": "completed", "created_at": occurrences[0]["created_at"]}]
