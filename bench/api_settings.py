"""Settings of the API benchmark only: the project's settings, plus a URLconf that
adds the bare Django view (bench/api_urls.py). Never used by the application."""
import os

os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)

from igp_maintenance.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.api_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
SECURE_SSL_REDIRECT = False  # Plain HTTP on 127.0.0.1.
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
