"""Issue 11 item 10 in a real Chromium: several photos in one report, the thumbnails, the viewer,
the card's count, a refused file among good ones, deleting one's own photo.

Helpers and the `open_page` fixture come from test_browser.py (hence F811: tests take the imported fixture).
"""
# ruff: noqa: F811
import io

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw

from tickets import services
from tickets.models import Media, Ticket

from .conftest import DESKTOP, PHONE
from .test_browser import VIEWPORTS, assert_fits_a_thumb, open_page, settled, shoot, sign_in, size_name  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COLOURS = [(14, 116, 144), (180, 83, 9), (21, 128, 61), (126, 34, 206)]


def shop_photo(n, width=1200, height=900):
    """A JPEG that looks like something in a thumbnail: a coloured machine part on a grey floor."""
    image = Image.new("RGB", (width, height), (203, 213, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 6, height // 4, width * 5 // 6, height * 3 // 4), fill=COLOURS[n % 4])
    draw.ellipse((width // 3, height // 3, width * 2 // 3, height * 2 // 3), fill=(241, 245, 249))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def files(*names):
    return [{"name": name, "mimeType": "image/jpeg", "buffer": shop_photo(n)} for n, name in enumerate(names)]


def loaded_widths(page):
    return page.eval_on_selector_all(
        ".gallery img", "imgs => Promise.all(imgs.map(img => img.decode().then(() => img.naturalWidth)))")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_report_with_three_photos_shows_three_thumbnails_a_count_and_a_viewer(
        open_page, live_server, viewport, operator, machine, screenshot_dir):
    size = size_name(viewport)
    page = open_page(viewport)
    sign_in(page, live_server, operator.email)
    page.goto(live_server.url + reverse("web:report"))
    page.get_by_label("Machine").select_option(label=str(machine))
    page.get_by_label("Titre").fill("Fuite d'huile sous la polisseuse")
    page.get_by_label("Choisir des photos ou des vidéos").set_input_files(
        files=files("fuite-1.jpg", "fuite-2.jpg", "fuite-3.jpg"))
    assert_fits_a_thumb(page)
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.locator(".msg-success").wait_for()
    settled(page)

    ticket = Ticket.objects.get()
    assert ticket.media.count() == 3
    assert page.locator(".gallery img").count() == 3
    assert loaded_widths(page) == [320, 320, 320]  # the thumbnails, not the 1200 px photos
    page.locator("#photos").scroll_into_view_if_needed()
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"media-grid-{size}")

    # The viewer: opens on the tapped photo, goes on with the arrows, closes with Escape.
    page.locator(".gallery a.thumb").nth(0).click()
    viewer = page.locator("dialog#viewer")
    viewer.wait_for()
    assert viewer.get_attribute("open") is not None
    assert page.locator("#viewer-title").inner_text().startswith("1 / 3")
    natural = page.locator(".viewer-stage img").evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert natural == 1200  # the photo itself
    assert page.evaluate("document.activeElement.textContent.trim()") == "Fermer"
    page.keyboard.press("ArrowRight")
    assert page.locator("#viewer-title").inner_text() == "2 / 3 fuite-2.jpg"
    page.locator(".viewer-stage img").evaluate("img => img.decode()")
    shoot(page, screenshot_dir, f"media-viewer-{size}")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.locator("#viewer-title").inner_text() == "3 / 3 fuite-3.jpg"  # round the end
    page.get_by_role("button", name="Suivant").click()
    assert page.locator("#viewer-title").inner_text() == "1 / 3 fuite-1.jpg"
    page.keyboard.press("Escape")
    assert viewer.get_attribute("open") is None
    # The focus is back on the thumbnail last shown, for the keyboard and screen readers.
    assert page.evaluate("document.activeElement.getAttribute('data-name')") == "fuite-1.jpg"

    page.get_by_role("link", name="Retour au tableau").click()
    count = page.locator(".card", has_text=ticket.title).get_by_role("img", name="3 photos ou vidéos")
    count.wait_for()
    assert count.inner_text().strip() == "3"
    shoot(page, screenshot_dir, f"media-card-{size}")
    assert page.errors == []


def test_a_bad_file_among_good_ones_is_named_at_the_control_and_the_text_stays(
        open_page, live_server, operator, machine, screenshot_dir):
    page = open_page(PHONE)
    sign_in(page, live_server, operator.email)
    page.goto(live_server.url + reverse("web:report"))
    page.get_by_label("Machine").select_option(label=str(machine))
    page.get_by_label("Titre").fill("Courroie qui claque")
    page.get_by_label("Description").fill("Au démarrage seulement, côté moteur.")
    page.get_by_label("Choisir des photos ou des vidéos").set_input_files(files=[
        *files("courroie.jpg"), {"name": "notes.txt", "mimeType": "image/jpeg", "buffer": b"pas une photo"},
        *files("moteur.jpg")])
    page.get_by_role("button", name="Envoyer le signalement").click()

    error = page.locator("#id_file_error")
    error.wait_for()
    settled(page)
    assert "« notes.txt » : Seules les photos et les vidéos sont acceptées." in error.inner_text()
    assert "choisissez de nouveau les photos" in error.inner_text()
    assert page.get_by_label("Titre").input_value() == "Courroie qui claque"
    assert page.get_by_label("Description").input_value() == "Au démarrage seulement, côté moteur."
    assert page.evaluate("document.activeElement.id") == "id_file"  # the control to fix has the focus
    box = error.bounding_box()
    assert 0 <= box["y"] <= PHONE["height"]
    shoot(page, screenshot_dir, "media-refused-phone")
    assert not Ticket.objects.exists()
    assert [e for e in page.errors if "400" not in e] == []


def test_too_many_files_are_said_before_anything_is_sent(open_page, live_server, technician, make_ticket, settings):
    settings.MEDIA_MAX_FILES_PER_UPLOAD = 2
    ticket = make_ticket()
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + ticket.get_absolute_url())
    page.get_by_label("Choisir des photos ou des vidéos").set_input_files(files=files("a.jpg", "b.jpg", "c.jpg"))
    page.get_by_role("button", name="Envoyer les fichiers").click()
    message = page.get_by_label("Choisir des photos ou des vidéos").evaluate("input => input.validationMessage")
    assert message == "Trop de fichiers : 2 au plus par envoi."
    assert not Media.objects.exists()


def test_a_technician_deletes_his_own_photo_after_confirming(
        open_page, live_server, technician, technician2, make_ticket, screenshot_dir):
    ticket = make_ticket()
    from django.core.files.uploadedfile import SimpleUploadedFile

    mine, = services.media_add_many(ticket=ticket, by=technician,
                                    uploads=[SimpleUploadedFile("a-moi.jpg", shop_photo(0))])
    services.media_add(ticket=ticket, upload=SimpleUploadedFile("pas-a-moi.jpg", shop_photo(1)), by=technician2)
    page = open_page(DESKTOP)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + ticket.get_absolute_url())
    page.locator("#photos").scroll_into_view_if_needed()
    assert page.get_by_role("link", name="Supprimer pas-a-moi.jpg").count() == 0  # not his

    page.get_by_role("link", name="Supprimer a-moi.jpg").click()
    page.get_by_role("heading", name="Supprimer ce fichier ?").wait_for()
    shoot(page, screenshot_dir, "media-delete-desktop")
    page.get_by_role("button", name="Oui, supprimer le fichier").click()
    page.get_by_text("Fichier supprimé : a-moi.jpg.").wait_for()
    settled(page)
    assert page.locator(".gallery a.thumb").count() == 1
    assert not Media.objects.filter(pk=mine.pk).exists()
    assert "Fichier supprimé" in page.locator(".timeline").inner_text()
    assert page.errors == []


def test_without_javascript_a_thumbnail_is_a_link_to_the_photo(open_page, live_server, technician, make_ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = make_ticket()
    services.media_add(ticket=ticket, upload=SimpleUploadedFile("a.jpg", shop_photo(2)), by=technician)
    page = open_page(PHONE, javascript=False)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + ticket.get_absolute_url())
    page.locator(".gallery a.thumb").click()
    page.wait_for_url("**/fichiers/*/")
    assert page.evaluate("document.images[0].naturalWidth") == 1200
