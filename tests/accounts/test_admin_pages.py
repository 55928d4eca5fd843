import pytest
from django.urls import reverse

from accounts.roles import Role
from tickets.models import Comment, Machine, Media, Ticket, TimelineEntry

from ..conftest import make_user


@pytest.fixture
def filled(make_ticket, technician, now):
    ticket = make_ticket(assigned_to=technician, scheduled_date=now)
    Comment.objects.create(ticket=ticket, author=technician, body="Vu")
    TimelineEntry.objects.create(ticket=ticket, action="created")
    return ticket


@pytest.mark.parametrize("model", [Ticket, Machine, Comment, Media, TimelineEntry])
def test_staff_open_every_list_and_form_of_the_admin(client, admin_user, filled, model):
    client.force_login(admin_user)
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    if model is Ticket:
        assert client.get(reverse("admin:tickets_ticket_change", args=[filled.pk])).status_code == 200
        assert client.get(reverse("admin:tickets_ticket_add")).status_code == 200


def test_the_admin_speaks_french(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Gestion de la maintenance" in page


@pytest.mark.parametrize("query", ["?overdue=yes", "?overdue=no", "?assignee=team", "?assignee=none",
                                   "?status__exact=received", "?q=IGP"])
def test_the_ticket_list_filters_work(client, admin_user, filled, query):
    client.force_login(admin_user)
    assert client.get(reverse("admin:tickets_ticket_changelist") + query).status_code == 200


def test_the_overdue_filter_finds_the_overdue_ticket(client, admin_user, filled):
    client.force_login(admin_user)
    page = client.get(reverse("admin:tickets_ticket_changelist") + "?overdue=yes").content.decode()
    assert filled.ticket_id in page


def test_a_supervisor_does_not_see_admins_in_the_user_list(client, supervisor, admin_user):
    client.force_login(supervisor)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert supervisor.email in page and admin_user.email not in page


def test_a_supervisor_cannot_open_an_admins_account(client, supervisor, admin_user):
    client.force_login(supervisor)
    response = client.get(reverse("admin:accounts_user_change", args=[admin_user.pk]))
    assert response.status_code in (302, 404)


def test_staff_create_a_person_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_user_add"), {
        "email": "nouveau@igp.test", "first_name": "Nouveau", "last_name": "Technicien", "role": Role.TECHNICIAN,
        "password1": "Un-mot-de-passe-solide-42", "password2": "Un-mot-de-passe-solide-42", "usable_password": "true",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    from accounts.models import User

    assert User.objects.get(email="nouveau@igp.test").groups.get().name == "technician"


def test_a_technician_cannot_open_the_admin(client, db):
    client.force_login(make_user("t@igp.test", Role.TECHNICIAN))
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_ticket_created_in_the_admin_gets_its_number(client, admin_user, machine):
    client.force_login(admin_user)
    url = reverse("admin:tickets_ticket_add")
    # Every inline on the page posts an empty management form.
    inlines = client.get(url).context["inline_admin_formsets"]
    management = {}
    for inline in inlines:
        management[f"{inline.formset.prefix}-TOTAL_FORMS"] = 0
        management[f"{inline.formset.prefix}-INITIAL_FORMS"] = 0
    response = client.post(url, {
        "title": "Panne", "description": "", "machine": machine.pk, "priority": "high", "status": "received",
        "reporter": admin_user.pk, **management,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Ticket.objects.get().ticket_id.startswith("IGP-POLISSEUSE-DOUBLE EDGER-")


def test_the_admin_stays_french_behind_an_english_browser(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Déconnexion" in page or "Se déconnecter" in page


def test_a_person_who_chose_english_gets_english(client, admin_user):
    from django.conf import settings

    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Log out" in client.get(reverse("admin:index")).content.decode()


def test_staff_switch_the_admin_to_english_and_back(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'name="language" value="en"' in page
    client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    assert "Log out" in client.get(reverse("admin:index")).content.decode()
    client.post(reverse("set_language"), {"language": "fr", "next": reverse("admin:index")})
    assert "Déconnexion" in client.get(reverse("admin:index")).content.decode()
