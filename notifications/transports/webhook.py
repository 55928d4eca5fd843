"""The overdue webhook: one signed POST of a prepared alert, through `delivery.post`.

Building the payload and the Standard Webhooks headers stays in `delivery`
(`build_payload`, `signature_headers`) and recording in `services`; this module
only sends, bounded by the destination's total deadline, and never raises for a
network fault (`delivery.post` turns every failure into an `Outcome`). A 410
Gone answer is `gone`: the scan switches the destination off.
"""
from dataclasses import replace

from .. import delivery

GONE = 410


def send(attempt):
    """POST `attempt.body` with `attempt.headers` to its endpoint. Returns a `delivery.Outcome`."""
    endpoint = attempt.delivery.endpoint
    outcome = delivery.post(endpoint.url, attempt.body, attempt.headers, total_timeout=endpoint.total_timeout)
    return replace(outcome, gone=True) if outcome.status == GONE else outcome


def lane(attempt):
    return ("webhook", attempt.delivery.endpoint.pk)
