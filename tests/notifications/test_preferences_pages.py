"""What a person chooses to receive: the preferences page, and the one-click link of the e-mails."""
from datetime import time, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from notifications.models import Channel, Kind, NotificationPreference
from notifications.preferences import preference_for, preferences_token
from notifications.transports.email import preferences_url
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
PREFS = reverse("notifications:preferences")


def form_of(pref, **changes):
    """The form as the page shows it for `pref`, with `changes` ("kind:channel": bool, quiet_start: "22:00")."""
    data = {f"{k}:{c}": "on" for k, _label, on in pref.matrix() for c, v in on.items() if v}
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    data.setdefault("quiet_start", pref.quiet_start.strftime("%H:%M") if pref.quiet_start else "")
    data.setdefault("quiet_end", pref.quiet_end.strftime("%H:%M") if pref.quiet_end else "")
    return data


def key(kind, channel):
    return f"{kind}:{channel}"


def test_the_page_shows_the_defaults_a_box_per_kind_and_channel(signed_in, technician):
    response = signed_in(technician).get(PREFS)
    page = response.content.decode()
    assert page.count('type="checkbox"') == len(Kind.values) * len(Channel.values)
    assert f'name="{key(Kind.TICKET_OVERDUE, Channel.EMAIL)}" id="id_{key(Kind.TICKET_OVERDUE, Channel.EMAIL)}"' \
           ' checked' in page
    assert f'name="{key(Kind.TICKET_ASSIGNED, Channel.EMAIL)}" id="id_{key(Kind.TICKET_ASSIGNED, Channel.EMAIL)}">' \
           in page
    assert "Les tickets critiques passent quand même." in page
    assert "La cloche garde toujours tout." in page
    # Where h4's "this device" push switch goes.
    assert "notifications/_push_device.html" in [t.name for t in response.templates]


def test_saving_stores_the_choices_and_quiet_hours_and_shows_them_again(signed_in, technician):
    client = signed_in(technician)
    data = form_of(preference_for(technician), quiet_start="22:00", quiet_end="06:00",
                   **{key(Kind.TICKET_ASSIGNED, Channel.EMAIL): True, key(Kind.TICKET_COMPLETED, Channel.PUSH): False})

    response = client.post(PREFS, data, follow=True)

    assert "Préférences enregistrées." in response.content.decode()
    pref = NotificationPreference.objects.get(user=technician)
    assert pref.wants(Kind.TICKET_ASSIGNED, Channel.EMAIL) and not pref.wants(Kind.TICKET_COMPLETED, Channel.PUSH)
    assert pref.wants(Kind.TICKET_OVERDUE, Channel.EMAIL)  # untouched
    assert (pref.quiet_start, pref.quiet_end) == (time(22), time(6))
    page = response.content.decode()
    assert 'value="22:00"' in page and 'value="06:00"' in page
    assert f'id="id_{key(Kind.TICKET_ASSIGNED, Channel.EMAIL)}" checked' in page


@pytest.mark.parametrize("start, end, message", [
    ("22:00", "", "Indiquez le début et la fin des heures de silence, ou aucun des deux."),
    ("07:00", "07:00", "Le début et la fin des heures de silence doivent être différents."),
    ("25:00", "06:00", "Saisissez une heure valide."),
])
def test_bad_quiet_hours_are_refused_with_a_clear_message_and_nothing_saved(signed_in, technician, start, end,
                                                                           message):
    response = signed_in(technician).post(PREFS, form_of(preference_for(technician), quiet_start=start,
                                                         quiet_end=end))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=technician).exists()


def test_the_english_page_speaks_english(signed_in, technician):
    client = signed_in(technician)
    client.cookies["django_language"] = "en"
    response = client.post(PREFS, form_of(preference_for(technician), quiet_start="22:00", quiet_end=""))
    assert "Give both the start and the end of the quiet hours, or neither." in response.content.decode()


# --- The one-click link of the e-mails ---------------------------------------------------------
def test_the_link_in_an_email_names_its_kind(technician):
    url = preferences_url(technician, Kind.TICKET_OVERDUE)
    assert url.endswith(f"?kind={Kind.TICKET_OVERDUE}") and "/notifications/preferences/" in url


def test_the_link_shows_the_persons_preferences_without_signing_in(client, technician):
    url = reverse("notifications:preferences-token", args=[preferences_token(technician)])
    page = client.get(url, {"kind": Kind.TICKET_OVERDUE}).content.decode()
    assert "Ce que Jean Technicien reçoit, et quand." in page
    assert "Ne plus recevoir « Ticket en retard » par courriel" in page
    assert page.count('type="checkbox"') == len(Kind.values) * len(Channel.values)


