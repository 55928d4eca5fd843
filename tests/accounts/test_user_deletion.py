"""A person with any history is deactivated, never deleted: through the API and the admin alike."""
import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from accounts.services import user_history
from messaging.models import Message
from tests.api.conftest import (
    _fast_password_hashing,  # noqa: F401  (autouse: MD5 in these tests)
    ticket_url,
)
from tickets import services
from tickets.models import Comment, Media, Ticket, TimelineEntry


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def reported(ticket, user):
    ticket.reporter = user
    ticket.save()


def assigned(ticket, user):
    ticket.assigned_to = user
    ticket.save()


def wrote_in_timeline(ticket, user):
    TimelineEntry.objects.create(ticket=ticket, actor=user, action=TimelineEntry.Action.UPDATED)


def commented(ticket, user):
    Comment.objects.create(ticket=ticket, author=user, body="Vu")


def uploaded(ticket, user):
    Media.objects.create(ticket=ticket, uploaded_by=user, original_name="p.png", content_type="image/png",
                         kind=Media.Kind.PHOTO)


def sent_a_message(ticket, user):
    from messaging.services import public_channel

    Message.objects.create(conversation=public_channel(), sender=user, content="Bonjour")


HISTORY = [reported, assigned, wrote_in_timeline, commented, uploaded, sent_a_message]


@pytest.mark.parametrize("trace", HISTORY, ids=lambda f: f.__name__)
def test_deleting_someone_with_any_history_is_a_409_that_says_to_deactivate(
        supervisor, technician, make_ticket, trace):
    ticket = make_ticket()
    trace(ticket, technician)

    response = api_as(supervisor).delete(f"/api/users/{technician.pk}")

    assert response.status_code == 409
    assert "Désactivez-le" in response.json()["detail"]
    assert User.objects.filter(pk=technician.pk, is_active=True).exists()


def test_a_technician_who_is_only_an_assignee_keeps_his_overdue_ticket(supervisor, technician, make_ticket, now):
    ticket = make_ticket(assigned_to=technician, scheduled_date=now)

    assert api_as(supervisor).delete(f"/api/users/{technician.pk}").status_code == 409

    ticket.refresh_from_db()
    assert ticket.assigned_to == technician
    assert list(ticket.timeline.all()) == []  # Nothing happened to it.


def test_someone_without_any_history_can_still_be_deleted(supervisor, technician):
    assert user_history(technician) == []

    assert api_as(supervisor).delete(f"/api/users/{technician.pk}").status_code == 204
    assert not User.objects.filter(pk=technician.pk).exists()


def test_his_own_sign_in_tokens_are_not_history(supervisor, technician):
    from rest_framework_simplejwt.tokens import RefreshToken

    RefreshToken.for_user(technician)

    assert api_as(supervisor).delete(f"/api/users/{technician.pk}").status_code == 204


# --- The Django admin follows the same rule -----------------------------------------
def test_the_admin_offers_no_delete_for_someone_with_history_and_says_to_deactivate(
        client, supervisor, technician, make_ticket):
    make_ticket(assigned_to=technician)
    client.force_login(supervisor)

    change_page = client.get(reverse("admin:accounts_user_change", args=[technician.pk])).content.decode()
    response = client.post(reverse("admin:accounts_user_delete", args=[technician.pk]), {"post": "yes"}, follow=True)

    assert reverse("admin:accounts_user_delete", args=[technician.pk]) not in change_page
    assert User.objects.filter(pk=technician.pk).exists()
    assert "Décochez « actif »" in response.content.decode()


def test_the_admin_deletes_someone_without_history(client, supervisor, technician):
    client.force_login(supervisor)

    response = client.post(reverse("admin:accounts_user_delete", args=[technician.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=technician.pk).exists()


def test_the_admin_has_no_bulk_delete_of_accounts(client, supervisor, technician, make_ticket):
    make_ticket(assigned_to=technician)
    client.force_login(supervisor)

    client.post(reverse("admin:accounts_user_changelist"),
                {"action": "delete_selected", "_selected_action": [technician.pk], "post": "yes"})

    assert User.objects.filter(pk=technician.pk).exists()


# --- An inactive assignee stays assigned, visible as such ------------------------------
def test_a_deactivated_assignee_stays_assigned_and_the_pages_and_api_say_he_is_inactive(
        client, supervisor, technician, make_ticket, now):
    ticket = make_ticket(assigned_to=technician, scheduled_date=now)
    api_as(supervisor).patch(f"/api/users/{technician.pk}", {"is_active": False}, format="json")
    client.force_login(supervisor)

    board = client.get(reverse("web:board")).content.decode()
    page = client.get(ticket.get_absolute_url()).content.decode()
    api = api_as(supervisor).get(ticket_url(ticket)).json()

    assert Ticket.objects.get(pk=ticket.pk).assigned_to_id == technician.pk
    assert "Jean Technicien (inactif)" in board
    assert "Jean Technicien (inactif)" in page
    assert api["assigned_to"]["is_active"] is False
    assert Ticket.objects.overdue(now + timedelta(minutes=1)).filter(pk=ticket.pk).exists()


def test_the_timeline_keeps_its_authors_name_when_the_account_goes(supervisor, technician, make_ticket):
    ticket = make_ticket()
    services.comment_add(ticket=ticket, author=technician, body="Courroie changée")
    technician.delete()  # From the shell: the API and the admin refuse it.

    [entry] = ticket.timeline.all()
    [row] = api_as(supervisor).get(ticket_url(ticket, "timeline")).json()

    assert entry.actor is None and entry.actor_name == "Jean Technicien"
    assert row["actor"] is None and row["actor_name"] == "Jean Technicien"


def test_a_migrated_database_gets_the_authors_names_of_existing_rows(technician, make_ticket):
    migration = importlib.import_module("tickets.migrations.0002_timelineentry_actor_name")
    ticket = make_ticket()
    wrote_in_timeline(ticket, technician)
    TimelineEntry.objects.update(actor_name="")

    migration.fill_actor_names(apps, None)

    assert TimelineEntry.objects.get().actor_name == "Jean Technicien"
