def test_a_ticket_gets_a_number_in_the_original_format(make_ticket):
    ticket = make_ticket()
    assert ticket.ticket_id.startswith("IGP-POLISSEUSE-DOUBLE EDGER-")
