"""The pages' cost: the board with 2,000 open tickets, a search, and a ticket with 20 photos.

    DATABASE_URL=sqlite:////tmp/igp-bench-pages.sqlite3 .venv/bin/python bench/pages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igp_bench_pages .venv/bin/python bench/pages.py  # createdb first

Fills a *separate* database (refuses the development one) with --tickets open
tickets (2,000 by default) on 20 machines, one comment on each, and one ticket
with --photos photos (20) saved through the storage (real PNGs made with Pillow
when it is installed, else tiny PNGs), with their thumbnails. Then renders, through Django's test
client, signed in as a supervisor and as a technician:

  - the board with 50 open tickets and with all of them: SQL queries (must be
    the same), HTML + CSS + JS weight raw and gzip -9 (the README's figure for
    500 tickets is 102 KB; the limit is 150 KB without the drag-and-drop scripts, 200 KB
    and 55 KB gzipped with them), median render time and the ratio;
  - the board searched for three words (found in descriptions, comments, machines):
    queries and the time ratio to the plain board;
  - the page of the ticket with 20 photos: queries (limit 10) and time;
  - the open board's poll when nothing changed (an empty 204): queries, time, and its
    share of a full board render with all the tickets (limit 10 %).

Figures are medians of --repeat renders in-process on this machine: compare the
rows with each other, they are not the capacity of a production server.
"""
import argparse
import gzip
import io
import json
import os
import re
import statistics
import struct
import sys
import time
import zlib
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/igp-bench-pages.sqlite3")
os.environ.setdefault("MEDIA_ROOT", "/tmp/igp-bench-pages-media")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from tickets.models import Comment, Machine, Media, Ticket  # noqa: E402
from tickets.services import media_make_thumbnail  # noqa: E402

BOARD = reverse("web:board")
# Words of descriptions, comments and machines as the floor writes them: each phrase is on one
# ticket in len(PHRASES), so a search finds a few dozen tickets among thousands.
PHRASES = ["Courroie à remplacer", "Vibration au démarrage", "Fuite d'huile hydraulique", "Buse encrassée",
           "Capteur de position défectueux", "Bruit anormal du moteur", "Disjoncteur déclenché",
           "Joint du vérin usé", "Arrêt d'urgence bloqué", "Lame émoussée", "Pompe à vide faible",
           "Écran tactile figé", "Graissage des glissières", "Surchauffe du variateur", "Convoyeur désaligné",
           "Palette coincée", "Fuite d'air comprimé", "Roulement bruyant", "Tension de chaîne", "Calibrage"]
SEARCH = "roulement moteur"
STATIC = ROOT / "static"
OPEN = [Ticket.Status.RECEIVED, Ticket.Status.DIAGNOSTIC, Ticket.Status.IN_PROGRESS, Ticket.Status.WAITING_PARTS]


def png(n):
    """A 640×480 photo-like PNG with Pillow, else a tiny valid PNG (the page's cost does not depend on it)."""
    try:
        from PIL import Image
    except ImportError:
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        row = b"\x00" + bytes((n * 12 % 256, 116, 144)) * 4
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(row * 3)) + chunk(b"IEND", b""))
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (n * 12 % 256, 116, 144)).save(out, "PNG")
    return out.getvalue()


def fill(count, photos):
    """Machines, people, `count` open tickets with a comment each, one ticket with `photos` photos."""
    supervisor, _ = User.objects.get_or_create(
        email="bench-supervisor@igp.test", defaults={"role": Role.SUPERVISOR, "first_name": "Banc"})
    tech, _ = User.objects.get_or_create(
        email="bench-tech@igp.test", defaults={"role": Role.TECHNICIAN, "first_name": "Tech"})
    machines = [Machine.objects.get_or_create(machine_type="Banc", model=f"M{n:02d}")[0] for n in range(20)]
    have = Ticket.objects.filter(ticket_id__startswith="IGP-BANC-").count()
    now = timezone.now()
    tickets = [
        Ticket(ticket_id=f"IGP-BANC-{n:06d}", title=f"Ticket de banc {n}",
               description=f"{PHRASES[n % 20]}. {PHRASES[n * 7 % 20]} au poste {n % 13}.",
               machine=machines[n % 20], status=OPEN[n % 4], priority=Ticket.Priority.values[n % 4],
               reporter=supervisor, assigned_to=tech if n % 3 == 0 else None, assigned_to_team=n % 3 == 1,
               scheduled_date=now - timedelta(hours=n % 100) if n % 2 else None,
               created_at=now - timedelta(minutes=n))
        for n in range(have, count)
    ]
    Ticket.objects.bulk_create(tickets, batch_size=500)
    Comment.objects.bulk_create(
        [Comment(ticket=t, author=tech, body=f"{PHRASES[t.pk * 3 % 20]} : pièce commandée.") for t in
         Ticket.objects.filter(ticket_id__startswith="IGP-BANC-", comments__isnull=True)], batch_size=500)
    photographed = Ticket.objects.get(ticket_id="IGP-BANC-000000")
    photographed.assigned_to, photographed.assigned_to_team = tech, False
    photographed.save()
    for n in range(photographed.media.count(), photos):
        media = Media(ticket=photographed, original_name=f"photo-{n}.png", content_type="image/png",
                      kind=Media.Kind.PHOTO, uploaded_by=tech)
        data = png(n)
        media.size = len(data)
        media.file.save(f"photo-{n}.png", ContentFile(data), save=True)
    for media in photographed.media.filter(thumbnail=""):
        media_make_thumbnail(media)  # As an upload would: the page shows the thumbnails.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # What autovacuum would do after a bulk load: plans on real counts.
    return supervisor, tech, photographed


