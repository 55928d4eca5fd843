"""What we do to a photo with Pillow: measure it, drop its location, make its thumbnail.

Phones write where a photo was taken (EXIF GPS) into the file; a ticket's photos are
seen by everyone who may see the ticket, so that location is removed:
- from the thumbnail, which is drawn again from the pixels and saved with no metadata
  at all (EXIF, XMP, ICC profile of the original are not carried over);
- from the stored original when it is a JPEG (what phones send): the EXIF segment is
  rewritten without its GPS directory and any XMP packet (which may repeat the
  location) is dropped. The compressed image data is copied byte for byte, so the
  photo loses nothing; its orientation, date and camera stay in its EXIF. Other
  formats (PNG, WebP, HEIC) are stored as sent.

Measuring happens before anything is decoded, so an image of 30,000 × 30,000 pixels
(a "decompression bomb": a few kilobytes that would need gigabytes of memory) is
refused with a message, never decoded.
"""
import io
import logging
import warnings

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
EXIF_ID = b"Exif\x00\x00"
TOO_MANY_PIXELS = "too_many_pixels"


def pixel_size(data):
    """(width, height) read from the header, TOO_MANY_PIXELS beyond Pillow's own bomb limit,
    or None when Pillow does not read this format (HEIC, a video, a damaged file)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                return image.size
    except Image.DecompressionBombError:
        return TOO_MANY_PIXELS
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def too_many_pixels(size):
    if size == TOO_MANY_PIXELS:
        return True
    return size is not None and size[0] * size[1] > settings.MEDIA_MAX_IMAGE_PIXELS


def make_thumbnail(data, *, box=None):
    """A WebP at most `box` pixels on its longer side, turned upright, without any metadata.

    None when the photo cannot be decoded: it is kept all the same and shown as a tile.
    Call only after `too_many_pixels` said no.
    """
    box = box or settings.MEDIA_THUMBNAIL_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                # JPEG: decode at 1/2, 1/4 or 1/8 scale straight away (a 12 MP photo in a few ms).
                image.draft("RGB", (box * 2, box * 2))
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((box, box), Image.Resampling.LANCZOS)
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                # A new image holds only the pixels: no EXIF, GPS, XMP, ICC or comment can follow.
                clean = Image.new("RGBA" if has_alpha else "RGB", upright.size)
                clean.paste(upright.convert(clean.mode))
                out = io.BytesIO()
                clean.save(out, "WEBP", quality=80, method=4)
                return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        log.warning("No thumbnail: %s", exc)
        return None


def without_location(data):
    """The same JPEG without its GPS data (EXIF GPS directory, XMP packet), image data untouched.

    Returns `data` itself when there is nothing to remove or the file is not a JPEG we can walk.
    """
    if data[:2] != b"\xff\xd8":
        return data
    parts, position, changed = [data[:2]], 2, False
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return data  # Not where a marker should be: leave the file as sent.
        marker = data[position + 1]
        if marker == 0xFF:  # Fill byte.
            parts.append(data[position:position + 1])
            position += 1
            continue
        if marker == 0xDA:  # Start of scan: the image data and the rest of the file, copied as they are.
            parts.append(data[position:])
            return b"".join(parts) if changed else data
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            parts.append(data[position:position + 2])
            position += 2
            continue
        length = int.from_bytes(data[position + 2:position + 4], "big")
        segment = data[position:position + 2 + length]
        position += 2 + length
        body = segment[4:]
        if marker == 0xE1 and body.startswith(XMP_ID):
            changed = True
            continue
        if marker == 0xE1 and body.startswith(EXIF_ID):
            exif = _exif_without_gps(body)
            if exif is not None:
                changed = True
                if len(exif) + 2 > 0xFFFF:
                    continue
                segment = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
        parts.append(segment)
    return data


def _exif_without_gps(body):
    """The EXIF segment's body without the GPS directory; None if it has none."""
    exif = Image.Exif()
    try:
        exif.load(body)
    except Exception:  # noqa: BLE001 - any damaged EXIF: keep only what turns the photo upright.
        return _orientation_only(body)
    if GPS_IFD not in exif:
        return None
    del exif[GPS_IFD]
    try:
        return exif.tobytes()
    except Exception:  # noqa: BLE001
        return _orientation_only(body)


def _orientation_only(body):
    kept = Image.Exif()
    try:
        old = Image.Exif()
        old.load(body)
        if ORIENTATION in old:
            kept[ORIENTATION] = old[ORIENTATION]
    except Exception:  # noqa: BLE001
        pass
    return kept.tobytes()
