"""Machines and accounts through the API."""
from accounts.models import User
from accounts.roles import Role
from tests.conftest import make_user
from tickets.models import Machine

STRONG = "Un mot de passe solide 2025"


# --- Machines --------------------------------------------------------------------------
def test_a_supervisor_adds_changes_and_deletes_a_machine(client_for, supervisor):
    client = client_for(supervisor)

    created = client.post("/api/machines", {"machine_type": "Four", "model": "Tamglass", "serial_number": "T-9"},
                          format="json")
    url = f"/api/machines/{created.json()['id']}"
    changed = client.patch(url, {"status": "maintenance"}, format="json")
    deleted = client.delete(url)

    assert created.status_code == 201
    assert changed.json()["status"] == "maintenance"
    assert deleted.status_code == 204
    assert not Machine.objects.filter(serial_number="T-9").exists()


def test_deleting_a_machine_that_has_tickets_is_a_409_saying_why(client_for, supervisor, machine, make_ticket):
    make_ticket(machine=machine)
    make_ticket(machine=machine)

    response = client_for(supervisor).delete(f"/api/machines/{machine.pk}")

    assert response.status_code == 409
    assert "2 ticket(s)" in response.json()["detail"]
    assert "Hors service" in response.json()["detail"]
    assert Machine.objects.filter(pk=machine.pk).exists()


def test_two_machines_cannot_share_a_serial_number_but_may_both_have_none(client_for, supervisor, machine):
    client = client_for(supervisor)

    duplicate = client.post("/api/machines", {"machine_type": "Four", "model": "B", "serial_number": "PDE-1"},
                            format="json")
    blank1 = client.post("/api/machines", {"machine_type": "Four", "model": "C", "serial_number": ""}, format="json")
    blank2 = client.post("/api/machines", {"machine_type": "Four", "model": "D", "serial_number": ""}, format="json")

    assert duplicate.status_code == 400
    assert "numéro de série" in str(duplicate.json()["errors"])
    assert blank1.status_code == blank2.status_code == 201


def test_machines_are_filtered_by_status_and_searched(client_for, technician, machine, machine2):
    Machine.objects.filter(pk=machine2.pk).update(status="out_of_service")
    client = client_for(technician)

    out = client.get("/api/machines", {"status": "out_of_service"}).json()["results"]
    found = client.get("/api/machines", {"search": "découpe"}).json()["results"]

    assert [m["id"] for m in out] == [machine2.pk]
    assert [m["id"] for m in found] == [machine2.pk]


# --- Users -----------------------------------------------------------------------------
def test_an_admin_creates_an_account_that_can_sign_in(client_for, admin_user, anonymous):
    response = client_for(admin_user).post(
        "/api/users", {"email": "Nadia@IGP.test", "first_name": "Nadia", "password": STRONG, "role": "planner"},
        format="json")

    assert response.status_code == 201
    assert "password" not in response.json()
    assert response.json()["email"] == "nadia@igp.test"
    signed_in = anonymous.post("/api/auth/login", {"email": "nadia@igp.test", "password": STRONG}, format="json")
    assert signed_in.json()["user"]["role"] == "planner"


def test_a_new_account_needs_a_unique_address_and_a_strong_password(client_for, admin_user, technician):
    client = client_for(admin_user)

    taken = client.post("/api/users", {"email": "JEAN@igp.test", "password": STRONG}, format="json")
    weak = client.post("/api/users", {"email": "x@igp.test", "password": "1234"}, format="json")
    missing = client.post("/api/users", {"email": "y@igp.test"}, format="json")

    assert "email" in taken.json()["errors"]
    assert "password" in weak.json()["errors"]
    assert missing.json()["errors"]["password"] == ["Le mot de passe est obligatoire."]


def test_a_supervisor_manages_technicians_but_never_an_admin(client_for, supervisor, admin_user, technician):
    client = client_for(supervisor)

    promoted = client.patch(f"/api/users/{technician.pk}", {"role": "team_leader"}, format="json")
    to_admin = client.patch(f"/api/users/{technician.pk}", {"role": "admin"}, format="json")
    demote_admin = client.patch(f"/api/users/{admin_user.pk}", {"role": "operator"}, format="json")
    delete_admin = client.delete(f"/api/users/{admin_user.pk}")

    assert promoted.status_code == 200
    assert to_admin.status_code == 403
    assert "administrateur" in to_admin.json()["detail"]
    assert demote_admin.status_code == 403
    assert delete_admin.status_code == 403
    admin_user.refresh_from_db()
    technician.refresh_from_db()
    assert (admin_user.role, technician.role) == (Role.ADMIN, Role.TEAM_LEADER)


def test_a_supervisor_still_sees_admins_in_the_list(client_for, supervisor, admin_user):
    emails = [u["email"] for u in client_for(supervisor).get("/api/users").json()["results"]]

    assert admin_user.email in emails


def test_nobody_deletes_demotes_or_deactivates_himself(client_for, admin_user):
    client = client_for(admin_user)

    assert client.delete(f"/api/users/{admin_user.pk}").status_code == 403
    assert client.patch(f"/api/users/{admin_user.pk}", {"role": "operator"}, format="json").status_code == 403
    assert client.patch(f"/api/users/{admin_user.pk}", {"is_active": False}, format="json").status_code == 403
    assert client.patch(f"/api/users/{admin_user.pk}", {"first_name": "Alix"}, format="json").status_code == 200


def test_deleting_someone_who_reported_tickets_is_a_409_suggesting_deactivation(
        client_for, admin_user, operator, make_ticket):
    make_ticket(reporter=operator)

    response = client_for(admin_user).delete(f"/api/users/{operator.pk}")

    assert response.status_code == 409
    assert "Désactivez-le" in response.json()["detail"]
    assert User.objects.filter(pk=operator.pk).exists()


def test_an_admin_resets_a_password(client_for, admin_user, operator, anonymous):
    client_for(admin_user).patch(f"/api/users/{operator.pk}", {"password": STRONG}, format="json")

    assert anonymous.post("/api/auth/login", {"email": operator.email, "password": STRONG},
                          format="json").status_code == 200


def test_the_technicians_list_has_active_technicians_only(client_for, supervisor, technician, technician2, operator):
    make_user("ancien@igp.test", Role.TECHNICIAN, is_active=False)
    leader = make_user("chef@igp.test", Role.TEAM_LEADER, "Chef", "Équipe")

    response = client_for(supervisor).get("/api/users/technicians")

    assert {u["email"] for u in response.json()} == {technician.email, technician2.email, leader.email}


def test_users_are_filtered_by_role(client_for, admin_user, technician, operator):
    response = client_for(admin_user).get("/api/users", {"role": "operator"})

    assert [u["email"] for u in response.json()["results"]] == [operator.email]
