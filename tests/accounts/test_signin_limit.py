"""One limit for every sign-in door: the sign-in page, the admin and the API count
the same failures, per (account, address) pair, and all refuse with a 429."""
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import _fast_password_hashing  # noqa: F401 (autouse: MD5, these tests hash often)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = reverse("web:login")
ADMIN = reverse("admin:login")
API = "/api/auth/login"
ADDRESS = "192.0.2.10"


def page_login(client, email, password=PASSWORD, address=ADDRESS):
    return client.post(PAGE, {"username": email, "password": password}, REMOTE_ADDR=address)


def admin_login(client, email, password=PASSWORD, address=ADDRESS):
    return client.post(ADMIN, {"username": email, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def api_login(client, email, password=PASSWORD, address=ADDRESS):
    return client.post(API, {"email": email, "password": password}, content_type="application/json",
                       REMOTE_ADDR=address)


def test_fifty_wrong_passwords_on_the_sign_in_page_end_in_a_429_in_french(client, technician):
    with time_machine.travel(timezone.now(), tick=False):
        answers = [page_login(client, technician.email, "mauvais") for _ in range(50)]

    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert "Adresse courriel ou mot de passe incorrect." in answers[0].content.decode()
    assert {a.status_code for a in answers[4:]} == {429}
    page = answers[-1].content.decode()
    assert "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes." in page
    assert "Adresse courriel ou mot de passe incorrect." not in page
    assert 'id="id_username"' in page  # The form is still there, for after the cool-off.
    assert answers[-1]["Retry-After"] == "900"


def test_the_right_password_is_refused_on_the_page_while_the_pair_is_locked(client, technician):
    for _attempt in range(5):
        page_login(client, technician.email, "mauvais")

    response = page_login(client, technician.email)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("web:board")).status_code == 302


def test_the_person_still_signs_in_from_another_address(client, technician):
    for _attempt in range(50):
        page_login(client, technician.email, "mauvais", address="203.0.113.66")

    response = page_login(Client(), technician.email, address=ADDRESS)

    assert response.status_code == 302
    assert response["Location"] == reverse("web:board")


def test_the_lock_ends_after_the_cool_off(client, technician):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _attempt in range(5):
            page_login(client, technician.email, "mauvais")
        traveller.shift(timedelta(minutes=14))
        assert page_login(client, technician.email).status_code == 429
        assert "Réessayez dans 1 minute." in page_login(client, technician.email).content.decode()

        traveller.shift(timedelta(minutes=1, seconds=1))
        assert page_login(client, technician.email).status_code == 302


def test_knocking_during_the_lock_does_not_make_it_longer(client, technician):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _attempt in range(5):
            page_login(client, technician.email, "mauvais")
        for _minute in range(14):
            traveller.shift(timedelta(minutes=1))
            page_login(client, technician.email, "mauvais")
        traveller.shift(timedelta(minutes=1, seconds=1))

        assert page_login(client, technician.email).status_code == 302


def test_fifty_wrong_passwords_on_the_admin_end_in_a_429_and_the_right_one_is_refused(client, admin_user):
    with time_machine.travel(timezone.now(), tick=False):
        answers = [admin_login(client, admin_user.email, "mauvais") for _ in range(50)]
        refused = admin_login(client, admin_user.email)

    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert {a.status_code for a in answers[4:]} == {429}
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion échouées." in refused.content.decode()
    assert refused["Retry-After"] == "900"
    assert client.get("/admin/").status_code == 302


def test_failures_on_one_door_lock_the_pair_on_every_door(client, admin_user):
    for door in (page_login, admin_login, api_login, page_login, api_login):
        door(client, admin_user.email, "mauvais")

    assert page_login(client, admin_user.email).status_code == 429
    assert admin_login(client, admin_user.email).status_code == 429
    refused = api_login(client, admin_user.email)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert api_login(client, admin_user.email, address="192.0.2.99").status_code == 200


def test_an_unknown_or_deactivated_account_is_counted_like_any_other(client, technician):
    technician.is_active = False
    technician.save()
    for _attempt in range(5):
        page_login(client, technician.email)

    assert page_login(client, technician.email).status_code == 429
    assert [page_login(client, "personne@igp.test", "x").status_code for _ in range(5)] == [200] * 4 + [429]


def test_an_administrator_unlocks_a_person_by_email_alone(client, technician):
    for address in ("192.0.2.1", "192.0.2.2"):
        for _attempt in range(5):
            page_login(client, technician.email, "mauvais", address=address)

    call_command("axes_reset_username", "JEAN@igp.test")

    assert page_login(Client(), technician.email, address="192.0.2.1").status_code == 302
    assert page_login(Client(), technician.email, address="192.0.2.2").status_code == 302


def test_an_administrator_unlocks_one_address_and_account(client, technician):
    for _attempt in range(5):
        page_login(client, technician.email, "mauvais")

    call_command("axes_reset_ip_username", ADDRESS, technician.email)

    assert page_login(client, technician.email).status_code == 302


def test_an_administrator_unlocks_an_address_locked_for_guessing_many_accounts(client, technician, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for n in range(3):
        page_login(client, f"inconnu{n}@igp.test", "x")
    assert page_login(client, technician.email).status_code == 429

    call_command("axes_reset_ip", ADDRESS)

    assert page_login(client, technician.email).status_code == 302


def test_a_failed_sign_in_is_not_counted_when_the_limit_is_off(client, technician, settings):
    settings.AXES_ENABLED = False
    answers = [page_login(client, technician.email, "mauvais").status_code for _ in range(6)]

    assert answers == [200] * 6


def test_a_lock_is_not_pushed_out_of_the_cache_by_many_other_counters(client, technician):
    for _attempt in range(5):
        page_login(client, technician.email, "mauvais")

    for n in range(400):  # Django's database cache deletes a third of its rows past 300 by default.
        caches["default"].set(f"zz-{n}", n)  # Sorted after the counters: a cull would take them first.

    assert page_login(client, technician.email).status_code == 429


def test_guessing_the_old_password_with_a_stolen_token_hits_the_same_limit(client, technician):
    token = api_login(client, technician.email).json()["access"]
    change = "/api/users/me/password"

    answers = [client.post(change, {"old_password": "mauvais", "new_password": "Un-nouveau-mot-2026"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                           REMOTE_ADDR=ADDRESS) for _ in range(6)]

    assert [a.status_code for a in answers[:4]] == [400] * 4
    assert {a.status_code for a in answers[4:]} == {429}
    assert answers[-1].json()["code"] == "throttled"
    right_old = client.post(change, {"old_password": PASSWORD, "new_password": "Un-nouveau-mot-2026"},
                            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ADDRESS)
    assert right_old.status_code == 429
    assert api_login(client, technician.email).status_code == 429
    technician.refresh_from_db()
    assert technician.check_password(PASSWORD)
