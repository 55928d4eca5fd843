"""Any JSON body, however deep, malformed or huge, is a 400 with our error body: never a 500."""
import pytest

from api.parsers import MAX_DEPTH

LOGIN = "/api/auth/login"


def nested(levels, inner=b"1"):
    return b'{"email": "a", "password": ' + b"[" * levels + inner + b"]" * levels + b"}"


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 1_000, 100_000])
def test_a_deeply_nested_body_to_the_open_login_is_a_400_with_our_error_body(anonymous, db, levels):
    response = anonymous.generic("POST", LOGIN, nested(levels), content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["code"] == "parse_error"
    assert "imbriqué" in body["detail"]
    assert body["hint"]


def test_a_reasonably_nested_body_is_still_read(client_for, operator, machine):
    body = b'{"machine": %d, "title": "Fuite", "extra": ' % machine.pk + b"[" * 20 + b"]" * 20 + b"}"

    response = client_for(operator).generic("POST", "/api/tickets", body, content_type="application/json")

    assert response.status_code == 201


@pytest.mark.parametrize("content", [
    b"\xff\xfe\x00",  # Not UTF-8.
    b'{"email": "a", "password": ' + b"9" * 100_000 + b"}",  # A number too long to convert.
    b'{"email": "a", "password": NaN}',  # Not JSON, though Python would accept it.
    b'{"email": "a", "password": Infinity}',
    b'{"email": "a"' + b" " * 10_000,  # Truncated.
    b'{"email": "\\ud800", "password": "x"}',  # A lone surrogate.
    b'{"a": {"b": ' * 50 + b"1" + b"}" * 100,  # Deep objects.
])
def test_malformed_bodies_to_the_open_login_are_a_400(anonymous, db, content):
    response = anonymous.generic("POST", LOGIN, content, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert response.json()["status"] == 400


@pytest.mark.parametrize("path", ["/api/auth/refresh", "/api/auth/logout", "/api/tickets", "/api/users/me/password"])
def test_every_json_endpoint_refuses_a_too_deep_body_with_a_400(client_for, supervisor, path):
    response = client_for(supervisor).generic("POST", path, b"[" * 5_000 + b"]" * 5_000,
                                              content_type="application/json")

    assert response.status_code == 400