def render(client, url, repeat, params=None):
    """(queries, html bytes, median seconds) of `repeat` GETs after one warm-up."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    count = len(queries)  # Now: every request's start empties the log of queries.
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        client.get(url, params)
        times.append(time.perf_counter() - t0)
    return count, response.content, statistics.median(times)


def poll(client, url, repeat):
    """(queries, median seconds, median seconds of the full board) of the open board's poll when nothing
    changed: the headers its page sends (hx-headers of #board-live), answered by an empty 204. The full
    board is timed in turn with each poll, so a busy machine slows both alike and their ratio holds."""
    page = client.get(url).content.decode()
    headers = json.loads(re.search(r"""data-board-poll hx-headers='([^']*)'""", page, re.S).group(1))
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    count = len(queries)  # Now: the next requests empty the log of queries.
    assert response.status_code == 204, (url, response.status_code)
    polls, boards = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        client.get(url)
        t1 = time.perf_counter()
        client.get(url, headers=headers)
        polls.append(time.perf_counter() - t1)
        boards.append(t1 - t0)
    return count, statistics.median(polls), statistics.median(boards)


# The board's drag and drop (SortableJS and its glue), loaded only for those who may move tickets: the
# 150 KB limit is for the rest of the page; with them the board stays under 200 KB (55 KB gzipped).
MOVE_SCRIPTS = ("vendor/sortablejs/Sortable.min.js", "js/board-moves.js")


def weight(html, *, leave_out=()):
    """Raw and gzip -9 bytes of the page with the CSS and JS it links (but those in `leave_out`)."""
    assets = [STATIC / a.decode() for a in re.findall(rb'(?:href|src)="/static/([^"?]+\.(?:css|js))', html)
              if a.decode() not in leave_out]
    parts = [html] + [a.read_bytes() for a in assets]
    return sum(map(len, parts)), sum(len(gzip.compress(p, 9)) for p in parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    if str(db["NAME"]) == str(ROOT / "db.sqlite3"):
        sys.exit("Refusing to fill the development database: set DATABASE_URL to a bench database.")
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    setup_test_environment()
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    Ticket.objects.filter(ticket_id__startswith="IGP-BANC-", ticket_id__gte=f"IGP-BANC-{50:06d}").delete()
    supervisor, tech, photographed = fill(50, args.photos)
    print(f"Filled in {time.perf_counter() - t0:.1f} s")

    rows = []
    clients = {"supervisor": Client(), "technician": Client()}
    clients["supervisor"].force_login(supervisor)
    clients["technician"].force_login(tech)
    few = {who: render(c, BOARD, args.repeat) for who, c in clients.items()}
    fill(args.tickets, args.photos)
    open_count = Ticket.objects.filter(status__in=OPEN).count()
    ticket_url = photographed.get_absolute_url()
    for who, client in clients.items():
        q50, _, t50 = few[who]
        q, html, t = render(client, BOARD, args.repeat)
        raw, packed = weight(html)
        qs, _, ts = render(client, BOARD, args.repeat, {"q": SEARCH})
        qt, _, tt = render(client, ticket_url, args.repeat)
        qp, tp, tb = poll(client, BOARD, args.repeat * 3)
        rows += [
            (who, "board, 50 open tickets", q50, "", f"{t50 * 1000:.1f}", "1.00"),
            (who, f"board, {open_count:,} open tickets", q, f"{raw:,} / {packed:,}", f"{t * 1000:.1f}",
             f"{t / t50:.2f}"),
            (who, f"board searched « {SEARCH} »", qs, "", f"{ts * 1000:.1f}", f"{ts / t50:.2f}"),
            (who, f"ticket page, {photographed.media.count()} photos", qt, "", f"{tt * 1000:.1f}",
             f"{tt / t50:.2f}"),
            (who, f"board poll, nothing changed (204): {tp / tb:.1%} of the full board's time", qp, "0",
             f"{tp * 1000:.1f}", f"{tp / t50:.2f}"),
        ]
        assert tp <= 0.10 * tb, f"a poll with no change costs {tp / tb:.0%} of the full board"
        assert q == q50, f"the board's query count grew with the tickets: {q50} -> {q}"
        assert weight(html, leave_out=MOVE_SCRIPTS)[0] <= 150 * 1024, f"board weighs {raw} bytes"
        assert raw <= 203 * 1024 and packed <= 55 * 1024, f"board with its drag and drop weighs {raw} bytes"
        assert qt <= 10, f"ticket page made {qt} queries"

    print("\n| who | page | SQL queries | HTML+CSS+JS bytes (raw / gzip -9) | median ms | × board of 50 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


if __name__ == "__main__":
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        main()
