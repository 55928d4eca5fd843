"""Every error is JSON that says what to do, in French unless English is asked for."""
import pytest

from tests.api.conftest import ticket_url


def test_a_400_lists_the_problems_field_by_field_in_french(client_for, operator):
    response = client_for(operator).post("/api/tickets", {"priority": "urgentissime"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["detail"] == "Certaines valeurs envoyées sont invalides."
    assert body["errors"]["machine"] == ["Ce champ est obligatoire."]
    assert body["errors"]["title"] == ["Ce champ est obligatoire."]
    assert "urgentissime" in body["errors"]["priority"][0]
    assert body["hint"] == "Corrigez les champs indiqués dans « errors » puis renvoyez la requête."


def test_accept_language_en_gives_the_same_errors_in_english(client_for, operator):
    response = client_for(operator, HTTP_ACCEPT_LANGUAGE="en").post("/api/tickets", {}, format="json")

    body = response.json()
    assert body["detail"] == "Some of the values sent are invalid."
    assert body["errors"]["title"] == ["This field is required."]
    assert body["hint"] == "Correct the fields listed in “errors” and send the request again."


def test_messages_of_the_workshop_rules_are_translated_too(client_for, technician, make_ticket):
    ticket = make_ticket()

    response = client_for(technician, HTTP_ACCEPT_LANGUAGE="en").delete(ticket_url(ticket))

    assert response.status_code == 403
    assert response.json()["detail"] == "Only supervisors and administrators delete a ticket."


def test_a_401_says_how_to_sign_in(anonymous, db):
    response = anonymous.get("/api/tickets")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "POST /api/auth/login" in response.json()["hint"]


def test_a_404_does_not_say_whether_the_ticket_exists(client_for, operator, operator2, make_ticket):
    theirs = make_ticket(reporter=operator2)
    client = client_for(operator)

    hidden = client.get(ticket_url(theirs)).json()
    missing = client.get("/api/tickets/IGP-N-EXISTE-PAS").json()

    assert hidden == missing
    assert missing["status"] == 404 and missing["hint"]


def test_an_unknown_api_address_is_a_json_404(client_for, operator):
    response = client_for(operator).get("/api/nulle-part")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("content", [b"{", b"[1, 2", b"\xff\xfe", b'{"title": ' + b"9" * 5000 + b"}", b"null",
                                     b"[]", b'"texte"'])
def test_malformed_json_is_a_400_never_a_500(client_for, operator, content):
    response = client_for(operator).generic("POST", "/api/tickets", content, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_unsupported_body_type_is_a_415_saying_what_to_send(client_for, operator):
    response = client_for(operator).generic("POST", "/api/tickets", b"<xml/>", content_type="application/xml")

    assert response.status_code == 415
    assert "application/json" in response.json()["hint"]


def test_a_wrong_method_is_a_405(client_for, operator):
    response = client_for(operator).put("/api/tickets", {}, format="json")

    assert response.status_code == 405
    assert "/api/docs/" in response.json()["hint"]


@pytest.mark.parametrize("query", ["status=bogus", "overdue=peut-etre", "machine=abc", "scheduled_after=hier",
                                   "page=abc", "page=999", "page_size=-1", "ordering=mot_de_passe",
                                   "scheduled_after=0001-01-01T00:00:00-05:00",
                                   "created_before=9999-12-31T23:59:59-05:00",
                                   "assigned_to=99999999999999999999999"])
def test_odd_query_strings_never_cause_a_server_error(client_for, supervisor, make_ticket, query):
    make_ticket()

    response = client_for(supervisor).get(f"/api/tickets?{query}")

    assert response.status_code in (200, 400, 404)
    assert response.json()


@pytest.mark.parametrize("path", ["/api/machines/abc", "/api/users/abc", "/api/machines/99999999999999999999999",
                                  "/api/media/99999999999999999999999/download"])
def test_odd_identifiers_are_404(client_for, admin_user, path):
    assert client_for(admin_user).get(path).status_code == 404
