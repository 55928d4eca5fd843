import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from tickets import policies

from ..conftest import make_user


def test_every_role_of_the_original_app_is_a_group(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    assert len(Role) == 14


def test_a_person_belongs_to_the_group_of_his_role(technician):
    assert list(technician.groups.values_list("name", flat=True)) == ["technician"]


def test_changing_the_role_changes_the_group_and_the_rights_at_once(technician):
    assert technician.has_perm("tickets.move_ticket")
    technician.role = Role.OPERATOR
    technician.save()
    assert list(technician.groups.values_list("name", flat=True)) == ["operator"]
    assert not technician.has_perm("tickets.move_ticket")


def test_only_admins_and_supervisors_open_the_admin(admin_user, supervisor, technician, operator):
    assert admin_user.is_staff and admin_user.is_superuser
    assert supervisor.is_staff and not supervisor.is_superuser
    assert not technician.is_staff and not operator.is_staff


def test_sign_in_is_by_email_whatever_the_case(db):
    make_user("Jean.Tremblay@IGP.test", Role.TECHNICIAN)
    assert User.objects.get_by_natural_key("jean.tremblay@igp.test").email == "jean.tremblay@igp.test"


@pytest.mark.parametrize("perm,expected", [
    ("tickets.view_all_tickets", (True, True, True, False)),
    ("tickets.add_ticket", (True, True, True, True)),
    ("tickets.move_ticket", (True, True, True, False)),
    ("tickets.comment_ticket", (True, True, True, True)),
    ("tickets.upload_media", (True, True, True, True)),
    ("tickets.assign_ticket", (True, True, False, False)),
    ("tickets.schedule_ticket", (True, True, False, False)),
    ("tickets.delete_ticket", (True, True, False, False)),
    # Anyone's photo or video; everyone else removes only the files he added (tickets.policies).
    ("tickets.delete_media", (True, True, False, False)),
    ("tickets.change_machine", (True, True, False, False)),
    ("accounts.change_user", (True, True, False, False)),
    ("notifications.run_overdue_check", (True, True, False, False)),
    # The reports page, its CSV and the ticket export (reports app).
    ("reports.view_reports", (True, True, False, False)),
])
def test_the_four_core_roles_have_the_documented_rights(perm, expected, admin_user, supervisor, technician,
                                                         operator):
    """admin, supervisor, technician, operator — in that order."""
    assert tuple(u.has_perm(perm) for u in (admin_user, supervisor, technician, operator)) == expected


def test_an_operator_sees_and_comments_only_his_own_tickets(make_ticket, operator, operator2):
    mine, other = make_ticket(reporter=operator), make_ticket(reporter=operator2)
    assert policies.can_view(operator, mine) and policies.can_comment(operator, mine)
    assert not policies.can_view(operator, other) and not policies.can_comment(operator, other)
    from tickets.models import Ticket

    assert list(Ticket.objects.visible_to(operator)) == [mine]


def test_a_technician_sees_every_ticket(make_ticket, technician, operator):
    make_ticket(reporter=operator)
    from tickets.models import Ticket

    assert Ticket.objects.visible_to(technician).count() == 1


def test_an_inactive_person_sees_nothing(make_ticket, technician):
    make_ticket()
    technician.is_active = False
    technician.save()
    from tickets.models import Ticket

    assert Ticket.objects.visible_to(technician).count() == 0


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_can_at_least_see_tickets(db, role):
    user = make_user(f"{role}@igp.test", role)
    assert user.has_perm("tickets.view_ticket")


@pytest.mark.parametrize("role,allowed", [
    ("director", True), ("coordinator", True), ("planner", True), ("team_leader", False), ("storekeeper", False),
    ("viewer", False),
])
def test_reports_go_to_those_who_plan_and_manage(db, role, allowed):
    from tests.conftest import make_user

    assert make_user(f"{role}@igp.test", role).has_perm("reports.view_reports") is allowed
