#!/usr/bin/env python
"""Django's command-line utility for IGP Maintenance.

A missing or unsafe setting (igp_maintenance/settings.py raises ImproperlyConfigured)
is one French line on stderr and exit 2, never a traceback: cron mails that line to
the sysadmin, and it says what to put in the settings file.
"""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igp_maintenance.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 -- loads the settings here, where their error can be caught.
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration incomplète : {exc}\n")
        sys.exit(2)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
