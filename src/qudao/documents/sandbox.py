"""Document templates run in Jinja's immutable sandbox, with limits on what they may spend.

The sandbox keeps a template away from Python internals (no ``_`` attributes, no mutation
of lists and dicts, only the callables listed here). On top of it every render has a budget:
loop iterations and calls are counted, strings and lists may not grow past a size, integers
past a number of bits, and the whole render has a time limit. A template cannot load another
template: there is no loader, and ``include``/``import``/``extends`` are refused.

Every ``{{ value }}`` is escaped for Markdown, so that a partner called ``A*B*`` is printed as
written instead of turning into emphasis; ``{{ text|markdown }}`` keeps text as Markdown.
"""

from __future__ import annotations

import functools
import re
import time
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import (
    StrictUndefined,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    nodes,
    pass_context,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, Context, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, LocaleCode, translate

MAX_TEMPLATE_CHARS = 100_000
# Any one string or list made while rendering, and the rendered document itself.
MAX_TEXT = 500_000
# Loop iterations and calls of one render, together.
MAX_STEPS = 200_000
MAX_RANGE = 1_000
MAX_INT_BITS = 4_096
TIME_LIMIT_SECONDS = 3.0
TEMPLATE_NAME = "<template>"

_BLOCK_TAG = re.compile(r"\{%.*?%\}")
_LOOP_GUARD = "qudao_loop_guard"
_CONCAT_GUARD = "qudao_concat_guard"
# Filters that cannot build something much larger than what they are given.
_FILTERS = ("abs", "capitalize", "count", "d", "default", "dictsort", "first", "int", "last",
            "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "reverse",
            "round", "select", "selectattr", "sort", "title", "trim", "truncate", "unique",
            "upper", "wordcount")
_STR_METHODS = frozenset({"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip",
                          "startswith", "endswith", "split", "splitlines", "isdigit", "count",
                          "find"})
_MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
_SEQUENCE_METHODS = frozenset({"index", "count"})
_LOOP_METHODS = frozenset({"cycle", "changed"})
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
# Line starts that would open a list, a heading, a quote or a rule.
_BLOCK_START = re.compile(r"^(\d{1,9}(?=[.)])|(?=[-+=#>]))")


class TemplateRefused(Unprocessable):
    """A template that breaks a rule of the sandbox, or fails with the sample data."""

    code = "template_refused"

    def render(self, locale: LocaleCode) -> str:
        return str(_translated(Reason(self.message, self.params), locale))


def _translated(value: object, locale: LocaleCode) -> object:
    """Reasons inside a message are translated with it, however deeply nested."""
    if not isinstance(value, Reason):
        return value
    params = {name: _translated(item, locale) for name, item in value.params.items()}
    return translate(locale, value.message, **params)


class ResourceLimit(SecurityError):
    """A template that spends more than its budget: carries a translatable message."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.text = message
        self.values = params


class MarkdownSource(str):
    """Text that is Markdown already: printed as it is, not escaped again."""

    __slots__ = ()


@dataclass
class _Budget:
    steps: int
    deadline: float

    def tick(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise ResourceLimit(N_("The template does too much work (more than %(n)s loop "
                                   "steps and calls)."), n=MAX_STEPS)
        if time.monotonic() > self.deadline:
            raise ResourceLimit(N_("The template takes too long to render (more than "
                                   "%(seconds)s seconds)."), seconds=int(TIME_LIMIT_SECONDS))


_budget: ContextVar[_Budget | None] = ContextVar("qudao_template_budget", default=None)


def _tick() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.tick()


def _too_large() -> ResourceLimit:
    return ResourceLimit(N_("The template builds a text or list that is too large (more than "
                            "%(n)s characters or items)."), n=MAX_TEXT)


def _check_size(value: object) -> None:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset) \
            and len(value) > MAX_TEXT:
        raise _too_large()
    if isinstance(value, int) and not isinstance(value, bool) \
            and value.bit_length() > MAX_INT_BITS:
        raise _too_big_number()


def _too_big_number() -> ResourceLimit:
    return ResourceLimit(N_("The template computes a number that is too large (more than "
                            "%(bits)s bits)."), bits=MAX_INT_BITS)


def escape_markdown(text: str) -> str:
    """Text shown as written in Markdown: characters that start markup are escaped, a line
    break stays a line break and a blank line starts a new paragraph."""
    paragraphs: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if not stripped:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", stripped)
        paragraphs[-1].append(_BLOCK_START.sub(r"\1\\", escaped, count=1))
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)


def _text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, MarkdownSource):
        return value
    if isinstance(value, str):
        return escape_markdown(value)
    if isinstance(value, list | tuple):
        parts = [_text_of(item) for item in value]
        if sum(len(p) for p in parts) > MAX_TEXT:
            raise _too_large()
        return ", ".join(parts)
    if isinstance(value, Mapping):
        raise ResourceLimit(N_("A template cannot print a whole group of values; print its "
                               "fields, such as partner.name."))
    return escape_markdown(str(value))


def _bounded_join(parts: Iterable[object]) -> MarkdownSource:
    """Joins rendered output (a document, a macro, a block ``set``), stopping at the limit
    while the pieces still arrive."""
    pieces: list[str] = []
    size = 0
    for part in parts:
        text = str(part)
        size += len(text)
        if size > MAX_TEXT:
            raise _too_large()
        pieces.append(text)
    return MarkdownSource("".join(pieces))


def _range(*args: int) -> range:
    _tick()
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise ResourceLimit(N_("range() may give at most %(n)s numbers in a template."),
                            n=MAX_RANGE)
    return numbers


@pass_context
def _loop_guard(_context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _tick()
        yield item


@pass_context
def _concat_guard(_context: Context, parts: list[Any]) -> str:
    _tick()
    texts = [str(part) for part in parts]
    if sum(len(t) for t in texts) > MAX_TEXT:
        raise _too_large()
    return "".join(texts)


def _markdown(value: object) -> MarkdownSource:
    return MarkdownSource("" if value is None else str(value))


def _join(value: Iterable[Any], d: str = "") -> str:
    texts = [str(item) for item in value]
    if sum(len(t) for t in texts) + len(d) * max(0, len(texts) - 1) > MAX_TEXT:
        raise _too_large()
    return d.join(texts)


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps Jinja's pass_context/pass_environment marks
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _tick()
        result = function(*args, **kwargs)
        _check_size(result)
        return result

    return wrapper


def _check_binop(operator: str, left: Any, right: Any) -> None:
    sized = (str, list, tuple)
    if operator == "%" and isinstance(left, str):
        raise ResourceLimit(N_("Formatting text with the percent operator is not available in "
                               "templates; write the text around the placeholder instead."))
    if operator == "**":
        if isinstance(right, int) and right > 0 and isinstance(left, int):
            if max(1, abs(left).bit_length()) * right > MAX_INT_BITS:
                raise _too_big_number()
        elif isinstance(right, int) and right > MAX_INT_BITS:
            raise _too_big_number()
    if operator == "*":
        if isinstance(left, sized) and isinstance(right, int):
            if len(left) * right > MAX_TEXT:
                raise _too_large()
        elif isinstance(right, sized) and isinstance(left, int):
            if len(right) * left > MAX_TEXT:
                raise _too_large()
        elif isinstance(left, int) and isinstance(right, int) \
                and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise _too_big_number()
    if operator == "+" and isinstance(left, sized) and isinstance(right, sized) \
            and len(left) + len(right) > MAX_TEXT:
        raise _too_large()


class _Guard(NodeTransformer):
    """Routes every loop and every ``~`` through the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _LOOP_GUARD, [], [], None, None,
                                 lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), _CONCAT_GUARD, [], [],
                            None, None, lineno=node.lineno)


