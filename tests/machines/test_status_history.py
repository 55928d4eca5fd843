"""Every door that changes a machine's status writes one MachineStatusChange row, through
machines.services.machine_set_status: the service itself, the admin, the API, the machine page,
and a ticket reported « Machine à l'arrêt »."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from machines.models import MachineStatusChange
from machines.services import machine_set_status
from tests.conftest import NOW
from tickets.models import Machine


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def only_change():
    [change] = MachineStatusChange.objects.all()
    return change


class TestTheService:
    def test_it_records_who_when_from_what_to_what(self, machine, supervisor):
        change = machine_set_status(machine=machine, status="maintenance", by=supervisor, note="Graissage", now=NOW)
        machine.refresh_from_db()
        assert machine.status == "maintenance"
        assert (change.old_status, change.new_status, change.changed_by, change.changed_at, change.note) == (
            "operational", "maintenance", supervisor, NOW, "Graissage")
        assert change.changed_by_name == "Marc Superviseur"

    def test_it_writes_nothing_when_the_status_does_not_change(self, machine, supervisor):
        assert machine_set_status(machine=machine, status="operational", by=supervisor) is None
        assert not MachineStatusChange.objects.exists()

    def test_it_refuses_an_unknown_status(self, machine, supervisor):
        with pytest.raises(ValidationError):
            machine_set_status(machine=machine, status="cassée", by=supervisor)

    def test_it_refuses_someone_who_may_not_edit_machines_without_a_ticket(self, machine, technician):
        with pytest.raises(PermissionDenied):
            machine_set_status(machine=machine, status="out_of_service", by=technician)
        machine.refresh_from_db()
        assert machine.status == "operational"

    def test_the_old_status_is_read_from_the_database_not_from_a_stale_object(self, machine, supervisor):
        stale = Machine.objects.get(pk=machine.pk)
        machine_set_status(machine=machine, status="maintenance", by=supervisor)
        change = machine_set_status(machine=stale, status="out_of_service", by=supervisor)
        assert (change.old_status, change.new_status) == ("maintenance", "out_of_service")


def test_the_admin_form_records_the_change(machine, admin_user):
    url = reverse("admin:tickets_machine_change", args=[machine.pk])
    response = signed_in(admin_user).post(url, {
        "machine_type": machine.machine_type, "model": machine.model, "serial_number": machine.serial_number,
        "location": machine.location, "status": "out_of_service",
        "created_at_0": "2025-11-01", "created_at_1": "08:00:00",
    })
    assert response.status_code == 302, response.content[:500]
    change = only_change()
    assert (change.old_status, change.new_status, change.changed_by) == ("operational", "out_of_service",
                                                                        admin_user)


def test_the_admin_form_without_a_status_change_records_nothing(machine, admin_user):
    url = reverse("admin:tickets_machine_change", args=[machine.pk])
    signed_in(admin_user).post(url, {
        "machine_type": machine.machine_type, "model": "Renommée", "serial_number": machine.serial_number,
        "location": machine.location, "status": "operational",
        "created_at_0": "2025-11-01", "created_at_1": "08:00:00",
    })
    machine.refresh_from_db()
    assert machine.model == "Renommée"
    assert not MachineStatusChange.objects.exists()


def test_the_api_records_the_change(machine, supervisor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(supervisor)}")
    response = client.patch(f"/api/machines/{machine.pk}", {"status": "maintenance", "location": "Quai 2"},
                            format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "maintenance"
    assert (only_change().new_status, only_change().changed_by) == ("maintenance", supervisor)
    history = client.get(f"/api/machines/{machine.pk}/status-history").json()
    assert [(r["old_status"], r["new_status"], r["changed_by"]) for r in history] == [
        ("operational", "maintenance", "Marc Superviseur")]


def test_the_machine_page_records_the_change(machine, supervisor):
    response = signed_in(supervisor).post(reverse("machines:status", args=[machine.pk]),
                                          {"status": "out_of_service", "note": "Moteur grillé"}, follow=True)
    assert "État de la machine : Hors service." in response.content.decode()
    assert (only_change().new_status, only_change().note) == ("out_of_service", "Moteur grillé")


def test_the_machine_page_refuses_someone_who_may_not_edit_machines(machine, technician):
    response = signed_in(technician).post(reverse("machines:status", args=[machine.pk]),
                                          {"status": "out_of_service"})
    assert response.status_code == 403
    assert not MachineStatusChange.objects.exists()


def test_an_operator_reporting_a_stopped_machine_puts_it_out_of_service_with_the_ticket(machine, operator):
    response = signed_in(operator).post(reverse("web:report"), {
        "machine": machine.pk, "machine_stopped": "on", "title": "Courroie cassée", "priority": "critical"})
    assert response.status_code == 302
    change = only_change()
    machine.refresh_from_db()
    assert machine.status == "out_of_service"
    assert (change.new_status, change.changed_by, change.ticket.title, change.note) == (
        "out_of_service", operator, "Courroie cassée", "Courroie cassée")


def test_a_report_without_the_box_leaves_the_machine_alone(machine, operator):
    signed_in(operator).post(reverse("web:report"), {"machine": machine.pk, "title": "Bruit", "priority": "low"})
    machine.refresh_from_db()
    assert machine.status == "operational"
    assert not MachineStatusChange.objects.exists()
