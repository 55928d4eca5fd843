import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_board_sends_a_stranger_to_the_sign_in_page(client):
    response = client.get(reverse("web:board"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_the_sign_in_page_speaks_french_and_labels_its_fields(client):
    page = client.get(reverse("web:login")).content.decode()
    assert "Connexion" in page
    assert '<label for="id_username">Adresse courriel' in page
    assert '<label for="id_password">Mot de passe' in page
    assert "Mot de passe oublié" in page
    assert "csrfmiddlewaretoken" in page


def test_a_technician_signs_in_with_his_email_and_lands_on_the_board(client, technician):
    response = client.post(reverse("web:login"), {"username": "JEAN@igp.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:board")
    assert client.get(reverse("web:board")).status_code == 200


def test_a_wrong_password_is_refused_in_french(client, technician):
    response = client.post(reverse("web:login"), {"username": "jean@igp.test", "password": "nope"})
    assert response.status_code == 200
    assert "Adresse courriel ou mot de passe incorrect." in response.content.decode()


def test_signing_out_takes_a_post_and_ends_the_session(signed_in, technician):
    client = signed_in(technician)
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:board")).status_code == 302


def test_forms_are_refused_without_their_csrf_token(signed_in, technician):
    client = signed_in(technician, enforce_csrf_checks=True)
    assert client.post(reverse("web:report"), {"title": "x"}).status_code == 403
