"""A rendered document as a standalone, printable web page; WeasyPrint prints the same page
to PDF. The CSS names the CJK fonts first, so that Chinese is drawn with a real font."""

from __future__ import annotations

from html import escape

from qudao.core.i18n import LocaleCode

FONT_STACK = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'

STYLE = """
@page {
  size: A4;
  margin: 22mm 20mm 24mm 20mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8.5pt; color: #555; }
}
html { font-family: FONTS; font-size: 10.5pt; line-height: 1.65; color: #111; }
/* The CJK fonts have no bold or italic faces: English text takes a Latin face first. */
html:lang(en) { font-family: "DejaVu Sans", "Liberation Sans", FONTS; }
body { margin: 0 auto; max-width: 46rem; padding: 2rem 1.5rem; }
@media print { body { max-width: none; padding: 0; } }
h1 { font-size: 18pt; line-height: 1.3; text-align: center; margin: 0 0 1.2em; }
h2 { font-size: 12.5pt; margin: 1.5em 0 .5em; break-after: avoid; }
h3 { font-size: 11pt; margin: 1.2em 0 .4em; break-after: avoid; }
p { margin: 0 0 .7em; text-align: justify; }
/* Justified Chinese would only stretch the few spaces of a line: keep it ragged. */
html:lang(zh-CN) p { text-align: left; }
ul, ol { margin: 0 0 .8em; padding-left: 1.6em; }
li { margin: .15em 0; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; break-inside: avoid; }
th, td { border: 1px solid #8a8a8a; padding: 4pt 6pt; text-align: left; vertical-align: top; }
th { background: #eeeeee; font-weight: bold; }
blockquote { margin: 0 0 1em; padding: .2em 0 .2em 1em; border-left: 3px solid #bbbbbb;
  color: #333; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 9.5pt; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: .6em .8em; }
hr { border: 0; border-top: 1px solid #999; margin: 1.6em 0; }
a { color: inherit; }
""".replace("FONTS", FONT_STACK)


def page(fragment: str, *, title: str, locale: LocaleCode) -> str:
    """The whole page around a rendered fragment (markdown-it's output, HTML escaped)."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{locale}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="generator" content="qudao">\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n<article>\n{fragment}</article>\n"
        "</body>\n</html>\n"
    )
