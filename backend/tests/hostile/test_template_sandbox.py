"""Email templates are user code: escapes out of the sandbox, and templates that would exhaust memory
or CPU, are refused with a 422 naming the field and line, in bounded time and memory. Nothing leaks."""

from __future__ import annotations

import resource
import time

import pytest

from duespark.email import templates
from duespark.email.templates import MAX_LOOP_ITEMS, SAFE_FILTERS, TemplateProblem, TemplateSource, spec_for
from tests.conftest import TEST_SECRET
from tests.helpers import register

SAMPLE = {v.name: v.example for v in templates.INVOICE_VARIABLES} | {"days_overdue": 3, "days_until_due": 0}
# What a leak would show: object reprs, module globals, source paths, the settings or the signing key.
LEAK_MARKERS = ("<class", "<function", "<module", "<built-in", "<bound", "Settings(", ".py", TEST_SECRET)

ESCAPES = {
    "mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "variable-class": "{{ client_name.__class__.__base__ }}",
    "cycler-globals": "{{ cycler.__init__.__globals__ }}",
    "joiner-globals": "{{ joiner.__init__.__globals__.os }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "namespace": "{{ namespace.__init__.__globals__ }}",
    "self-context": "{{ self._TemplateReference__context }}",
    "self-dict": "{{ self.__dict__ }}",
    "range-class": "{{ range.__self__ }}",
    "dunder-dict": "{{ client_name.__dict__ }}",
    "format-class": "{{ '{0.__class__}'.format(client_name) }}",
    "format-globals": "{{ '{0.__init__.__globals__}'.format(client_name) }}",
    "format-map": "{{ '{x.__class__}'.format_map({'x': client_name}) }}",
    "percent-format": "{{ '%s' % client_name.__class__ }}",
    "attr-filter": "{{ client_name|attr('__class__') }}",
    "map-attribute": "{{ [client_name]|map(attribute='__class__')|list }}",
    "getitem-dunder": "{{ client_name['__class__'] }}",
    "config": "{{ config.items() }}",
    "request": "{{ request.environ }}",
    "loop-context": "{% for i in range(2) %}{{ loop.__class__.__init__.__globals__ }}{% endfor %}",
}

EXHAUSTION = {
    "range-1e9": "{% for x in range(10**9) %}x{% endfor %}",
    "loop-printing-60kb-each": "{% for a in client_name * 5000 %}{{ client_name * 5000 }}{% endfor %}",
    "loop-building-silently": "{% for a in client_name * 38000 %}{% if a * 38000 %}{% endif %}{% endfor %}",
    "chained-products": "{{ " + " ~ ".join(["(client_name * 38000)"] * 200) + " | length }}",
    "join-of-products": "{{ (client_name * 38000) | join(client_name * 38000) }}",
    "replace-empty": "{{ (client_name * 38000) | replace('', client_name * 38000) }}",
    "center-filter": "{{ client_name | center(10**9) }}",
    "center-method": "{{ client_name.center(10**9) }}",
    "ljust-method": "{{ client_name.ljust(10**9) }}",
    "zfill-method": "{{ invoice_number.zfill(10**9) }}",
    "format-width": "{{ '{:>999999999}'.format(client_name) }}",
    "format-filter-width": "{{ '%999999999s' | format(client_name) }}",
    "percent-width": "{{ '%999999999s' % client_name }}",
    "indent-filter": "{{ client_name | indent(10**8, true) }}",
    "wordwrap-filter": "{{ (client_name * 38000) | wordwrap(1) }}",
    "lipsum": "{{ lipsum(n=100000) }}",
    "big-power": "{{ 9 ** 99999 }}",
    "list-repeat": "{{ [client_name] * 10**8 }}",
}


def _refusal(body: str, subject: str = "Hi") -> TemplateProblem:
    with pytest.raises(TemplateProblem) as caught:
        templates.validate(spec_for("firm"), TemplateSource(subject, body), SAMPLE)
    return caught.value


@pytest.mark.parametrize("body", ESCAPES.values(), ids=ESCAPES.keys())
@pytest.mark.parametrize("field", ["subject", "body"])
def test_sandbox_escapes_are_refused_and_leak_nothing(body, field):
    problem = _refusal(body) if field == "body" else _refusal("Hello", subject=body)
    assert problem.field == field
    assert problem.line == 1
    message = problem.describe()
    for marker in LEAK_MARKERS:
        assert marker not in message, message


