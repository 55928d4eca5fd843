"""Several photos and videos from the pages, thumbnails, the card's count, deleting one's own file
(issue 11 item 10). The browser side is in test_browser_media.py."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.tickets.test_media import phone_jpeg
from tests.web.test_board import _bulk_open_tickets
from tickets import services
from tickets.models import Media, Ticket, TimelineEntry

from .conftest import png_bytes

pytestmark = pytest.mark.django_db
REPORT = reverse("web:report")


def url(name, ticket, **kwargs):
    return reverse(f"web:{name}", kwargs={"ticket_id": ticket.ticket_id, **kwargs})


def photos(*names):
    return [SimpleUploadedFile(name, png_bytes(40 + n, 30)) for n, name in enumerate(names)]


def test_a_report_carries_three_photos_each_with_its_thumbnail(signed_in, operator, machine):
    response = signed_in(operator).post(REPORT, {
        "machine": machine.pk, "title": "Vitre fissurée", "priority": "medium",
        "file": photos("a.png", "b.png", "c.png"),
    }, follow=True)

    ticket = Ticket.objects.get()
    assert [m.original_name for m in ticket.media.all()] == ["a.png", "b.png", "c.png"]
    page = response.content.decode()
    thumbs = re.findall(r'<img src="([^"]+/miniature/)"[^>]*loading="lazy"[^>]*width="(\d+)" height="(\d+)"', page)
    assert [(w, h) for _src, w, h in thumbs] == [("40", "30"), ("41", "30"), ("42", "30")]
    assert ticket.timeline.filter(action=TimelineEntry.Action.MEDIA_ADDED).count() == 3


def test_a_report_with_one_bad_file_keeps_the_text_names_the_file_and_creates_nothing(signed_in, operator, machine):
    response = signed_in(operator).post(REPORT, {
        "machine": machine.pk, "title": "Vitre fissurée", "description": "Côté four, en bas à gauche.",
        "priority": "high", "file": [*photos("a.png"), SimpleUploadedFile("rapport.pdf", b"%PDF-1.4 pas une photo"),
                                     *photos("b.png")],
    })

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(r'<div id="id_file_error" role="alert">(.*?)</div>', page, re.S).group(1)
    assert "« rapport.pdf » : Seules les photos et les vidéos sont acceptées." in error
    assert "votre texte est conservé : choisissez de nouveau les photos" in error
    assert 'value="Vitre fissurée"' in page and "Côté four, en bas à gauche." in page
    assert re.search(r'<option value="high" selected>', page)
    assert re.search(r'<input type="file" name="file"[^>]*aria-invalid="true"', page)
    assert not Ticket.objects.exists() and not Media.objects.exists()


def test_the_ticket_page_takes_several_files_at_once(signed_in, technician, make_ticket):
    ticket = make_ticket()
    response = signed_in(technician).post(url("ticket-media-upload", ticket),
                                          {"file": photos("a.png", "b.png"), "camera": photos("cam.png")[0]},
                                          follow=True)
    assert "3 fichiers ajoutés : cam.png, a.png, b.png." in response.content.decode()
    assert ticket.media.count() == 3


def test_a_bad_file_on_the_ticket_page_is_named_and_nothing_is_kept(signed_in, technician, make_ticket, settings):
    settings.MEDIA_MAX_PHOTO_BYTES = 200
    ticket = make_ticket()
    big = SimpleUploadedFile("grande.jpg", phone_jpeg())
    response = signed_in(technician).post(url("ticket-media-upload", ticket),
                                          {"file": [*photos("a.png"), big]}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == ticket.get_absolute_url() + "#photos"
    assert "« grande.jpg » : Fichier trop volumineux" in page
    assert "Aucun fichier n&#x27;a été enregistré : choisissez-les de nouveau, sans ceux refusés." in page
    assert not ticket.media.exists()


def test_the_form_says_the_caps_and_opens_both_camera_and_gallery(signed_in, technician, make_ticket):
    page = signed_in(technician).get(make_ticket().get_absolute_url()).content.decode()
    assert re.search(r'<input type="file" name="file" accept="image/\*,video/\*" multiple', page)
    assert re.search(r'<input type="file" name="camera" accept="image/\*" capture="environment"', page)
    assert "Jusqu&#x27;à 10 fichiers à la fois, 100,0\xa0Mio en tout ; une photo 10,0\xa0Mio au plus" in page


def test_a_thumbnail_is_served_to_who_may_see_the_ticket_and_kept_a_day_by_the_phone(
        signed_in, operator, technician, make_ticket):
    ticket = make_ticket()
    media = services.media_add(ticket=ticket, upload=photos("a.png")[0], by=technician)
    address = url("ticket-media-thumbnail", ticket, media_id=media.pk)

    served = signed_in(technician).get(address)

    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert served["Cache-Control"] == "private, max-age=86400" and served["X-Content-Type-Options"] == "nosniff"
    assert signed_in(operator).get(address).status_code == 404


def test_a_video_is_a_tile_and_every_tile_links_to_its_file_without_javascript(signed_in, technician, make_ticket):
    ticket = make_ticket()
    video = SimpleUploadedFile("essai.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    [photo, clip] = services.media_add_many(ticket=ticket, uploads=[photos("a.png")[0], video], by=technician)
    page = signed_in(technician).get(ticket.get_absolute_url()).content.decode()
    for media in (photo, clip):
        assert f'<a class="thumb" href="{url("ticket-media", ticket, media_id=media.pk)}"' in page
    assert '<span class="tile tile-video">' in page and "Vidéo essai.mp4" in page
    assert '<dialog id="viewer"' in page


def test_the_sender_is_offered_to_delete_his_file_after_confirming(signed_in, technician, make_ticket):
    ticket = make_ticket()
    media = services.media_add(ticket=ticket, upload=photos("a.png")[0], by=technician)
    client = signed_in(technician)
    address = url("ticket-media-delete", ticket, media_id=media.pk)
    assert f'href="{address}"' in client.get(ticket.get_absolute_url()).content.decode()

    confirm = client.get(address).content.decode()
    assert "Supprimer ce fichier ?" in confirm and "a.png" in confirm
    assert ticket.media.exists()  # Asking deletes nothing.

    response = client.post(address, follow=True)
    assert "Fichier supprimé : a.png." in response.content.decode()
    assert not ticket.media.exists()
    assert ticket.timeline.filter(action=TimelineEntry.Action.MEDIA_DELETED, old_value="a.png").exists()


def test_someone_else_gets_no_delete_button_and_a_403_a_supervisor_may(
        signed_in, technician, technician2, supervisor, make_ticket):
    ticket = make_ticket()
    media = services.media_add(ticket=ticket, upload=photos("a.png")[0], by=technician)
    address = url("ticket-media-delete", ticket, media_id=media.pk)

    assert address not in signed_in(technician2).get(ticket.get_absolute_url()).content.decode()
    assert signed_in(technician2).post(address).status_code == 403
    assert address in signed_in(supervisor).get(ticket.get_absolute_url()).content.decode()
    signed_in(supervisor).post(address)
    assert not ticket.media.exists()


def test_a_card_shows_how_many_photos_and_videos_with_words_for_screen_readers(
        signed_in, technician, make_ticket):
    ticket = make_ticket(title="Trois photos")
    services.media_add_many(ticket=ticket, uploads=photos("a.png", "b.png", "c.png"), by=technician)
    make_ticket(title="Sans photo")
    page = signed_in(technician).get(reverse("web:board")).content.decode()
    card = re.search(r'<li class="card[^"]*">(?:(?!</li>).)*Trois photos.*?</li>', page, re.S).group(0)
    assert 'aria-label="3 photos ou vidéos"' in card
    bare = re.search(r'<li class="card[^"]*">(?:(?!</li>).)*Sans photo.*?</li>', page, re.S).group(0)
    assert "media-count" not in bare


def test_the_board_makes_the_same_number_of_queries_with_photos_on_every_card(
        signed_in, technician, machine, supervisor):
    client = signed_in(technician)
    _bulk_open_tickets(50, machine, supervisor, technician)
    client.get(reverse("web:board"))

    def board_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("web:board")).status_code == 200
        return len(queries)

    without = board_queries()
    Media.objects.bulk_create([Media(ticket=t, original_name="p.png", content_type="image/png",
                                     kind=Media.Kind.PHOTO) for t in Ticket.objects.all() for _ in range(2)])
    page = client.get(reverse("web:board")).content.decode()
    assert page.count('aria-label="2 photos ou vidéos"') >= 20
    assert board_queries() == without
    column = client.get(reverse("web:board"), {"colonne": "received"}).content.decode()
    assert 'aria-label="2 photos ou vidéos"' in column
