"""Comments, photos and videos of a ticket."""
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import ticket_url
from tests.api.test_role_matrix import PNG
from tickets.models import Media

# The first bytes of an MP4 file ("ftyp" box).
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def upload_photo(client, ticket, content=PNG, name="photo.png", **extra):
    return client.post(ticket_url(ticket, "media"), {"file": SimpleUploadedFile(name, content)},
                       format="multipart", **extra)


def test_a_comment_is_added_with_its_author_and_listed(client_for, technician, make_ticket):
    ticket = make_ticket()
    client = client_for(technician)

    created = client.post(ticket_url(ticket, "comments"), {"body": "Pièce commandée."}, format="json")
    listed = client.get(ticket_url(ticket, "comments")).json()

    assert created.status_code == 201
    assert listed["results"][0]["body"] == "Pièce commandée."
    assert listed["results"][0]["author_name"] == "Jean Technicien"
    assert listed["results"][0]["author_role"] == "technician"


def test_an_empty_comment_is_refused_on_its_field(client_for, technician, make_ticket):
    response = client_for(technician).post(ticket_url(make_ticket(), "comments"), {"body": "   "}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_a_photo_is_uploaded_and_its_type_read_from_its_content(client_for, operator, make_ticket):
    ticket = make_ticket(reporter=operator)

    response = upload_photo(client_for(operator), ticket, name="image.jpg")

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["content_type"], body["original_name"]) == ("photo", "image/png", "image.jpg")
    assert body["download_url"].endswith(f"/api/media/{body['id']}/download")


def test_a_video_is_accepted(client_for, technician, make_ticket):
    response = upload_photo(client_for(technician), make_ticket(), content=MP4, name="clip.mp4")

    assert response.status_code == 201
    assert response.json()["kind"] == "video"


def test_a_text_file_named_like_a_photo_is_refused(client_for, technician, make_ticket):
    response = upload_photo(client_for(technician), make_ticket(), content=b"#!/bin/sh\nrm -rf /\n", name="x.png")

    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["Seules les photos et les vidéos sont acceptées."]
    assert not Media.objects.exists()


def test_a_photo_over_the_cap_is_a_413_saying_the_limit(client_for, technician, make_ticket, settings):
    settings.MEDIA_MAX_PHOTO_BYTES = 50

    response = upload_photo(client_for(technician), make_ticket())

    assert response.status_code == 413
    assert "maximum 50" in response.json()["detail"]
    assert response.json()["hint"]
    assert not Media.objects.exists()


def test_a_missing_file_is_a_400_on_the_file_field(client_for, technician, make_ticket):
    response = client_for(technician).post(ticket_url(make_ticket(), "media"), {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_a_photo_is_downloaded_by_who_may_see_the_ticket_with_a_safe_disposition(
        client_for, operator, operator2, technician, make_ticket):
    ticket = make_ticket(reporter=operator)
    media_id = upload_photo(client_for(operator), ticket, name='évier"; x=.png').json()["id"]
    url = f"/api/media/{media_id}/download"

    mine = client_for(operator).get(url)
    attached = client_for(technician).get(url + "?download=1")

    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == PNG
    assert mine["Content-Type"] == "image/png"
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert mine["Content-Disposition"].startswith("inline;")
    assert '"; x=' not in mine["Content-Disposition"]
    assert attached["Content-Disposition"].startswith("attachment;")
    assert client_for(operator2).get(url).status_code == 404


def test_files_are_not_served_at_a_public_address(client, client_for, operator, make_ticket):
    ticket = make_ticket(reporter=operator)
    upload_photo(client_for(operator), ticket)
    stored = Media.objects.get().file.name

    assert client.get(f"/media/{stored}").status_code == 404


def test_a_file_still_on_the_original_apps_storage_is_a_404_saying_so(client_for, technician, make_ticket):
    media = Media.objects.create(ticket=make_ticket(), original_name="ancien.jpg", content_type="image/jpeg",
                                 kind=Media.Kind.PHOTO, storage_key="tickets/ancien.jpg")

    response = client_for(technician).get(f"/api/media/{media.pk}/download")

    assert response.status_code == 404
    assert "application d'origine" in response.json()["detail"]


def test_a_body_larger_than_any_cap_is_refused_before_it_is_read(client_for, technician, make_ticket, settings):
    settings.MEDIA_MAX_PHOTO_BYTES = settings.MEDIA_MAX_VIDEO_BYTES = 1000

    response = upload_photo(client_for(technician), make_ticket(), content=PNG + b"\0" * 200_000)

    assert response.status_code == 413
    assert "maximum 1000" in response.json()["detail"]
