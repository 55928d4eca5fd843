"""A stored file takes the extension of the type read from its content, never the client's."""
import pytest

from tests.api.test_media import MP4, upload_photo
from tickets.models import Media, media_upload_to


@pytest.mark.parametrize("name", ["photo.exe", "photo.html", "photo.svg", "photo", "../../etc/passwd.png",
                                  "photo.png.php", "PHOTO.PNG"])
def test_a_png_is_stored_as_png_whatever_its_name(client_for, technician, make_ticket, name):
    ticket = make_ticket()

    response = upload_photo(client_for(technician), ticket, name=name)

    assert response.status_code == 201
    media = Media.objects.get(pk=response.json()["id"])
    assert media.file.name.startswith(f"tickets/{ticket.pk}/")
    assert media.file.name.endswith(".png") and media.file.name.count(".") == 1
    assert media.original_name == name.rsplit("/", 1)[-1]  # Kept, for people only.


def test_a_video_named_like_a_page_is_stored_as_mp4(client_for, technician, make_ticket):
    response = upload_photo(client_for(technician), make_ticket(), content=MP4, name="clip.html")

    assert response.status_code == 201
    assert Media.objects.get(pk=response.json()["id"]).file.name.endswith(".mp4")


def test_a_type_without_a_known_extension_gets_none():
    media = Media(ticket_id=1, content_type="image/x-unheard-of")

    assert "." not in media_upload_to(media, "photo.exe").rsplit("/", 1)[-1]