@pytest.mark.parametrize("body", EXHAUSTION.values(), ids=EXHAUSTION.keys())
def test_templates_that_would_exhaust_memory_or_cpu_are_refused_quickly(body):
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    problem = _refusal(body)
    assert time.perf_counter() - started < 2, problem.describe()
    # ru_maxrss is in KiB on Linux: the refusal must not have allocated 100 MB on the way.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 100 * 1024
    assert problem.field == "body"


def test_what_email_templates_need_still_works():
    body = (
        "Hello {{ client_name|title }},\n\n"
        "{% if days_overdue > 1 %}{{ invoice_number|upper }} is {{ days_overdue }} days late.{% endif %}\n"
        "{% for i in range(3) %}{{ loop.index }}.{% endfor %} {{ client_company|default('you') }}\n"
        "{{ '-' * 20 }} {{ amount_due|length }} {{ (2 ** 10) }}\n"
    )
    parts = templates.render_parts(spec_for("firm"), TemplateSource("Invoice {{ invoice_number }}", body), SAMPLE)
    assert "Hello Jordan Miller" in parts.text
    assert "INV-1042 is 3 days late." in parts.text
    assert "1.2.3." in parts.text
    assert "1024" in parts.text
    assert parts.subject == "Invoice INV-1042"


def test_a_loop_of_the_largest_allowed_size_renders():
    body = "{% for i in range(" + str(MAX_LOOP_ITEMS) + ") %}{{ i }} {% endfor %}"
    parts = templates.render_parts(spec_for("firm"), TemplateSource("Hi", body), SAMPLE)
    assert parts.text.startswith("0 1 2") and f"{MAX_LOOP_ITEMS - 1}" in parts.text


