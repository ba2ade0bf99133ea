"""The Jinja sandbox users' email templates run in, bounded in work and time for any template.

A template is user code that the API runs on preview and save, and the worker runs for every email.
Three bounds hold together, whatever the template does:

- size: no value the template builds (a product, a sum, a `~` concatenation, a filter's result, a
  slice, a `range`) is longer than MAX_VALUE_CHARS, and the rendered text is at most
  MAX_RENDERED_CHARS. Each single call into C code (a regex over a string, a join) therefore works
  on a bounded input and holds the interpreter only briefly, so other requests keep being served;
- work: every filter call, test, operator, attribute or item access, loop iteration and printed
  value counts against a budget of MAX_OPERATIONS operations and MAX_WORK_CHARS characters
  processed (a filter's input and output, the values built, the text printed): deterministic, so a
  template refused on save is refused the same way every time;
- time: at each of those points the render also checks a deadline of RENDER_SECONDS (measured with
  time.monotonic(), an operational bound rather than domain time), which catches whatever the work
  count models imperfectly.

Statements that let a template loop, recurse or grow without bound are refused before it runs:
assignments, macros, includes, nested loops; calls are refused except `range`.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2 import StrictUndefined, meta, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment, SecurityError

MAX_RENDERED_CHARS = 200_000
# The longest value a template may build: far more than any email needs, small enough that one
# filter over it (striptags, title, the Markdown escaping of a printed value) takes milliseconds.
MAX_VALUE_CHARS = 20_000
MAX_OPERATIONS = 50_000
MAX_WORK_CHARS = 400_000
RENDER_SECONDS = 2.0
MAX_INT_BITS = 4096
MAX_LOOP_ITEMS = 1000

# Statements an email template has no use for, and that would let it loop, recurse or grow without
# bound: assignments (doubling a string each line), macros (recursion), includes and imports.
FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from %}",
    nodes.Extends: "{% extends %}",
}
# Filters that keep text about its size. The others can build huge values from a short template
# (center(10**9), join, replace, format, indent, wordwrap, batch...) or have no use in an email.
SAFE_FILTERS = frozenset(
    {"abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "int", "last", "length"}
    | {"lower", "round", "safe", "string", "striptags", "title", "trim", "upper", "wordcount"}
)


class TemplateTooCostly(SecurityError):
    """The template went over a bound on size, work or time."""


class RenderBudget:
    """What one render may still spend; one per render of a subject and body together."""

    __slots__ = ("chars", "deadline", "operations", "seconds")

    def __init__(self, seconds: float = RENDER_SECONDS) -> None:
        self.operations = 0
        self.chars = 0
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def tick(self, chars: int = 0) -> None:
        self.operations += 1
        self.chars += chars
        if self.operations > MAX_OPERATIONS:
            raise TemplateTooCostly(
                f"the template does too much work (more than {MAX_OPERATIONS:,} operations); "
                "use fewer loop items or filters"
            )
        if self.chars > MAX_WORK_CHARS:
            raise TemplateTooCostly(
                f"the template does too much work (it processes more than {MAX_WORK_CHARS:,} characters); "
                "use shorter values or fewer loop items"
            )
        if time.monotonic() > self.deadline:
            raise TemplateTooCostly(f"the template took longer than {self.seconds:g} s to render")


_budget: ContextVar[RenderBudget | None] = ContextVar("template_render_budget", default=None)


@contextmanager
def budgeted(seconds: float = RENDER_SECONDS) -> Iterator[RenderBudget]:
    """A budget for the renders inside (kept if one is already running: subject and body share one)."""
    current = _budget.get()
    if current is not None:
        yield current
        return
    budget = RenderBudget(seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


@contextmanager
def compiling() -> Iterator[None]:
    """No budget while Jinja compiles: every filter, test and attribute access then refuses to run,
    so Jinja cannot fold them into constants at compile time (`'1e999'|float` became the name `inf`)."""
    outer = _budget.get()
    started = time.monotonic()
    token = _budget.set(None)
    try:
        yield
    finally:
        _budget.reset(token)
        if outer is not None:
            # Compiling is bounded by the template's size and cached: it does not count as rendering.
            outer.deadline += time.monotonic() - started


def _spend(chars: int = 0) -> None:
    budget = _budget.get()
    if budget is None:
        # Outside a render (Jinja folding constants at compile time): nothing may run there.
        raise TemplateTooCostly("this expression cannot run outside a render")
    budget.tick(chars)


def size_of(value: Any, limit: int = MAX_VALUE_CHARS) -> int:
    """Characters (and items) in a value, counted through lists and dicts; stops soon after `limit`."""
    total = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 1
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, list | tuple | set | frozenset | dict | range):
            total += len(item) + 1
            if depth > 20:
                return limit + 1
            if isinstance(item, range):
                continue
            children = itertools.chain.from_iterable(item.items()) if isinstance(item, dict) else item
            for child in children:
                stack.append((child, depth + 1))
                if total + len(stack) > limit:
                    return limit + 1
        else:
            total += 1
        if total > limit:
            return limit + 1
    return total


def _check_built(value: Any, what: str = "a value the template builds") -> Any:
    size = size_of(value)
    if size > MAX_VALUE_CHARS:
        raise TemplateTooCostly(f"{what} would be longer than {MAX_VALUE_CHARS:,} characters")
    _spend(size)
    return value


def _metered(function: Callable[..., Any], kind: str, name: str) -> Callable[..., Any]:
    """A filter or test that counts its input and output, and refuses to build an oversized value."""

    @functools.wraps(function)  # keeps Jinja's pass_context/pass_eval_ctx marker
    def metered(*args: Any, **kwargs: Any) -> Any:
        inputs = sum(size_of(arg) for arg in itertools.chain(args, kwargs.values()))
        _spend(inputs)
        result = function(*args, **kwargs)
        size = size_of(result)
        if size > MAX_VALUE_CHARS and size > inputs:
            raise TemplateTooCostly(f"the {kind} {name!r} would build more than {MAX_VALUE_CHARS:,} characters")
        _spend(size)
        return result

    return metered


def _loop_items(value: Any) -> Iterator[Any]:
    """Every `{% for %}` iterates through this: at most MAX_LOOP_ITEMS items, each one counted."""
    items = list(itertools.islice(iter(value), MAX_LOOP_ITEMS + 1))
    if len(items) > MAX_LOOP_ITEMS:
        raise TemplateTooCostly(f"a loop may go over at most {MAX_LOOP_ITEMS} items")
    _spend(len(items))
    for item in items:
        _spend()
        yield item


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_LOOP_ITEMS:
        raise TemplateTooCostly(f"range() may have at most {MAX_LOOP_ITEMS} numbers")
    return numbers


def _too_big_int(value: Any) -> bool:
    return isinstance(value, int) and value.bit_length() > MAX_INT_BITS


class _BoundedCodeGenerator(CodeGenerator):
    """`~` concatenation goes through the environment, which measures it before joining."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class TemplateSandbox(SandboxedEnvironment):
    """Jinja's sandbox, narrowed to what an email needs and metered (see the module docstring)."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset(["+", "-", "*", "/", "//", "%", "**"])
    intercepted_unops = frozenset(["-", "+"])

    def __init__(self, **options: Any) -> None:
        # No constant folding: Jinja would run filters and operators at compile time, outside the budget.
        super().__init__(optimized=False, **options)
        self.filters = {name: _metered(f, "filter", name) for name, f in self.filters.items() if name in SAFE_FILTERS}
        self.filters["_loop_items"] = _loop_items
        self.tests = {name: _metered(f, "test", name) for name, f in self.tests.items()}
        self.globals = {"range": _range}

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        # str methods (center, ljust, zfill, format, join, replace...) allocate what their arguments
        # ask for before anything can measure it; `loop(...)` and `self.block()` would recurse.
        _spend()
        if obj is not _range:
            raise SecurityError("calling functions or methods is not allowed in email templates; use a filter")
        return _check_built(obj(*args, **kwargs), "range()")

    def getattr(self, obj: Any, attribute: str) -> Any:
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _spend()
        value = super().getitem(obj, argument)
        return _check_built(value) if isinstance(argument, slice) else value

    def call_unop(self, context: Any, operator_name: str, arg: Any) -> Any:
        _spend()
        return super().call_unop(context, operator_name, arg)

    def bounded_concat(self, context: Any, values: tuple[Any, ...]) -> str:
        total = sum(size_of(value) for value in values)
        if total > MAX_VALUE_CHARS:
            raise TemplateTooCostly(_TOO_LONG)
        _spend(total)
        join = markup_join if context.eval_ctx.autoescape else str_join
        return join(values)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        _spend()
        if _too_big_int(left) or _too_big_int(right):
            raise TemplateTooCostly("the number would be too large")
        if operator_name == "%" and isinstance(left, str):
            raise SecurityError("% formatting is not allowed in email templates; use {{ }}")
        both_ints = isinstance(left, int) and isinstance(right, int)
        if operator_name == "**":
            if both_ints and left.bit_length() * abs(right) > MAX_INT_BITS:
                raise TemplateTooCostly("the number would be too large")
            if isinstance(right, int | float) and abs(right) > 100:
                raise TemplateTooCostly("exponent too large")
        if operator_name == "*" and both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateTooCostly("the number would be too large")
        if _built_size(operator_name, left, right) > MAX_VALUE_CHARS:
            raise TemplateTooCostly(_TOO_LONG)
        result = self.binop_table[operator_name](left, right)
        if isinstance(result, str | list | tuple):
            _spend(size_of(result))
        return result


_TOO_LONG = f"a value the template builds would be too long (over {MAX_VALUE_CHARS:,} characters)"


def _built_size(operator_name: str, left: Any, right: Any) -> int:
    """How long the result of `*` or `+` on sequences would be, measured before it is built."""
    if operator_name == "*":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, str | list | tuple) and isinstance(count, int) and not isinstance(count, bool):
                return size_of(sequence) * max(count, 0)
    if operator_name == "+" and isinstance(left, str | list | tuple):
        return size_of(left) + size_of(right)
    return 0


def walk(node: nodes.Node) -> Iterator[nodes.Node]:
    """Every node under `node`, without recursion (Jinja's find_all nests a generator per level: a
    chain of 200 `+` took seconds)."""
    stack = list(node.iter_child_nodes())
    while stack:
        child = stack.pop()
        yield child
        stack.extend(child.iter_child_nodes())


def check_statements(ast: nodes.Template) -> tuple[int | None, str] | None:
    """The first statement or literal a template may not have: (line, why)."""
    for node in sorted(walk(ast), key=lambda n: n.lineno or 0):
        tag = FORBIDDEN_NODES.get(type(node))
        if tag is not None:
            return node.lineno, f"{tag} is not allowed in email templates"
        if isinstance(node, nodes.For):
            inner = next((n for n in walk(node) if isinstance(n, nodes.For)), None)
            if inner is not None:
                return inner.lineno, "loops inside loops are not allowed in email templates"
        if isinstance(node, nodes.Const) and (
            (isinstance(node.value, float) and not math.isfinite(node.value)) or _too_big_int(node.value)
        ):
            # Jinja would write infinity into the compiled code as the name `inf` (a NameError at render).
            return node.lineno, "a number in the template is too large"
    return None


class _Tracking(meta.TrackingCodeGenerator):
    def __init__(self, environment: TemplateSandbox) -> None:  # without Jinja's optimizer (quadratic)
        CodeGenerator.__init__(self, environment, "<introspection>", "<introspection>", optimized=False)
        self.undeclared_identifiers: set[str] = set()


def undeclared_variables(ast: nodes.Template) -> set[str]:
    """The names a template reads and does not set itself (jinja2.meta.find_undeclared_variables)."""
    tracking = _Tracking(ast.environment)  # type: ignore[arg-type]
    tracking.visit(ast)
    return tracking.undeclared_identifiers


def bound_loops(ast: nodes.Template) -> None:
    for loop in [n for n in walk(ast) if isinstance(n, nodes.For)]:
        loop.iter = nodes.Filter(loop.iter, "_loop_items", [], [], None, None, lineno=loop.lineno)


def sandbox(finalize: Callable[[Any], Any] | None = None) -> TemplateSandbox:
    return TemplateSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
