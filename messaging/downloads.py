"""Serving a voice note to the people who may read its message, with HTTP range requests.

A phone's audio player asks for `Range: bytes=0-` first and for other pieces when
the person seeks; without a 206 answer Safari refuses to play at all. One
range per request (what players send); a range past the end is a 416 with the
size, a malformed header is ignored (the whole file, 200), as RFC 9110 allows.
Recordings are a few hundred kilobytes (MESSAGING_AUDIO_MAX_BYTES), so a piece
is read into memory.
"""
import re

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _range(header, size):
    """(start, end) inclusive, None for the whole file, or "unsatisfiable"."""
    match = _RANGE.match((header or "").strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.groups()
    if not first:  # "bytes=-500": the last 500 bytes.
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, end


def audio_response(request, message):
    if not message.has_playable_audio:
        raise Http404(_("Cet enregistrement est resté sur le stockage de l'application d'origine.")
                      if message.audio_file_key and not message.is_deleted else _("Pas d'enregistrement."))
    try:
        handle = message.audio_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Fichier introuvable sur le stockage.")) from exc
    with handle:
        size = handle.size
        wanted = _range(request.headers.get("Range"), size)
        if wanted == "unsatisfiable":
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _private(response)
        start, end = wanted or (0, size - 1)
        handle.seek(start)
        body = handle.read(end - start + 1) if size else b""
    response = HttpResponse(body, status=206 if wanted else 200,
                            content_type=message.audio_content_type or "audio/webm")
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _private(response)


def _private(response):
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; media-src 'self'; sandbox"
    return response