@pytest.mark.parametrize("name", ["attr", "format", "join", "center", "nosuch"])
def test_unknown_or_removed_filters_are_a_422_naming_the_ones_there_are(client, name):
    """An unknown filter raised at compile time, outside the error handling: it was a 500."""
    user = register(client)
    response = client.put(
        "/api/templates/firm",
        headers=user["headers"],
        json={"subject": "Hi", "body": f"ok\n{{{{ client_name|{name} }}}}"},
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["field"] == "body"
    assert error["message"].startswith(f"line 2: No filter named '{name}'")
    assert all(f in error["message"] for f in SAFE_FILTERS)


@pytest.mark.parametrize("body", [*ESCAPES.values(), *EXHAUSTION.values()])
def test_hostile_templates_through_the_api_are_422_and_never_saved(client, body):
    user = register(client)
    for method, path, payload in (
        ("PUT", "/api/templates/firm", {"subject": "Hi", "body": body}),
        ("POST", "/api/reminders/preview", {"template_key": "firm", "subject": "Hi", "body": body}),
    ):
        response = client.request(method, path, headers=user["headers"], json=payload)
        assert response.status_code == 422, f"{path}: {response.text}"
        for marker in LEAK_MARKERS:
            assert marker not in response.text
    saved = client.get("/api/templates/firm", headers=user["headers"]).json()
    assert body not in str(saved)


# --- bounded work and time (issue 14: "Templates cannot take the service down") -------------------

# Each of these passed the old sandbox and ran for seconds to minutes (the first took 40 s for 30 of
# its 1000 items), holding the interpreter while other accounts' requests waited.
COSTLY = {
    "issue-striptags-loop": "{% for s in ['<>'*250000]*1000 %}{{ s|striptags }}{% endfor %}",
    "striptags-loop-under-value-cap": "{% for i in range(1000) %}{{ ('<>' * 9000)|striptags }}{% endfor %}",
    "title-loop": "{% for s in [client_name * 1500] * 1000 %}{{ s|title|length }}{% endfor %}",
    "list-of-large-strings": "{{ ['<>' * 9000] * 1000 }}",
    "with-doubling": "{% with a = client_name * 1000 %}{% with b = a ~ a %}{% with c = b ~ b %}"
    "{{ (c ~ c)|length }}{% endwith %}{% endwith %}{% endwith %}",
    "concat-chain": "{{ (" + " ~ ".join(["(client_name * 1600)"] * 50) + ")|length }}",
    "operations-per-item": "{% for i in range(1000) %}{{ " + " + ".join(["i"] * 100) + " }}{% endfor %}",
    "printing-large-values": "{% for i in range(1000) %}{{ '<>' * 9000 }}{% endfor %}",
    "range-1e9": "{% for x in range(10**9) %}{{ x|string|striptags }}{% endfor %}",
    "range-length": "{{ range(10**9)|length }}",
    "string-multiply": "{{ (client_name * 10**7)|length }}",
    "list-multiply": "{{ ([client_name] * 10**7)|length }}",
    "join-huge-list": "{{ ([client_name] * 10**6)|join(',') }}",
    "nested-loops": "{% for a in range(1000) %}{% for b in range(1000) %}{{ a|striptags }}{% endfor %}{% endfor %}",
    "recursive-loop": "{% for x in [1] recursive %}{{ loop([1, 2]) }}{% endfor %}",
    "recursive-macro": "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
    "recursive-block": "{% block b %}{{ self.b() }}{% endblock %}",
    "slice-copies": "{% for i in range(1000) %}{{ (client_name * 1600)[::1]|length }}{% endfor %}",
    "tests-over-large": "{% for i in range(1000) %}{{ (client_name * 1600) is string }}{% endfor %}",
}


@pytest.mark.parametrize("body", COSTLY.values(), ids=COSTLY.keys())
def test_costly_templates_are_refused_within_a_second(body):
    # CPU time of this thread: the work a render does, whatever else shares the test machine.
    started = time.thread_time()
    problem = _refusal(body)
    elapsed = time.thread_time() - started
    assert elapsed < 1.0, (elapsed, problem.describe())
    assert problem.field == "body"
    assert problem.line == 1, problem.describe()


def test_the_budget_is_shared_by_subject_and_body():
    """The subject (500 characters) can loop too; the two fields are one render with one bound."""
    work = "{% for i in range(1000) %}{{ ('<>' * 50)|striptags }}{% endfor %}"
    templates.render_parts(spec_for("firm"), TemplateSource(work, "ok"), SAMPLE)  # within the bound alone
    templates.render_parts(spec_for("firm"), TemplateSource("Hi", work), SAMPLE)
    started = time.thread_time()
    with pytest.raises(TemplateProblem, match="too much work"):
        templates.render_parts(spec_for("firm"), TemplateSource(work, work), SAMPLE)
    assert time.thread_time() - started < 1.0


def test_a_render_past_its_deadline_stops_at_the_next_step():
    from duespark.email import sandbox

    body = "{% for i in range(1000) %}{{ client_name|upper }}{% endfor %}"
    with sandbox.budgeted(seconds=0.0), pytest.raises(TemplateProblem) as caught:
        templates.render_parts(spec_for("firm"), TemplateSource("Hi", body), SAMPLE)
    assert caught.value.field == "subject"
    assert caught.value.describe() == "line 1: the template took longer than 0 s to render"


def test_a_long_benign_template_still_renders_quickly():
    lines = [
        "Hello {{ client_name|title }} ({{ client_company|default('you') }}),",
        "{% for i in range(1000) %}{{ loop.index }}. {{ invoice_number|upper }} {{ amount_due|trim }} "
        "{{ (client_name ~ ' ' ~ invoice_number)|striptags|length }}"
        "{% if loop.last %}.{% else %};{% endif %} {% endfor %}",
        "{% with line = '-' * 60 %}{{ line }}{% endwith %}",
        *[
            f"Paragraph {n}: {{{{ due_date }}}} / {{{{ pay_by }}}} / {{{{ days_overdue * 2 + 1 }}}}\n"
            for n in range(300)
        ],
    ]
    source = TemplateSource("Hi {{ client_name }}", "\n".join(lines))
    templates.render_parts(spec_for("firm"), source, SAMPLE)  # compiled once, then cached
    started = time.thread_time()
    parts = templates.render_parts(spec_for("firm"), source, SAMPLE)
    assert time.thread_time() - started < 1.0
    assert "22; 1000. INV\\-1042 €1\\,250\\.00 22." in parts.body_markdown  # printed values are escaped
    assert "22; 1000. INV-1042 €1,250.00 22." in parts.text
    assert "Paragraph 299: December 2, 2026 / December 2, 2026 / 7" in parts.text
    assert "-" * 60 in parts.body_markdown.replace("\\", "")


def test_the_default_templates_use_a_small_part_of_the_budget():
    from duespark.email import sandbox

    for key in ("friendly", "due_today", "firm", "urgent", "final", "thank_you"):
        source = templates.default_template("en", key)
        with sandbox.budgeted() as budget:
            templates.render_parts(spec_for(key), source, SAMPLE)
        assert budget.operations < sandbox.MAX_OPERATIONS / 100, (key, budget.operations)
        assert budget.chars < sandbox.MAX_WORK_CHARS / 100, (key, budget.chars)


ODD_INPUTS = {
    "{{ 1e999|int }}": "a number in the template is too large",
    "{{ 1e999|round }}": "a number in the template is too large",
    "{{ (1e999)|int }}": "a number in the template is too large",
    "{{ -1e999|int }}": "a number in the template is too large",
    "{{ '1e999'|float|int }}": "cannot convert float infinity to integer",
    "{{ (1e308 * 10)|round|int }}": "cannot convert float infinity to integer",
    "{{ 'x'|format(1) }}": "No filter named 'format'",
    "{{ client_name.nope }}": "'str object' has no attribute 'nope'",
    "{{ client_name.nope.deeper }}": "'str object' has no attribute 'nope'",
    "{{ client_name|round }}": "type str doesn't define __round__ method",
    "{{ days_overdue // 0 }}": "integer division or modulo by zero",
    "{{ client_name is divisibleby 3 }}": "not all arguments converted during string formatting",
    "{{ " + "9" * 5000 + " }}": "a number is too long",
    "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}": "the template nests too deeply",
}


@pytest.mark.parametrize(("body", "message"), ODD_INPUTS.items(), ids=[b[:30] for b in ODD_INPUTS])
def test_odd_expressions_are_a_422_on_their_line(client, body, message):
    """`{{ 1e999|int }}` was a 500: Jinja wrote infinity into the compiled code as the name `inf`."""
    user = register(client)
    for method, path, payload in (
        ("PUT", "/api/templates/firm", {"subject": "Hi", "body": "Hello\n" + body}),
        ("POST", "/api/reminders/preview", {"template_key": "firm", "subject": "Hi", "body": "Hello\n" + body}),
    ):
        response = client.request(method, path, headers=user["headers"], json=payload)
        assert response.status_code == 422, f"{path}: {response.text}"
        [error] = response.json()["detail"]
        assert error["field"] == "body"
        line = "" if "nests" in message else "line 2: "
        assert error["message"].startswith(line + message), error["message"]


def test_the_issue_template_is_a_422_on_save_and_preview_that_says_why(client):
    user = register(client)
    body = COSTLY["issue-striptags-loop"]
    for method, path, payload in (
        ("PUT", "/api/templates/firm", {"subject": "Hi", "body": body}),
        ("POST", "/api/reminders/preview", {"template_key": "firm", "subject": "Hi", "body": body}),
    ):
        started = time.process_time()  # CPU time: the test machine is shared
        response = client.request(method, path, headers=user["headers"], json=payload)
        assert time.process_time() - started < 2.0  # 0.03 s on an idle machine
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == [
            {
                "field": "body",
                "message": "line 1: a value the template builds would be too long (over 20,000 characters)",
            }
        ]


def test_other_work_goes_on_while_costly_renders_run():
    """Two threads render the costliest template within the bounds, over and over (as two previews in
    the API's thread pool would); the main thread meanwhile renders a default email, as another
    account's request would, and is never held up for long: no single step holds the interpreter."""
    import threading

    costly = TemplateSource("Hi", COSTLY["striptags-loop-under-value-cap"])
    stop = threading.Event()
    refusals: list[float] = []

    def hammer() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            with pytest.raises(TemplateProblem):
                templates.render_parts(spec_for("firm"), costly, SAMPLE)
            refusals.append(time.perf_counter() - started)

    benign = templates.default_template("en", "firm")
    templates.render_parts(spec_for("firm"), benign, SAMPLE)
    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for thread in threads:
        thread.start()
    latencies = []
    try:
        deadline = time.perf_counter() + 3
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            templates.render_parts(spec_for("firm"), benign, SAMPLE)
            latencies.append(time.perf_counter() - started)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert refusals and max(refusals) < 3, refusals  # deterministic work, shared CPU: the old code took minutes
    latencies.sort()
    median, worst = latencies[len(latencies) // 2] * 1000, latencies[-1] * 1000
    print(f"benign renders beside costly ones: median {median:.1f} ms, max {worst:.1f} ms; refusals {refusals}")
    assert latencies[len(latencies) // 2] < 0.1, latencies
