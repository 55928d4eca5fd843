"""A new password or a deactivation ends every token and session of the person, whatever the door."""
import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from tests.api.conftest import _fast_password_hashing  # noqa: F401  (autouse here too: MD5 in these tests)
from tests.conftest import PASSWORD

STRONG = "Vitre trempée 2025!"


def refreshes(token):
    return APIClient().post("/api/auth/refresh", {"refresh": str(token)}, format="json").status_code == 200


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def web_session_of(user):
    client = Client()
    client.force_login(user)
    return client


def signed_in_on_the_pages(client):
    return client.get(reverse("web:board")).status_code == 200


@pytest.fixture
def old_tokens(technician):
    """Two devices of the technician: two refresh tokens, one of them already rotated once."""
    first, second = RefreshToken.for_user(technician), RefreshToken.for_user(technician)
    return [first, second]


def test_a_password_reset_by_an_admin_through_the_api_revokes_every_refresh_token(
        admin_user, technician, old_tokens):
    response = api_as(admin_user).patch(f"/api/users/{technician.pk}", {"password": STRONG}, format="json")

    assert response.status_code == 200
    assert not any(refreshes(t) for t in old_tokens)
    assert APIClient().post("/api/auth/login", {"email": technician.email, "password": STRONG},
                            format="json").status_code == 200


def test_a_refresh_token_rotated_before_the_reset_is_revoked_too(admin_user, technician):
    response = APIClient().post("/api/auth/refresh", {"refresh": str(RefreshToken.for_user(technician))},
                                format="json")
    rotated = response.json()["refresh"]

    api_as(admin_user).patch(f"/api/users/{technician.pk}", {"password": STRONG}, format="json")

    assert not refreshes(rotated)


def test_an_access_token_stops_at_once_when_the_password_changes(admin_user, technician):
    client = api_as(technician)
    assert client.get("/api/auth/me").status_code == 200

    api_as(admin_user).patch(f"/api/users/{technician.pk}", {"password": STRONG}, format="json")

    assert client.get("/api/auth/me").status_code == 401


def test_deactivating_through_the_admins_user_form_revokes_the_tokens(client, admin_user, technician, old_tokens):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[technician.pk])
    response = client.post(url, {
        "email": technician.email, "first_name": technician.first_name, "last_name": technician.last_name,
        "role": technician.role, "date_joined_0": "2025-01-01", "date_joined_1": "08:00:00",
    })  # is_active left unticked.

    assert response.status_code == 302, response.content[:2000]
    assert not User.objects.get(pk=technician.pk).is_active
    assert not any(refreshes(t) for t in old_tokens)


def test_a_password_set_in_the_admins_password_form_revokes_the_tokens_and_other_sessions(
        client, admin_user, technician, old_tokens):
    other_device = web_session_of(technician)
    client.force_login(admin_user)

    response = client.post(reverse("admin:auth_user_password_change", args=[technician.pk]),
                           {"password1": STRONG, "password2": STRONG, "usable_password": "true"})

    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(pk=technician.pk).check_password(STRONG)
    assert not any(refreshes(t) for t in old_tokens)
    assert not signed_in_on_the_pages(other_device)
    assert signed_in_on_the_pages(client)  # The admin who did it is still signed in.


def test_a_password_set_from_the_shell_revokes_the_tokens(technician, old_tokens):
    technician.set_password(STRONG)
    technician.save()

    assert not any(refreshes(t) for t in old_tokens)


def test_deactivation_revokes_tokens_and_sessions_and_reactivation_revives_none(
        admin_user, technician, old_tokens):
    web = web_session_of(technician)
    admin_api = api_as(admin_user)

    admin_api.patch(f"/api/users/{technician.pk}", {"is_active": False}, format="json")
    admin_api.patch(f"/api/users/{technician.pk}", {"is_active": True}, format="json")

    assert User.objects.get(pk=technician.pk).is_active
    assert not any(refreshes(t) for t in old_tokens)
    assert not signed_in_on_the_pages(web)
    assert not Session.objects.exists()
    assert refreshes(RefreshToken.for_user(technician))  # A fresh sign-in works again.


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(client, supervisor):
    other_device = web_session_of(supervisor)
    client.force_login(supervisor)

    response = client.post(reverse("admin:password_change"), {
        "old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG})

    assert response.status_code == 302, response.content[:2000]
    assert signed_in_on_the_pages(client)
    assert not signed_in_on_the_pages(other_device)


def test_the_admins_password_form_without_the_old_one_is_not_for_ones_own_account(client, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("admin:auth_user_password_change", args=[supervisor.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change")


def test_nobody_changes_his_own_password_through_the_users_endpoint(supervisor, old_tokens):
    response = api_as(supervisor).patch(f"/api/users/{supervisor.pk}", {"password": STRONG}, format="json")

    assert response.status_code == 400
    assert "/api/users/me/password" in response.json()["errors"]["password"][0]
    assert User.objects.get(pk=supervisor.pk).check_password(PASSWORD)


def test_other_changes_to_a_person_revoke_nothing(admin_user, technician, old_tokens):
    api_as(admin_user).patch(f"/api/users/{technician.pk}", {"last_name": "Roy", "role": "team_leader"},
                             format="json")

    assert all(refreshes(t) for t in old_tokens)


def test_a_hash_upgrade_at_sign_in_is_not_a_password_change(technician):
    # A hash from an older hasher: Django re-hashes it on the next successful sign-in.
    technician.password = make_password(PASSWORD, hasher="pbkdf2_sha1")
    technician.save(update_fields=["password"])
    token = RefreshToken.for_user(technician)

    response = APIClient().post("/api/auth/login", {"email": technician.email, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert not User.objects.get(pk=technician.pk).password.startswith("pbkdf2_sha1$")
    assert APIClient().post("/api/auth/refresh", {"refresh": response.json()["refresh"]},
                            format="json").status_code == 200
    # The older token named the old hash: refused with a clear 401 rather than useless access tokens.
    assert not refreshes(token)
