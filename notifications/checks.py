"""System checks of the notifications app.

notifications.E001 — Web Push is not configured while DEBUG=False. A deploy check
(`manage.py check --deploy`, which must print nothing in production): it does not
stop `migrate` or the overdue scan, so webhooks and e-mails keep going out while
the sysadmin adds the keys; the scan logs the same line (`notifications.push.problem`).
notifications.E002 — keys are set but unusable (a truncated copy, two keys from
different pairs): an error on every command, whatever DEBUG says, since someone
meant to turn push on and every push would be refused.
"""
from django.conf import settings
from django.core import checks


def _all_set():
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY and settings.VAPID_SUBJECT)


@checks.register(checks.Tags.security, deploy=True)
def web_push_configured_in_production(app_configs, **kwargs):
    from .push import problem

    if settings.DEBUG or _all_set():
        return []
    return [checks.Error(problem(), hint="python manage.py generate_vapid_keys --subject mailto:vous@usine.example",
                         id="notifications.E001")]


@checks.register()
def web_push_keys_usable(app_configs, **kwargs):
    from .push import problem

    if not _all_set():
        return []
    text = problem()
    if not text:
        return []
    return [checks.Error(text, hint="python manage.py generate_vapid_keys", id="notifications.E002")]