def _refuse(node: nodes.Node, message: str, **params: object) -> TemplateRefused:
    return TemplateRefused(N_("Line %(line)s: %(reason)s"), field="body", line=node.lineno,
                           reason=Reason(message, params))


@dataclass(frozen=True)
class Reason:
    """A translatable reason inside another message: translated when the error is shown."""

    message: str
    params: Mapping[str, object]

    def __str__(self) -> str:
        return self.message % dict(self.params) if self.params else self.message


def _check_tree(tree: nodes.Template) -> None:
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        raise _refuse(node, N_("a template cannot load other templates."))
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise _refuse(loop, N_("recursive loops are not available in templates."))
    for getattr_node in tree.find_all(nodes.Getattr):
        if getattr_node.attr.startswith("_"):
            raise _refuse(getattr_node, N_("names that start with _ cannot be used in "
                                           "templates (%(name)s)."), name=getattr_node.attr)
    for item in tree.find_all(nodes.Getitem):
        key = item.arg
        if isinstance(key, nodes.Const) and isinstance(key.value, str) \
                and key.value.startswith("_"):
            raise _refuse(item, N_("names that start with _ cannot be used in templates "
                                   "(%(name)s)."), name=key.value)


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The one environment of document templates: no loader, few globals and filters."""

    intercepted_binops = frozenset({"+", "*", "**", "%", "/", "//", "-"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, finalize=_text_of,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                         auto_reload=False, cache_size=0)
        self.globals.clear()
        self.globals["range"] = _range
        builtin = self.filters
        self.filters = {name: _guarded(builtin[name]) for name in _FILTERS}
        self.filters["join"] = _guarded(_join)
        self.filters["markdown"] = _markdown
        self.filters[_LOOP_GUARD] = _loop_guard
        self.filters[_CONCAT_GUARD] = _concat_guard
        self.concat = _bounded_join  # type: ignore[method-assign]

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, Macro | BlockReference) or obj is _range:
            return True
        if isinstance(obj, types.BuiltinMethodType | types.MethodType):
            owner, name = obj.__self__, obj.__name__
            if isinstance(owner, str):
                return name in _STR_METHODS
            if isinstance(owner, Mapping):
                return name in _MAPPING_METHODS
            if isinstance(owner, list | tuple):
                return name in _SEQUENCE_METHODS
            if isinstance(owner, LoopContext):
                return name in _LOOP_METHODS
        return False

    def call(__self, __context: Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        _tick()
        if isinstance(__obj, Undefined):
            __obj()  # a StrictUndefined names the missing placeholder
        if not __self.is_safe_callable(__obj):
            raise ResourceLimit(N_("%(name)s cannot be called in a template."),
                                name=getattr(__obj, "__name__", type(__obj).__name__))
        for value in (*args, *kwargs.values()):
            _check_size(value)
        result = super().call(__context, __obj, *args, **kwargs)
        _check_size(result)
        return result

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        _check_size(result)
        return result


ENVIRONMENT = DocumentEnvironment()


@functools.lru_cache(maxsize=64)
def compile_template(body: str) -> Any:
    """Parses, checks and compiles a template; refuses what the sandbox does not allow."""
    if len(body) > MAX_TEMPLATE_CHARS:
        raise TemplateRefused(N_("A template may have at most %(n)s characters."),
                              field="body", n=MAX_TEMPLATE_CHARS)
    try:
        tree = ENVIRONMENT.parse(keep_line_breaks(body), name=TEMPLATE_NAME)
        _check_tree(tree)
        guarded = _Guard().visit(tree)
        guarded.set_environment(ENVIRONMENT)
        return ENVIRONMENT.from_string(guarded)
    except TemplateSyntaxError as error:
        raise TemplateRefused(N_("Line %(line)s: %(reason)s"), field="body",
                              line=error.lineno, reason=error.message or str(error)) from None


def keep_line_breaks(body: str) -> str:
    """A line made only of block tags disappears from the output (``trim_blocks``); a line
    of text that ends with a tag keeps its line break, as its author sees it. Jinja's ``+%}``
    asks for exactly that."""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        text = line.rstrip()
        if text.endswith("%}") and not text.endswith(("-%}", "+%}")) \
                and _BLOCK_TAG.sub("", text).strip():
            lines[index] = f"{text[:-2]}+%}}{line[len(text):]}"
    return "\n".join(lines)


def _template_line(error: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename == TEMPLATE_NAME]
    return frames[-1].lineno if frames else None


def render_template(body: str, context: Mapping[str, object]) -> str:
    """The Markdown a template makes from a context, within the sandbox and its budget."""
    template = compile_template(body)
    token = _budget.set(_Budget(steps=MAX_STEPS,
                                deadline=time.monotonic() + TIME_LIMIT_SECONDS))
    try:
        return str(template.render(dict(context)))
    except ResourceLimit as error:
        raise _located(error, TemplateRefused(error.text, field="body",
                                              **error.values)) from None
    except SecurityError as error:
        raise _located(error, TemplateRefused(
            N_("The template tried to reach something templates may not use: %(reason)s"),
            field="body", reason=str(error))) from None
    except UndefinedError as error:
        raise _located(error, TemplateRefused(
            N_("The template uses a placeholder that does not exist: %(reason)s"),
            field="body", reason=str(error))) from None
    except RecursionError:
        raise TemplateRefused(N_("The template calls itself too deeply."),
                              field="body") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
        raise _located(error, TemplateRefused(
            N_("The template failed while rendering: %(reason)s"), field="body",
            reason=f"{type(error).__name__}: {str(error)[:300]}")) from None
    finally:
        _budget.reset(token)


def _located(error: BaseException, refused: TemplateRefused) -> TemplateRefused:
    """Names the template line of a runtime error, where Jinja's traceback tells it."""
    line = _template_line(error)
    if line is None:
        return refused
    return TemplateRefused(N_("Line %(line)s: %(reason)s"), field="body", line=line,
                           reason=Reason(refused.message, refused.params))
