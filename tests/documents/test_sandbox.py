"""Templates run sandboxed: no way to Python internals, no way to spend unbounded time or
memory, and values printed as written in the Markdown."""

from __future__ import annotations

import time

import pytest

from qudao.documents.sandbox import (
    TemplateRefused,
    escape_markdown,
    keep_line_breaks,
    render_template,
)

CONTEXT = {"name": "A*B_c|d", "tiers": [1, 2, 3, 4, 5], "partner": {"name": "Alpha"}}

ESCAPES = {
    "mro": "{{ ''.__class__.__mro__ }}",
    "cycler globals": "{{ cycler.__init__.__globals__ }}",
    "template reference": "{{ self._TemplateReference__context }}",
    "underscore item": "{{ name['__class__'] }}",
    "underscore built at run time": "{% set a = '__cla' ~ 'ss__' %}{{ name[a] }}",
    "private attribute": "{{ partner._sa_instance_state }}",
    "attr filter": "{{ name|attr('__class__') }}",
    "map attribute": "{{ tiers|map(attribute='__class__')|list }}",
    "str.format": "{{ '{0.__class__}'.format(name) }}",
    "mutating a list": "{{ tiers.append(6) }}",
    "include": "{% include 'secrets.txt' %}",
    "import": "{% import 'macros.html' as m %}",
    "extends": "{% extends 'base.html' %}",
    "lipsum": "{{ lipsum(10) }}",
    "namespace": "{% set ns = namespace(a=1) %}",
}
RESOURCE_ATTACKS = {
    "huge range": ("{% for i in range(10**9) %}{% endfor %}", "range()"),
    "string multiplication": ("{{ 'x' * 1000000000 }}", "too large"),
    "nested loops": ("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}"
                     "{% endfor %}", "too much work"),
    "doubling concatenations": (
        "{% set a = 'xxxxxxxxxx' %}" + "".join(
            f"{{% set {b} = {a}~{a}~{a}~{a}~{a}~{a}~{a}~{a}~{a}~{a} %}}"
            for a, b in zip("abcdef", "bcdefg", strict=True)), "too large"),
    "doubling block sets": (
        "{% set a %}" + "x" * 100 + "{% endset %}" + "".join(
            f"{{% set {b} %}}" + f"{{{{ {a} }}}}" * 10 + "{% endset %}"
            for a, b in zip("abcde", "bcdef", strict=True)), "too large"),
    "exponential macro": ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}"
                          "{% endmacro %}{{ f(40) }}", "too much work"),
    "endless recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "too deeply"),
    "padding method": ("{{ 'x'.ljust(1000000000) }}", "cannot be called"),
    "percent formatting": ("{{ '%999999999s' % 'x' }}", "percent operator"),
    "center filter": ("{{ 'x'|center(1000000000) }}", "No filter named 'center'"),
    "huge power": ("{{ 2 ** 100000 }}", "too large"),
    "joined copies": ("{% set a = 'x' * 400000 %}{{ [a, a, a]|join }}", "too large"),
}


@pytest.mark.parametrize("body", ESCAPES.values(), ids=ESCAPES.keys())
def test_escapes_are_refused(body: str) -> None:
    with pytest.raises(TemplateRefused) as refused:
        render_template(body, CONTEXT)
    assert refused.value.status == 422
    assert refused.value.field == "body"
    assert "Line 1" in refused.value.render("en") or "undefined" in refused.value.render("en")


@pytest.mark.parametrize(("body", "reason"), RESOURCE_ATTACKS.values(),
                         ids=RESOURCE_ATTACKS.keys())
def test_resource_attacks_are_refused_quickly(body: str, reason: str) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateRefused) as refused:
        render_template(body, CONTEXT)
    message = refused.value.render("en")
    # On a loaded machine the time limit may trip before the work limit: both refuse.
    assert reason in message or "takes too long to render" in message
    assert time.monotonic() - started < 5


def test_a_refusal_names_the_line_in_both_languages() -> None:
    with pytest.raises(TemplateRefused) as refused:
        render_template("# Title\n\nfine\n{{ name.__class__ }}\n", CONTEXT)
    assert refused.value.render("en").startswith("Line 4:")
    assert "__class__" in refused.value.render("zh-CN")


def test_an_unknown_placeholder_is_named() -> None:
    with pytest.raises(TemplateRefused) as refused:
        render_template("Hello {{ partner.nickname }}", CONTEXT)
    assert "nickname" in refused.value.render("en")


def test_ordinary_templates_work() -> None:
    body = ("# {{ partner.name|upper }}\n"
            "{% for t in tiers if t > 2 %}\n"
            "- {{ loop.index }}: {{ t }}{% if loop.last %} (last){% endif %}\n"
            "{% endfor %}\n"
            "{% macro sign(who) %}[{{ who }}]{% endmacro %}{{ sign('x') }}\n"
            "{{ tiers|join(', ') }} {{ tiers|length }} {{ 'a b'.split()|list|length }}\n")
    assert render_template(body, CONTEXT) == (
        "# ALPHA\n- 1: 3\n- 2: 4\n- 3: 5 (last)\n[x]\n1, 2, 3, 4, 5 5 2\n")


def test_values_are_printed_as_written_unless_marked_as_markdown() -> None:
    out = render_template("{{ name }} / {{ name|markdown }}", CONTEXT)
    assert out == "A\\*B\\_c\\|d / A*B_c|d"


def test_markdown_escaping_keeps_lines_and_refuses_block_starts() -> None:
    assert escape_markdown("- one\n2. two\n\nthird") == "\\- one\\\n2\\. two\n\nthird"
    assert escape_markdown("2026-01-15 <b>") == "2026-01-15 \\<b\\>"


def test_a_line_of_text_ending_with_a_tag_keeps_its_line_break() -> None:
    assert keep_line_breaks("{% if a %}\nText{% endif %}\n{% endif %}") == \
        "{% if a %}\nText{% endif +%}\n{% endif %}"
    body = "Start\n{% if partner %}\nWith {{ partner.name }}{% if true %}!{% endif %}\n" \
           "{% endif %}\n\nNext\n"
    assert render_template(body, CONTEXT) == "Start\nWith Alpha!\n\nNext\n"


def test_printing_a_whole_mapping_is_refused() -> None:
    with pytest.raises(TemplateRefused, match="whole group"):
        render_template("{{ partner }}", CONTEXT)
