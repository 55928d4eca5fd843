"""WSGI entry point, served by gunicorn in production (see README).

A missing setting is one French line in the journal, and exit code 4: gunicorn
reads it as "App failed to load" and stops, instead of restarting workers that
would each fail with a traceback.
"""
import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igp_maintenance.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    sys.stderr.write(f"Configuration incomplète : {exc}\n")
    sys.exit(4)  # gunicorn's APP_LOAD_ERROR.
