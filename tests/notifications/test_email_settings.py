"""EMAIL_URL (django-environ): printed to the console in development, a real SMTP server in production."""
import pytest

from tests.igp_maintenance.test_settings import PRODUCTION, manage

SHOW = "from django.conf import settings as s; print(s.EMAIL_BACKEND.rsplit('.', 2)[1], s.EMAIL_HOST, s.EMAIL_PORT, " \
       "s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT)"


@pytest.mark.parametrize("env, expected", [
    ({"DEBUG": "True"}, "console None None False 8.0"),
    ({"DEBUG": "True", "EMAIL_URL": ""}, "console None None False 8.0"),
    (PRODUCTION, "smtp localhost 25 False 8.0"),
    ({**PRODUCTION, "EMAIL_URL": ""}, "smtp localhost 25 False 8.0"),
    ({**PRODUCTION, "EMAIL_URL": "smtp+tls://igp:secret@smtp.example.com:587", "EMAIL_TIMEOUT": "5"},
     "smtp smtp.example.com 587 True 5.0"),
], ids=["development", "development-empty", "production", "production-empty", "production-smtp-tls"])
def test_the_email_backend_follows_email_url(env, expected):
    result = manage("shell", "-c", SHOW, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
