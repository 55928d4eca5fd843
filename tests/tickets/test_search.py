"""What `Ticket.objects.search()` finds: the board's search box and the API's `?search=` use it.

The same behaviour tests run on SQLite and on PostgreSQL (bin/test runs the suite
on each); the stemming, accent and index tests run where PostgreSQL is.
"""
import pytest
from django.db import connection

from tickets.models import Comment, Machine, Ticket

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")


def found(text, queryset=None):
    return set((Ticket.objects.all() if queryset is None else queryset).search(text).values_list("title", flat=True))


@pytest.fixture
def leak(make_ticket):
    return make_ticket(title="Fuite sur le vérin", description="Une fuite d'huile hydraulique sous la presse.")


@pytest.fixture
def grease(make_ticket, machine2):
    return make_ticket(title="Graissage des buses", description="Dégât sur le carter.", machine=machine2)


def test_a_word_of_the_description_finds_its_ticket(leak, grease):
    assert found("hydraulique") == {leak.title}


def test_a_word_of_a_comment_finds_its_ticket(leak, grease, technician):
    Comment.objects.create(ticket=grease, author=technician, body="Remplacé le roulement côté moteur.")
    assert found("roulement") == {grease.title}


def test_the_machine_is_found_by_its_type_model_location_or_serial_number(leak, grease):
    # grease is on the WaterJet Flow, serial WJ-1, "Atelier découpe"; leak on the Polisseuse.
    for text in ("waterjet", "flow", "découpe", "WJ-1"):
        assert found(text) == {grease.title}, text


def test_every_word_must_be_found_somewhere_on_the_ticket(leak, grease, technician):
    Comment.objects.create(ticket=leak, author=technician, body="Joint changé.")
    assert found("fuite joint") == {leak.title}  # title + comment
    assert found("fuite polisseuse") == {leak.title}  # title + machine
    assert found("fuite buses") == set()  # each word on a different ticket


def test_the_ticket_number_is_found_whole_or_by_a_part(leak, grease):
    assert found(grease.ticket_id) == {grease.title}
    assert found(grease.ticket_id[:12].lower()) == {grease.title}  # "igp-waterjet"
    date_part = grease.ticket_id.split("-")[-2]
    assert found(date_part) == {leak.title, grease.title}


def test_a_word_with_its_accents_is_found_on_every_database(leak, grease):
    assert found("dégât") == {grease.title}


def test_an_empty_query_finds_everything_and_a_comment_never_duplicates_a_ticket(leak, grease, technician):
    for body in ("fuite encore", "fuite toujours"):
        Comment.objects.create(ticket=leak, author=technician, body=body)
    assert Ticket.objects.search("   ").count() == 2
    assert list(Ticket.objects.search("fuite").values_list("title", flat=True)) == [leak.title]


def test_search_never_widens_what_a_person_may_see(leak, grease, operator):
    Comment.objects.create(ticket=grease, author=None, author_name="X", body="roulement")
    mine = Ticket.objects.visible_to(operator)
    assert found("roulement", mine) == set()


def test_quotes_and_tsquery_signs_in_the_query_are_plain_text(leak, grease):
    for text in ("fuite'", "fuite:*", "fuite & !", "(fuite)", "fuite|graissage", "\\", "'); --", "x" * 3000):
        found(text)  # no error, whatever it finds


@on_postgresql
def test_french_stemming_finds_the_other_forms_of_a_word(leak, grease):
    assert found("fuites") == {leak.title}
    assert found("huiles hydrauliques") == {leak.title}
    assert found("buse") == {grease.title}


@on_postgresql
def test_words_are_found_without_their_accents(leak, grease):
    assert found("degat") == {grease.title}
    assert found("VERIN") == {leak.title}


@on_postgresql
def test_a_word_being_typed_already_finds(leak, grease):
    assert found("hydrau") == {leak.title}


@on_postgresql
def test_stop_words_do_not_empty_the_result(leak, grease):
    assert found("fuite d'huile sous la presse") == {leak.title}
    assert found("(fuite)") == {leak.title}  # punctuation around a word is not part of it


@on_postgresql
def test_the_search_uses_the_full_text_indexes_of_tickets_and_comments(leak, grease):
    Machine.objects.create(machine_type="Four", model="Trempe")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = Ticket.objects.search("fuite").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_search_gin" in plan, plan
    assert "comment_search_gin" in plan, plan
