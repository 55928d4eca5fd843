"""Photos and videos through the services: several at once, thumbnails, no GPS, deletion (issue 11 item 10).

The photos are real JPEGs built here with Pillow, with what a phone writes into them: the
orientation it was held in (EXIF 6: turned a quarter) and where it was taken (EXIF GPS).
"""
import io
import os
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import ExifTags, Image

from tests.web.conftest import png_bytes
from tickets import services
from tickets.models import Media, Ticket, TimelineEntry
from tickets.services import MediaTooLarge

pytestmark = pytest.mark.django_db
RED, WHITE = (255, 0, 0), (255, 255, 255)
GPS = {1: "N", 2: (46.0, 48.0, 30.0), 3: "W", 4: (71.0, 13.0, 0.0)}  # Québec


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def phone_jpeg(width=600, height=400, *, orientation=6, gps=True):
    """A landscape JPEG, red in its stored top-left corner, held upright by EXIF `orientation`."""
    image = Image.new("RGB", (width, height), WHITE)
    image.paste(RED, (0, 0, width // 3, height // 3))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "IGP Phone"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def stored_bytes(field):
    with field.open("rb") as handle:
        return handle.read()


def test_a_phone_photo_gets_an_upright_thumbnail_without_any_metadata(make_ticket, technician):
    media = services.media_add(ticket=make_ticket(), upload=upload("IMG_0001.jpg", phone_jpeg()), by=technician)

    thumbnail = Image.open(io.BytesIO(stored_bytes(media.thumbnail)))
    assert thumbnail.format == "WEBP"
    # Held a quarter turn: 600×400 stored, shown 400×600, scaled to 320 on the long side.
    assert thumbnail.size == (213, 320) == (media.thumbnail_width, media.thumbnail_height)
    # The red corner, top-left as stored, is top-right once upright.
    assert thumbnail.convert("RGB").getpixel((thumbnail.width - 5, 5))[0] > 240
    assert thumbnail.convert("RGB").getpixel((5, 5)) == pytest.approx(WHITE, abs=6)
    assert dict(thumbnail.getexif()) == {}
    assert not {"exif", "xmp", "icc_profile"} & set(thumbnail.info)


def test_the_stored_photo_loses_its_gps_but_not_a_single_pixel_nor_its_orientation(make_ticket, technician):
    original = phone_jpeg()
    media = services.media_add(ticket=make_ticket(), upload=upload("IMG_0002.jpg", original), by=technician)

    stored = stored_bytes(media.file)
    exif = Image.open(io.BytesIO(stored)).getexif()
    assert ExifTags.IFD.GPSInfo not in exif and exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert exif[ExifTags.Base.Orientation] == 6 and exif[ExifTags.Base.Make] == "IGP Phone"
    # The compressed image data is copied as it was: no re-encoding, no loss.
    assert stored[stored.index(b"\xff\xda"):] == original[original.index(b"\xff\xda"):]
    assert media.size == len(stored) < len(original)


def test_a_photo_without_gps_is_stored_exactly_as_sent(make_ticket, technician):
    original = phone_jpeg(gps=False)
    media = services.media_add(ticket=make_ticket(), upload=upload("propre.jpg", original), by=technician)
    assert stored_bytes(media.file) == original


def test_a_decompression_bomb_is_refused_with_a_message_before_it_is_decoded(make_ticket, technician, settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("1", (2000, 2000)).save(out, "PNG")  # A few hundred bytes, four million pixels.
    ticket = make_ticket()

    with pytest.raises(ValidationError) as refused:
        services.media_add(ticket=ticket, upload=upload("bombe.png", out.getvalue()), by=technician)

    assert refused.value.messages == ["Image trop grande : 2000 × 2000 pixels, maximum 1 mégapixels."]
    assert not Media.objects.exists()


def test_an_image_beyond_pillows_own_limit_is_refused_too(make_ticket, technician):
    # 20,000 × 20,000: more than twice Pillow's MAX_IMAGE_PIXELS, so Pillow itself refuses to open it.
    def chunk(kind, body):
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
    header = (20000).to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")
    with pytest.raises(ValidationError) as refused:
        services.media_add(ticket=make_ticket(), upload=upload("énorme.png", data), by=technician)
    assert refused.value.messages == ["Image trop grande : plus de 64 mégapixels."]


def test_several_files_are_kept_together_with_one_timeline_line_each(make_ticket, technician):
    ticket = make_ticket()
    added = services.media_add_many(ticket=ticket, by=technician, uploads=[
        upload("a.jpg", phone_jpeg()), upload("b.png", png_bytes(40, 30)),
        upload("c.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)])

    assert [m.original_name for m in added] == ["a.jpg", "b.png", "c.mp4"]
    assert [bool(m.thumbnail) for m in added] == [True, True, False]  # A video: a tile, no frame.
    lines = ticket.timeline.filter(action=TimelineEntry.Action.MEDIA_ADDED).values_list("new_value", flat=True)
    assert sorted(lines) == ["a.jpg", "b.png", "c.mp4"]


def test_one_bad_file_among_good_ones_keeps_none_and_names_it(make_ticket, technician, settings, tmp_path):
    ticket = make_ticket()
    with pytest.raises(ValidationError) as refused:
        services.media_add_many(ticket=ticket, by=technician, uploads=[
            upload("bon.jpg", phone_jpeg()), upload("notes.txt", b"pas une photo"), upload("bon2.png", png_bytes())])

    assert refused.value.message_dict == {"file": ["« notes.txt » : Seules les photos et les vidéos sont acceptées."]}
    assert not Media.objects.exists()
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))  # nothing left on the storage


def test_too_many_files_or_too_many_bytes_at_once_are_refused(make_ticket, technician, settings):
    ticket = make_ticket()
    settings.MEDIA_MAX_FILES_PER_UPLOAD = 2
    with pytest.raises(ValidationError) as refused:
        services.media_add_many(ticket=ticket, by=technician, uploads=[upload(f"{n}.png", png_bytes())
                                                                        for n in range(3)])
    assert refused.value.messages == ["Trop de fichiers : 3 choisis, 2 au plus par envoi."]

    settings.MEDIA_MAX_FILES_PER_UPLOAD, settings.MEDIA_MAX_UPLOAD_BYTES = 10, 100
    with pytest.raises(MediaTooLarge):
        services.media_add_many(ticket=ticket, by=technician, uploads=[upload(f"{n}.png", png_bytes(20, 20))
                                                                        for n in range(2)])
    assert not Media.objects.exists()


def test_an_oversized_file_among_several_is_named_with_its_size(make_ticket, technician, settings):
    settings.MEDIA_MAX_PHOTO_BYTES = 500
    with pytest.raises(MediaTooLarge) as refused:
        services.media_add_many(ticket=make_ticket(), by=technician, uploads=[
            upload("petite.png", png_bytes()), upload("grande.jpg", phone_jpeg())])
    [message] = refused.value.messages
    assert message.startswith("« grande.jpg » : Fichier trop volumineux :") and "maximum 500" in message


def test_adding_a_file_touches_the_ticket_so_the_live_board_redraws_its_count(make_ticket, technician):
    ticket = make_ticket()
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    services.media_add(ticket=ticket, upload=upload("a.png", png_bytes()), by=technician)
    assert Ticket.objects.get(pk=ticket.pk).updated_at > before


def test_the_sender_deletes_his_file_and_its_thumbnail_leave_the_storage(
        django_capture_on_commit_callbacks, make_ticket, technician):
    ticket = make_ticket()
    media = services.media_add(ticket=ticket, upload=upload("a.jpg", phone_jpeg()), by=technician)
    paths = [media.file.path, media.thumbnail.path]

    with django_capture_on_commit_callbacks(execute=True):
        services.media_delete(media=media, by=technician)

    assert not ticket.media.exists()
    entry = ticket.timeline.get(action=TimelineEntry.Action.MEDIA_DELETED)
    assert (entry.actor, entry.old_value, entry.get_action_display()) == (technician, "a.jpg", "Fichier supprimé")
    assert not any(os.path.exists(p) for p in paths)


def test_someone_else_may_not_delete_a_file_a_supervisor_may(make_ticket, technician, technician2, supervisor):
    ticket = make_ticket()
    media = services.media_add(ticket=ticket, upload=upload("a.png", png_bytes()), by=technician)

    with pytest.raises(PermissionDenied):
        services.media_delete(media=media, by=technician2)
    services.media_delete(media=media, by=supervisor)
    assert not ticket.media.exists()


def test_deleting_a_ticket_removes_the_thumbnails_too(django_capture_on_commit_callbacks, make_ticket, supervisor):
    ticket = make_ticket()
    media = services.media_add(ticket=ticket, upload=upload("a.jpg", phone_jpeg()), by=supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_delete(ticket=ticket, by=supervisor)
    assert not os.path.exists(media.thumbnail.path)


def test_the_backfill_makes_missing_thumbnails_and_skips_videos_and_files_left_on_the_old_storage(
        make_ticket, technician):
    ticket = make_ticket()
    old = Media(ticket=ticket, original_name="ancienne.jpg", content_type="image/jpeg", kind=Media.Kind.PHOTO)
    old.file.save("ancienne.jpg", io.BytesIO(phone_jpeg()), save=True)
    Media.objects.create(ticket=ticket, original_name="r2.jpg", content_type="image/jpeg", kind=Media.Kind.PHOTO,
                         storage_key="tickets/r2.jpg", external_url="https://r2.example/r2.jpg")
    out = io.StringIO()

    call_command("media_thumbnails", "--strip-location", stdout=out)
    call_command("media_thumbnails", stdout=out)  # Again: nothing left to do.

    old.refresh_from_db()
    assert (old.thumbnail_width, old.thumbnail_height) == (213, 320)
    assert Image.open(io.BytesIO(stored_bytes(old.file))).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    first, again = out.getvalue().splitlines()
    assert "1 miniature(s) créée(s)" in first and "1 fichier(s) resté(s) sur l'ancien stockage" in first
    assert "0 miniature(s) créée(s)" in again


def test_deleting_a_file_in_the_admin_goes_through_the_service(
        django_capture_on_commit_callbacks, client, admin_user, make_ticket, technician):
    from django.urls import reverse

    client.force_login(admin_user)
    ticket = make_ticket()
    media = services.media_add(ticket=ticket, upload=upload("a.jpg", phone_jpeg()), by=technician)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:tickets_media_delete", args=[media.pk]), {"post": "yes"})
    assert not ticket.media.exists() and not os.path.exists(media.thumbnail.path)
    assert ticket.timeline.filter(action=TimelineEntry.Action.MEDIA_DELETED).exists()
