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
