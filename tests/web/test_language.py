"""Two languages on every page: French by default, English complete, the choice remembered per person.

The strong check reads the French source strings from the English catalogue and
fails if any of them shows on a page rendered in English: a string a template
forgot to mark, or an entry nobody translated, would show there in French.
"""
import gettext
import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.conftest import PASSWORD, make_user
from tickets import services
from tickets.models import Machine, Ticket

from .conftest import png_bytes

pytestmark = pytest.mark.django_db
BOARD = reverse("web:board")
MO = Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def french_fragments():
    """The French words of every catalogue entry whose English differs, cut at the placeholders.

    A fragment that also occurs in some English translation ("Page", "HTTP") proves nothing and is left out.
    """
    catalogue = gettext.GNUTranslations(MO.open("rb"))._catalog
    english = " ".join(str(v) for v in catalogue.values())
    fragments = set()
    for msgid, msgstr in catalogue.items():
        msgid = msgid[0] if isinstance(msgid, tuple) else msgid
        if not msgid or msgid == msgstr or "\x04" in msgid:
            continue
        for part in PLACEHOLDER.split(msgid):
            part = part.strip(" .:,;!?()«»—·→-\n")
            if len(part) >= 4 and re.search(r"[A-Za-zÀ-ÿ]", part) and part not in english:
                fragments.add(part)
    return fragments


def page_words(body):
    """What a person reads or hears: the text, and the labels screen readers and tooltips give.

    Elements marked with another `lang` (the switch's "Français") are meant to be in that language.
    """
    body = re.sub(r'<(?!html\b)(\w+)[^>]*\blang="fr"[^>]*>.*?</\1>', " ", body, flags=re.S)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"', body)
    text = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(" ".join([text, *attributes]))


def french_on(body, fragments):
    words = page_words(body)
    return sorted(f for f in fragments if re.search(rf"(?<![\w]){re.escape(f)}(?![\w])", words))


@pytest.fixture
def english_cast(db):
    """People and machines with English names, so any French on the page comes from us."""
    lead = make_user("ann@igp.test", Role.SUPERVISOR, "Ann", "Lead")
    tech = make_user("bob@igp.test", Role.TECHNICIAN, "Bob", "Smith")
    press = Machine.objects.create(machine_type="Press", model="P3", serial_number="P-3", location="Hall B")
    return lead, tech, press


def test_a_new_person_reads_french_even_with_an_english_browser(signed_in, technician):
    page = signed_in(technician, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(BOARD)
    assert '<html lang="fr">' in page.content.decode()
    assert "Tableau des tickets" in page.content.decode()


def test_the_switch_in_the_header_saves_english_on_the_person_and_comes_back_to_the_same_page(
        signed_in, technician):
    client = signed_in(technician)
    assert 'name="language" value="en"' in client.get(BOARD + "?priorite=high").content.decode()

    response = client.post(reverse("web:language"), {"language": "en", "next": BOARD + "?priorite=high"})

    assert response.status_code == 302 and response["Location"] == BOARD + "?priorite=high"
    technician.refresh_from_db()
    assert technician.language == "en"
    page = client.get(BOARD).content.decode()
    assert '<html lang="en">' in page and "Ticket board" in page
    assert '<span class="sr-only">Français</span></button>' in page  # the way back, in its own language


def test_the_choice_follows_the_person_to_another_browser_and_after_sign_out(technician):
    technician.language = "en"
    technician.save(update_fields=["language"])
    client = Client()
    assert "Sign in" not in client.get(reverse("web:login")).content.decode()  # a new browser: French

    client.post(reverse("web:login"), {"username": technician.email, "password": PASSWORD})
    assert "Ticket board" in client.get(BOARD).content.decode()
    client.post(reverse("web:logout"))
    assert "Sign in" in client.get(reverse("web:login")).content.decode()  # the sign-in page stays English


def test_the_admins_switch_saves_the_choice_on_the_person_too(signed_in, supervisor):
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    client = signed_in(supervisor)
    client.post(reverse("set_language"), {"language": "fr", "next": "/admin/"})
    supervisor.refresh_from_db()
    assert supervisor.language == "fr"
    assert "Tableau des tickets" in client.get(BOARD).content.decode()


def test_an_anonymous_visitor_can_switch_the_sign_in_page():
    client = Client()
    client.post(reverse("web:language"), {"language": "en", "next": reverse("web:login")})
    assert "Sign in" in client.get(reverse("web:login")).content.decode()


def test_the_switch_refuses_a_language_we_do_not_have(signed_in, technician):
    client = signed_in(technician)
    client.post(reverse("web:language"), {"language": "xx", "next": BOARD})
    technician.refresh_from_db()
    assert technician.language == ""
    assert "Tableau des tickets" in client.get(BOARD).content.decode()


def test_english_pages_contain_no_french_string_from_our_catalogue(signed_in, english_cast, operator, settings,
                                                                  tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lead, tech, press = english_cast
    lead.language = "en"
    lead.save(update_fields=["language"])
    now = timezone.now()
    late = Ticket.objects.create(title="Noisy bearing", description="Left side", machine=press, reporter=lead,
                                 priority=Ticket.Priority.CRITICAL, scheduled_date=now - timedelta(days=2, hours=3))
    services.ticket_assign(ticket=late, by=lead, team=True, technician=None)
    services.ticket_move(ticket=late, to_status=Ticket.Status.DIAGNOSTIC, by=lead)
    services.comment_add(ticket=late, author=lead, body="Checked")
    services.ticket_schedule(ticket=late, by=lead, scheduled_date=now - timedelta(hours=5))
    from django.core.files.uploadedfile import SimpleUploadedFile
    services.media_add(ticket=late, upload=SimpleUploadedFile("bearing.png", png_bytes(), "image/png"), by=lead)
    Ticket.objects.create(title="Belt", machine=press, reporter=lead, status=Ticket.Status.ARCHIVED, assigned_to=tech)
    Ticket.objects.create(title="Oil", machine=press, reporter=lead, assigned_to=tech,
                          scheduled_date=now + timedelta(days=1))
    client = signed_in(lead)
    ticket_url = late.get_absolute_url()
    pages = {
        "board": client.get(BOARD),
        "board filtered": client.get(BOARD, {"vue": "mine", "priorite": "critical", "q": "bearing"}),
        "archives": client.get(BOARD, {"colonne": "archived"}),
        "ticket": client.get(ticket_url),
        "report": client.get(reverse("web:report")),
        "report refused": client.post(reverse("web:report"), {"title": ""}),
        "empty comment": client.post(reverse("web:ticket-comment", args=[late.ticket_id]), {"body": "  "},
                                     follow=True),
        "no file": client.post(reverse("web:ticket-media-upload", args=[late.ticket_id]), {}, follow=True),
        "moved": client.post(reverse("web:ticket-move", args=[late.ticket_id]),
                             {"status": Ticket.Status.IN_PROGRESS, "from_status": late.status}, follow=True),
        "not found": client.get(reverse("web:ticket-detail", args=["IGP-NOPE"])),
    }
    fragments = french_fragments()
    assert len(fragments) > 200  # the check reads the real catalogue
    found = {name: french_on(r.content.decode(), fragments) for name, r in pages.items()}
    assert found == {name: [] for name in pages}
    assert all('<html lang="en">' in r.content.decode() for r in pages.values())
    # The same check sees French when there is some: the operator's pages are still in French.
    assert "Signaler un problème" in french_on(signed_in(operator).get(BOARD).content.decode(), fragments)
