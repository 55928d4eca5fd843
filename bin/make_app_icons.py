"""Make the app's PNG icons (static/pwa/) from static/favicon.svg.

Run once when the logo changes; the PNGs are committed.

cairosvg is not a dependency: python3 -m venv /tmp/icons && /tmp/icons/bin/pip install cairosvg &&
/tmp/icons/bin/python bin/make_app_icons.py static/pwa static/favicon.svg
"""
import sys

import cairosvg

out = sys.argv[1]
PATH = "M9 23V9h3v14zm6 0V9h5a5 5 0 0 1 0 10h-2v4zm3-7h2a2 2 0 0 0 0-4h-2z"
SLATE, CYAN = "#334155", "#22d3ee"
# "any": the favicon itself, rounded corners, transparent outside.
regular = open(sys.argv[2]).read()
# "maskable": full-bleed background, glyph inside the central 80 % safe zone (here ~60 %).
maskable = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
            f'<rect width="32" height="32" fill="{SLATE}"/>'
            f'<g transform="translate(16 16) scale(0.68) translate(-16 -16)">'
            f'<path d="{PATH}" fill="{CYAN}"/></g></svg>')
# Badge (Android status bar): a white glyph on transparent; the system paints it.
badge = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
         f'<g transform="translate(16 16) scale(1.3) translate(-16 -16)"><path d="{PATH}" fill="#fff"/></g></svg>')
# Apple touch icon: iOS rounds corners itself and shows black behind transparency.
apple = maskable
for name, svg, size in [("icon-192.png", regular, 192), ("icon-512.png", regular, 512),
                        ("icon-maskable-192.png", maskable, 192), ("icon-maskable-512.png", maskable, 512),
                        ("badge-96.png", badge, 96), ("apple-touch-icon.png", apple, 180)]:
    cairosvg.svg2png(bytestring=svg.encode(), write_to=f"{out}/{name}", output_width=size, output_height=size)
    print(name)
