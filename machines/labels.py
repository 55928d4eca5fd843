"""QR labels: what a machine's code carries and how it is drawn.

The code carries the address of `/m/<pk>/` on SITE_URL — the machine's primary key, never its
name: renaming or moving a machine leaves its printed label valid, and `/m/<pk>/` (not the
report form's address) is what the label promises, so the form may move without reprinting.
"""
import segno
from django.conf import settings
from django.urls import reverse


def scan_url(machine):
    """The absolute address printed in the machine's QR code (the public SITE_URL, not the request's host)."""
    return settings.SITE_URL + reverse("machines:scan", kwargs={"pk": machine.pk})


def qr_svg(machine, *, scale=4):
    """The QR code as an SVG document (error correction Q: a scratched or greasy label still reads)."""
    code = segno.make(scan_url(machine), error="q", micro=False)
    return code.svg_inline(scale=scale, border=2, dark="#000", light="#fff", omitsize=True)
