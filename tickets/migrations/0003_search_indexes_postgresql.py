"""Full-text search indexes, on PostgreSQL only (SQLite searches by substring, tickets/search.py).

Creates the `unaccent` extension (trusted since PostgreSQL 13: the database's
owner may create it), a text search configuration `igp_french` (French
stemmer after unaccent, so "degat" finds "dégât"), and GIN indexes on the
same tsvector expressions the search builds, for tickets' title and
description and comments' body. Machines are few: matched without an index.

`fastupdate` is off: tickets and comments are written one at a time, and with
GIN's pending list a bulk load (the import) left searches scanning it row by
row until the next VACUUM (190 ms instead of 4 ms for 2,000 tickets, bench/pages.py).
"""
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# Written out rather than imported from tickets/search.py, so that this migration
# never changes; tests/tickets/test_search.py checks that the search uses both.
SEARCH_CONFIG = "igp_french"
INDEXES = (
    ("Ticket", GinIndex(SearchVector("title", "description", config=SEARCH_CONFIG), name="ticket_search_gin",
                         fastupdate=False)),
    ("Comment", GinIndex(SearchVector("body", config=SEARCH_CONFIG), name="comment_search_gin",
                          fastupdate=False)),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{SEARCH_CONFIG}') THEN
                CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} (COPY = pg_catalog.french);
                ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG}
                    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
            END IF;
        END $$"""
    )
    for model, index in INDEXES:
        schema_editor.add_index(apps.get_model("tickets", model), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in INDEXES:
        schema_editor.remove_index(apps.get_model("tickets", model), index)
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {SEARCH_CONFIG}")


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0002_timelineentry_actor_name"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
