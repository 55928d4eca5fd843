"""Signing in, staying signed in, signing out."""
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.roles import Role
from tests.conftest import PASSWORD

LOGIN = "/api/auth/login"


def login(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", **extra)


def test_signing_in_gives_tokens_and_the_user_with_role_and_permissions(anonymous, technician):
    response = login(anonymous, "JEAN@igp.test")  # The address is not case-sensitive.

    assert response.status_code == 200
    body = response.json()
    assert body["access"] and body["refresh"]
    assert body["user"]["email"] == "jean@igp.test"
    assert body["user"]["role"] == "technician"
    assert "tickets.move_ticket" in body["user"]["permissions"]
    assert "tickets.delete_ticket" not in body["user"]["permissions"]


def test_the_access_token_opens_the_api_and_me_says_who_is_signed_in(anonymous, technician):
    access = login(anonymous, technician.email).json()["access"]
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = anonymous.get("/api/auth/me")

    assert response.status_code == 200
    assert response.json()["full_name"] == "Jean Technicien"


def test_a_wrong_password_is_a_401_that_says_what_to_do(anonymous, technician):
    response = login(anonymous, technician.email, "pas le bon")

    assert response.status_code == 401
    assert "incorrect" in response.json()["detail"]
    assert "/api/auth/login" in response.json()["hint"]


def test_an_inactive_user_cannot_sign_in(anonymous, technician):
    technician.is_active = False
    technician.save()

    assert login(anonymous, technician.email).status_code == 401


def test_a_deactivated_users_token_stops_working_at_once(client_for, technician):
    client = client_for(technician)
    technician.is_active = False
    technician.save()

    assert client.get("/api/auth/me").status_code == 401


def test_the_access_token_carries_the_users_id_but_no_role_or_permission(anonymous, supervisor):
    access = login(anonymous, supervisor.email).json()["access"]

    claims = AccessToken(access).payload

    assert claims["user_id"] == str(supervisor.pk)
    # hash_password: a digest of the password hash, so a new password stops the token at once.
    assert set(claims) == {"token_type", "exp", "iat", "jti", "user_id", "hash_password"}


def test_a_role_change_takes_effect_on_the_next_request(client_for, technician, make_ticket):
    ticket = make_ticket()
    client = client_for(technician)
    assert client.get("/api/users").status_code == 403

    technician.role = Role.SUPERVISOR
    technician.save()

    assert client.get("/api/users").status_code == 200
    assert "accounts.view_user" in client.get("/api/auth/me").json()["permissions"]
    assert ticket


def test_access_tokens_are_short_lived(anonymous, technician, settings):
    access = login(anonymous, technician.email).json()["access"]
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    with time_machine.travel(timezone.now() + settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] + timedelta(seconds=5)):
        response = anonymous.get("/api/auth/me")

    assert response.status_code == 401
    assert "/api/auth/refresh" in response.json()["detail"]


def test_a_refresh_token_gives_new_tokens_and_works_only_once(anonymous, technician):
    refresh = login(anonymous, technician.email).json()["refresh"]

    first = anonymous.post("/api/auth/refresh", {"refresh": refresh}, format="json")
    again = anonymous.post("/api/auth/refresh", {"refresh": refresh}, format="json")

    assert first.status_code == 200
    assert first.json()["refresh"] != refresh
    assert again.status_code == 401
    assert anonymous.post("/api/auth/refresh", {"refresh": first.json()["refresh"]}, format="json").status_code == 200


def test_a_refresh_token_of_a_deactivated_or_deleted_user_is_refused(anonymous, technician, operator):
    refresh_tech = str(RefreshToken.for_user(technician))
    refresh_op = str(RefreshToken.for_user(operator))
    technician.is_active = False
    technician.save()
    operator.delete()

    assert anonymous.post("/api/auth/refresh", {"refresh": refresh_tech}, format="json").status_code == 401
    assert anonymous.post("/api/auth/refresh", {"refresh": refresh_op}, format="json").status_code == 401


def test_signing_out_blacklists_the_refresh_token(anonymous, technician):
    refresh = login(anonymous, technician.email).json()["refresh"]

    assert anonymous.post("/api/auth/logout", {"refresh": refresh}, format="json").status_code == 204
    assert anonymous.post("/api/auth/refresh", {"refresh": refresh}, format="json").status_code == 401


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 5000])
def test_garbage_tokens_are_refused_cleanly(db, anonymous, token):
    for path in ("/api/auth/refresh", "/api/auth/logout"):
        response = anonymous.post(path, {"refresh": token}, format="json")
        assert response.status_code in (400, 401)
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anonymous.get("/api/auth/me").status_code == 401


