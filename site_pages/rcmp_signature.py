"""Draws static/vendor/gcds/rcmp-signature-{en,fr}.svg, the RCMP's Federal Identity Program signature: the
flag symbol, then the institution's name in both languages, the page's language first, laid out like the
GC signature of the GC Design System (cap height 31.7 units in a 78-unit-high box, the second line 43 units
below the first, 53 units between the columns, the text starting at x=218).

The flag symbol is the path of the GC signature (`@cdssnc/gcds-components`, gcds-signature/assets/
sig-blk-en.svg). The name is drawn as outlines of Liberation Sans (SIL OFL 1.1; metric-compatible with
Arial, a stand-in for the FIP's Helvetica), thickened a little to the GC signature's weight, so it looks
the same on every machine (an <img> cannot use the page's fonts).

Run by hand when the name or the layout changes; it needs fontTools, which is not a project dependency:

    python -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools
    /tmp/ft/bin/python site_pages/rcmp_signature.py \\
        node_modules/@cdssnc/gcds-components/dist/collection/components/gcds-signature/assets/sig-blk-en.svg \\
        static/vendor/gcds
"""

import re
import sys

FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"  # Debian: fonts-liberation
NAMES = {"en": ["Royal Canadian", "Mounted Police"], "fr": ["Gendarmerie royale", "du Canada"]}
TITLES = {"en": "Royal Canadian Mounted Police", "fr": "Gendarmerie royale du Canada"}
CAP_HEIGHT, LINE_GAP, COLUMN_GAP, TEXT_X = 31.7, 43, 53, 218


def main(signature_svg: str, out_dir: str) -> None:
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen
    from fontTools.ttLib import TTFont

    flag = re.search(r'<path d="([^"]+)" class="fip_flag"', open(signature_svg).read()).group(1)
    font = TTFont(FONT)
    glyphs, cmap, metrics = font.getGlyphSet(), font.getBestCmap(), font["hmtx"]
    scale = CAP_HEIGHT / font["OS/2"].sCapHeight

    def number(value):
        return f"{value:.1f}".rstrip("0").rstrip(".")

    def line(text, x0, baseline):
        pen = SVGPathPen(glyphs, ntos=number)
        advance = 0
        for char in text:
            glyph = cmap[ord(char)]
            glyphs[glyph].draw(TransformPen(pen, (scale, 0, 0, -scale, x0 + advance * scale, baseline)))
            advance += metrics[glyph][0]
        return pen.getCommands(), advance * scale

    def column(lines, x0):
        drawn = [line(text, x0, CAP_HEIGHT + LINE_GAP * i) for i, text in enumerate(lines)]
        return " ".join(d for d, _ in drawn), max(w for _, w in drawn)

    for lang, other in (("en", "fr"), ("fr", "en")):
        first, first_width = column(NAMES[lang], TEXT_X)
        second_x = TEXT_X + first_width + COLUMN_GAP
        second, second_width = column(NAMES[other], second_x)
        width = round(second_x + second_width + 2)
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 78" role="img" '
               f'aria-label="{TITLES[lang]}"><title>{TITLES[lang]}</title>'
               f'<path fill="#eb2d37" d="{flag}"/>'
               f'<g fill="#000" stroke="#000" stroke-width="1.1" stroke-linejoin="round">'
               f'<path d="{first}"/><path d="{second}"/></g></svg>\n')
        with open(f"{out_dir}/rcmp-signature-{lang}.svg", "w") as out:
            out.write(svg)
        print(lang, width, len(svg))


if __name__ == "__main__":
    main(*sys.argv[1:3])