def test_one_click_turns_that_kind_off_by_email_only_and_undo_turns_it_back_on(client, technician):
    url = reverse("notifications:preferences-token", args=[preferences_token(technician)])

    page = client.post(url + f"?kind={Kind.TICKET_OVERDUE}", {"kind": Kind.TICKET_OVERDUE, "switch": "off"})

    assert "C'est fait : vous ne recevrez plus « Ticket en retard » par courriel." in page.content.decode()
    pref = preference_for(technician)
    assert not pref.wants(Kind.TICKET_OVERDUE, Channel.EMAIL)
    assert pref.wants(Kind.TICKET_OVERDUE, Channel.PUSH)  # only the e-mail

    page = client.post(url, {"kind": Kind.TICKET_OVERDUE, "switch": "on"})

    assert "C'est annulé : vous recevez de nouveau « Ticket en retard » par courriel." in page.content.decode()
    assert preference_for(technician).wants(Kind.TICKET_OVERDUE, Channel.EMAIL)


def test_one_click_keeps_the_quiet_hours_and_other_choices(client, technician):
    from notifications.preferences import preference_set

    preference_set(user=technician, choices={(Kind.TICKET_ASSIGNED, Channel.EMAIL): True},
                   quiet_start=time(22), quiet_end=time(6))
    url = reverse("notifications:preferences-token", args=[preferences_token(technician)])
    client.post(url, {"kind": Kind.TICKET_OVERDUE, "switch": "off"})
    pref = preference_for(technician)
    assert pref.wants(Kind.TICKET_ASSIGNED, Channel.EMAIL) and (pref.quiet_start, pref.quiet_end) == (time(22), time(6))


def test_opening_the_link_changes_nothing(client, technician):
    """Mail scanners open every link: only the button's POST switches anything off."""
    url = reverse("notifications:preferences-token", args=[preferences_token(technician)])
    client.get(url, {"kind": Kind.TICKET_OVERDUE, "switch": "off"})
    assert not NotificationPreference.objects.filter(user=technician).exists()


def test_the_whole_form_saves_through_the_link_too(client, technician):
    url = reverse("notifications:preferences-token", args=[preferences_token(technician)])
    response = client.post(url, form_of(preference_for(technician), quiet_start="21:30", quiet_end="05:45"))
    assert "Préférences enregistrées." in response.content.decode()
    assert preference_for(technician).quiet_start == time(21, 30)


def test_an_expired_link_says_so_and_changes_nothing(client, technician, settings):
    settings.NOTIFICATIONS_PREFERENCES_TOKEN_DAYS = 60
    with time_machine.travel(NOW - timedelta(days=61), tick=False):
        token = preferences_token(technician)
    with time_machine.travel(NOW, tick=False):
        url = reverse("notifications:preferences-token", args=[token])
        response = client.post(url, {"kind": Kind.TICKET_OVERDUE, "switch": "off"})
    assert response.status_code == 410
    assert "Ce lien a expiré." in response.content.decode()
    assert not NotificationPreference.objects.filter(user=technician).exists()


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "abc", lambda t: "pas-un-jeton", lambda t: t + "x"])
def test_a_forged_link_says_so_and_is_not_a_500(client, technician, mangle):
    url = reverse("notifications:preferences-token", args=[mangle(preferences_token(technician))])
    response = client.get(url)
    assert response.status_code == 404
    assert "Ce lien n'est pas valable" in response.content.decode()
    assert "Jean" not in response.content.decode()


def test_a_link_of_a_disabled_account_opens_nothing(client, technician):
    token = preferences_token(technician)
    technician.is_active = False
    technician.save()
    response = client.get(reverse("notifications:preferences-token", args=[token]))
    assert response.status_code == 404


def test_the_email_carries_the_link_with_its_kind(technician, make_ticket, settings):
    """The e-mail's "change what I receive" link opens the page with its kind's one-click button."""
    from notifications.fanout import notify, ticket_params
    from notifications.models import Delivery
    from notifications.transports.email import build

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ticket = make_ticket()
    [notification] = notify(Kind.TICKET_OVERDUE, recipients=[technician], ticket=ticket,
                            params=ticket_params(ticket), key="k", channels=[Channel.EMAIL])
    delivery = Delivery.objects.select_related("person_notification__recipient").get(
        person_notification=notification)
    message = build(delivery)
    assert f"?kind={Kind.TICKET_OVERDUE}" in message.extra_headers["List-Unsubscribe"]
    assert mail.outbox == []
