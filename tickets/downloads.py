"""Serving a ticket's photos and videos to the people allowed to see them.

Uploaded files are never exposed under a public /media/ URL: the API and the
pages check `policies.can_view` and then answer through this function, which
sets a Content-Disposition that a crafted file name cannot break out of.
"""
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


def media_file_response(media, *, as_attachment=False):
    if not media.file:
        raise Http404(_("Ce fichier est resté sur le stockage de l'application d'origine."))
    try:
        handle = media.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Fichier introuvable sur le stockage.")) from exc
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=media.original_name, content_type=media.guessed_type
    )
    return _safe(response)


def thumbnail_response(media):
    """The small WebP of a photo. It never changes for a given media row (a new upload is a new
    row), so the phone may keep it a day; `private`: never in a shared cache."""
    if not media.thumbnail:
        raise Http404(_("Pas de miniature pour ce fichier."))
    try:
        handle = media.thumbnail.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Fichier introuvable sur le stockage.")) from exc
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = "private, max-age=86400"
    return _safe(response)


def _safe(response):
    response["X-Content-Type-Options"] = "nosniff"
    # A photo is displayed in the page; nothing in it may run as a document.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    return response