# --- The sign-in limit (accounts/signin_limit.py; every door: tests/accounts/test_signin_limit.py) ---
def test_five_failed_sign_ins_lock_the_pair_for_the_cool_off_even_with_the_right_password(anonymous, technician):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _attempt in range(4):
            assert login(anonymous, technician.email, "mauvais").status_code == 401
        assert login(anonymous, technician.email, "mauvais").status_code == 429

        locked = login(anonymous, technician.email)
        assert locked.status_code == 429
        assert int(locked["Retry-After"]) == 900
        assert "900 secondes" in locked.json()["detail"]
        assert locked.json()["retry_after"] == 900
        assert locked.json()["code"] == "throttled"

        traveller.shift(600)
        assert int(login(anonymous, technician.email)["Retry-After"]) == 300
        traveller.shift(301)
        assert login(anonymous, technician.email).status_code == 200


def test_a_lock_holds_one_address_not_the_person_elsewhere_nor_the_others(anonymous, technician, technician2):
    for _attempt in range(5):
        login(anonymous, technician.email, "mauvais", REMOTE_ADDR="10.0.0.1")

    assert login(anonymous, technician.email, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert login(anonymous, technician.email, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert login(anonymous, technician2.email, REMOTE_ADDR="10.0.0.1").status_code == 200


def test_the_address_is_counted_whatever_its_case(anonymous, technician):
    for email in ["JEAN@igp.test", "Jean@IGP.test", " jean@igp.test", "jean@igp.TEST", "jean@igp.test"]:
        login(anonymous, email, "mauvais")

    assert login(anonymous, "jean@igp.test").status_code == 429


def test_one_address_guessing_many_accounts_is_locked_after_the_address_limit(anonymous, technician, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for n in range(2):
        assert login(anonymous, f"inconnu{n}@igp.test", "x", REMOTE_ADDR="10.0.0.9").status_code == 401
    assert login(anonymous, "inconnu2@igp.test", "x", REMOTE_ADDR="10.0.0.9").status_code == 429

    assert login(anonymous, technician.email, REMOTE_ADDR="10.0.0.9").status_code == 429
    assert login(anonymous, technician.email, REMOTE_ADDR="10.0.0.10").status_code == 200


def test_a_successful_sign_in_forgets_earlier_failures_of_the_pair(anonymous, technician):
    for _attempt in range(4):
        login(anonymous, technician.email, "mauvais")
    assert login(anonymous, technician.email).status_code == 200

    for _attempt in range(4):
        assert login(anonymous, technician.email, "mauvais").status_code == 401


def test_the_throttle_message_is_english_when_asked(anonymous, technician):
    for _attempt in range(5):
        login(anonymous, technician.email, "mauvais")

    response = login(anonymous, technician.email, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]


# --- Own password --------------------------------------------------------------------
def test_a_user_changes_his_password_with_the_old_one(anonymous, client_for, operator):
    client = client_for(operator)
    response = client.post("/api/users/me/password",
                           {"old_password": PASSWORD, "new_password": "Vitre trempée 2025!"}, format="json")

    assert response.status_code == 204
    assert login(anonymous, operator.email, "Vitre trempée 2025!").status_code == 200
    assert login(anonymous, operator.email).status_code == 401


def test_changing_the_password_needs_the_right_old_one_and_a_strong_new_one(client_for, operator):
    client = client_for(operator)
    response = client.post("/api/users/me/password", {"old_password": "faux", "new_password": "123"}, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["old_password"] == ["L'ancien mot de passe est incorrect."]
    assert errors["new_password"]


def test_a_new_password_signs_out_the_other_sessions(anonymous, client_for, operator):
    refresh = login(anonymous, operator.email).json()["refresh"]
    client_for(operator).post("/api/users/me/password",
                              {"old_password": PASSWORD, "new_password": "Vitre trempée 2025!"}, format="json")

    assert anonymous.post("/api/auth/refresh", {"refresh": refresh}, format="json").status_code == 401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_uses_of_one_refresh_token_give_new_tokens_to_only_one(technician):
    refresh = str(RefreshToken.for_user(technician))
    barrier = threading.Barrier(2)
    answers = []

    def use_it():
        try:
            client = APIClient()
            barrier.wait()
            answers.append(client.post("/api/auth/refresh", {"refresh": refresh}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=use_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [200, 401]


def test_behind_a_proxy_each_client_is_counted_by_its_forwarded_address(anonymous, technician, settings):
    settings.NUM_PROXIES = 1
    for _attempt in range(5):
        login(anonymous, technician.email, "x", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")

    blocked = login(anonymous, technician.email, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    other_client = login(anonymous, technician.email, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert blocked.status_code == 429
    assert other_client.status_code == 200


def test_without_a_proxy_a_forged_forwarded_address_does_not_escape_the_lock(anonymous, technician, settings):
    settings.NUM_PROXIES = 0
    for n in range(5):
        login(anonymous, technician.email, "x", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert login(anonymous, technician.email, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429
