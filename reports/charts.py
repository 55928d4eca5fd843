"""Bar charts drawn on the server as SVG: no JavaScript, no CDN, the same on every phone.

Horizontal bars, each row's label on its own line above its bars, so a long machine name
never squeezes the bars on a 390 px screen. The chart is a picture (aria-hidden is not set:
it has role="img" and a label); the same numbers are in the table beside it.
"""
from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 340
LABEL = 19
BAR = 15
GAP = 3
ROW_GAP = 10
VALUE_ROOM = 64  # Room at the right of the longest bar for its number.


def bar_chart(rows, *, label, series, title, fmt=str):
    """`rows`: dicts; `label(row)`: its words; `series`: [(value(row) -> number, css class, name)]."""
    peak = max((value(r) or 0 for r in rows for value, _css, _name in series), default=0) or 1
    scale = (WIDTH - VALUE_ROOM) / peak
    parts, y = [], 0
    for row in rows:
        y += LABEL - 4
        parts.append(f'<text x="0" y="{y}">{escape(label(row))}</text>')
        y += 4
        for value, css, name in series:
            amount = value(row) or 0
            width = max(round(amount * scale, 1), 1 if amount else 0)
            parts.append(f'<rect class="{css}" x="0" y="{y}" width="{width}" height="{BAR}" rx="2">'
                         f'<title>{escape(name)} : {escape(fmt(amount))}</title></rect>')
            parts.append(f'<text x="{width + 4}" y="{y + BAR - 3}">{escape(fmt(amount))}</text>')
            y += BAR + GAP
        y += ROW_GAP
    height = max(y, 20)
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
