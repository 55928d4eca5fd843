"""The JSON parser of every API endpoint: malformed or too deep is a 400, never a 500.

Python's `json` module parses nesting recursively: `[[[…]]]` a thousand levels
deep raises RecursionError, which DRF's JSONParser does not catch (it catches
ValueError only), so an anonymous POST to /api/auth/login answered 500. No
document of ours nests deeper than a few levels, so anything deeper than
`MAX_DEPTH` is refused too, before a serializer walks it.
"""
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(too_deep_message()) from exc
        if depth_exceeds(data, MAX_DEPTH):
            raise ParseError(too_deep_message())
        return data


def too_deep_message():
    return _("JSON trop imbriqué : au plus %(max)d niveaux de listes ou d'objets.") % {"max": MAX_DEPTH}


def depth_exceeds(document, limit):
    """True if lists/objects nest more than `limit` levels. Iterative: no recursion to exhaust."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
