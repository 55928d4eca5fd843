"""What the search box and the API's `?search=` find, on each database.

Every word of the query must be found somewhere on the ticket: its number, its
title or description, its machine (type, model, location, serial number) or
one of its comments. On PostgreSQL the words are matched by full-text search
with the French stemmer after removing accents ("fuites" finds "fuite",
"degat" finds "dégât"), as prefixes (a word being typed already finds), on GIN
expression indexes created by migration 0003; on SQLite (development, tests)
each word is a case-insensitive substring, accents included.

Each field group is matched by a subquery that PostgreSQL runs once and hashes
("hashed SubPlan"), so the search is still one query and the text matching
happens on the indexes, never row by row in Python.
"""
import re

from django.db.models import Func, IntegerField, Q
from django.db.models.lookups import Exact

# The French stemmer after `unaccent`, created by tickets/migrations/0003 on PostgreSQL.
SEARCH_CONFIG = "igp_french"
# A longer query is cut: each word adds three subqueries.
MAX_WORDS = 8
# The fields each GIN index covers, in this order: the query must build the same expression.
TICKET_TEXT_FIELDS = ("title", "description")
MACHINE_TEXT_FIELDS = ("machine_type", "model", "location", "serial_number")
COMMENT_TEXT_FIELDS = ("body",)

_TOKENS = re.compile(r"[^\W_]+")


def search_words(text):
    return (text or "").split()[:MAX_WORDS]


def document(*fields):
    """The tsvector the indexes hold; the same expression in the index and in the query."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*fields, config=SEARCH_CONFIG)


class _NumNode(Func):
    function = "numnode"
    output_field = IntegerField()


def _fulltext_query(word):
    """`word` as a prefix query; only letters and digits reach the tsquery syntax."""
    from django.contrib.postgres.search import SearchQuery

    tokens = _TOKENS.findall(word)
    if not tokens:
        return None
    return SearchQuery(" & ".join(f"{token}:*" for token in tokens), search_type="raw", config=SEARCH_CONFIG)


def postgresql_word(word):
    from .models import Comment, Machine, Ticket

    by_number = Q(ticket_id__icontains=word)
    query = _fulltext_query(word)
    if query is None:
        return by_number
    return (
        by_number
        | Q(pk__in=Ticket.objects.annotate(doc=document(*TICKET_TEXT_FIELDS)).filter(doc=query).values("pk"))
        # Serial numbers ("WJ-1") are codes, not words: the parser would read "-1" as a number.
        | Q(machine__in=Machine.objects.annotate(doc=document(*MACHINE_TEXT_FIELDS))
            .filter(Q(doc=query) | Q(serial_number__icontains=word)).values("pk"))
        | Q(pk__in=Comment.objects.annotate(doc=document(*COMMENT_TEXT_FIELDS)).filter(doc=query)
            .values("ticket_id"))
        # A stop word ("de", "la", "d'") says nothing: it must not make the search find nothing.
        | Q(Exact(_NumNode(query), 0))
    )


def substring_word(word):
    from .models import Comment

    in_ticket = Q(ticket_id__icontains=word)
    for field in TICKET_TEXT_FIELDS:
        in_ticket |= Q(**{f"{field}__icontains": word})
    for field in MACHINE_TEXT_FIELDS:
        in_ticket |= Q(**{f"machine__{field}__icontains": word})
    return in_ticket | Q(pk__in=Comment.objects.filter(body__icontains=word).values("ticket_id"))
