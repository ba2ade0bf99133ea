"""Email templates: a registry of keys, the default texts on disk, users' overrides, and rendering.

A template is a subject line and a Markdown body, both Jinja2. They run in Jinja's sandbox with
StrictUndefined, so a user's template can read the documented variables and nothing else. Every
value printed into the body is escaped for Markdown first (`markdown_escape`), so a client called
`*ACME* <script>` can neither format nor inject anything; markdown-it (raw HTML off) then renders
the body once into HTML and once into plain text, and both parts come from the same parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, TemplateSyntaxError, nodes
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from duespark.email import sandbox
from duespark.email.sandbox import (  # noqa: F401  # re-exported: the bounds are part of this module's interface
    MAX_LOOP_ITEMS,
    MAX_RENDERED_CHARS,
    MAX_VALUE_CHARS,
    SAFE_FILTERS,
    TemplateSandbox,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
MAX_TEMPLATE_BYTES = 50 * 1024
MAX_SUBJECT_CHARS = 500
DEFAULT_LOCALE = "en"
LOCALE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2}|_[A-Z][a-z]{3})?$")


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    example: str


@dataclass(frozen=True)
class TemplateSpec:
    """One kind of email. `audience` "client" templates can be overridden by users; "account" ones cannot."""

    key: str
    description: str
    audience: str
    variables: tuple[Variable, ...]
    payment_button: bool = False

    @property
    def variable_names(self) -> frozenset[str]:
        return frozenset(v.name for v in self.variables)


INVOICE_VARIABLES = (
    Variable("client_name", "The client's name", "Jordan Miller"),
    Variable("client_company", "The client's company (empty for individuals)", "Globex Ltd"),
    Variable("invoice_number", "The invoice number", "INV-1042"),
    Variable("invoice_total", "The invoice amount as issued (without late fees), formatted", "€1,250.00"),
    Variable(
        "amount_due",
        "What is still to pay (with any late fee this email adds), formatted for the currency and client locale",
        "€1,250.00",
    ),
    Variable("amount_paid", "What was paid so far, formatted", "€0.00"),
    Variable("currency", "The invoice's ISO 4217 currency code", "EUR"),
    Variable("issue_date", "The invoice date, written out in the client's language", "November 18, 2026"),
    Variable("due_date", "The due date, written out in the client's language", "December 2, 2026"),
    Variable("days_until_due", "Whole days until the due date (0 on and after it)", "7"),
    Variable("days_overdue", "Whole days past the due date (0 before and on it)", "0"),
    Variable("pay_by", "A payment deadline one week from the day the email is sent", "December 2, 2026"),
    Variable("payment_link", "The link where the client pays online", "https://duespark.example/pay/…"),
    Variable("payment_instructions", "Your payment instructions from the account settings (may be empty)", ""),
    Variable("sender_name", "Your sender name (account settings)", "Ada Lovelace"),
    Variable("sender_company", "Your business name (the account name)", "Ada Design"),
    Variable(
        "unsubscribe_link", "The link that stops reminders to this client", "https://duespark.example/unsubscribe/…"
    ),
    Variable("late_fee", "The late fee or interest this email adds, formatted (empty when it adds none)", "€62.50"),
    Variable(
        "late_fee_reason",
        "How the late fee was worked out, in the client's language (empty when none)",
        "5% of €1,250.00",
    ),
    Variable(
        "late_fee_notice",
        "One sentence saying the late fee was added and what is now due (empty when none); "
        "added at the end of a template that uses none of the late_fee variables",
        "A late-payment charge of €62.50 (5% of the unpaid €1,250.00) has been added to this invoice; …",
    ),
)
ACCOUNT_VARIABLES = (
    Variable("user_name", "The user's name", "Ada Lovelace"),
    Variable("action_link", "The confirmation or reset link", "https://duespark.example/reset-password?token=…"),
    Variable("valid_hours", "How many hours the link works", "1"),
)

REGISTRY: dict[str, TemplateSpec] = {}


def register(spec: TemplateSpec) -> TemplateSpec:
    """Add a kind of email (a later `statement` registers itself the same way)."""
    REGISTRY[spec.key] = spec
    return spec


for _key, _description in (
    ("friendly", "Friendly reminder a few days before the due date"),
    ("due_today", "Reminder on the due date"),
    ("firm", "First reminder after the due date"),
    ("urgent", "Second, more urgent reminder"),
    ("final", "Final notice naming the next steps"),
):
    register(TemplateSpec(_key, _description, "client", INVOICE_VARIABLES, payment_button=True))
STATEMENT_VARIABLES = (
    Variable("client_name", "The client's name", "Jordan Miller"),
    Variable("client_company", "The client's company (empty for individuals)", "Globex Ltd"),
    Variable("invoice_count", "How many invoices the statement lists", "3"),
    Variable("total_due", "What is still to pay over all of them (late fees included), per currency", "€3,750.00"),
    Variable(
        "invoices",
        "The invoices, each with number, amount_due, due_date, days_overdue, payment_link, and late_fee and "
        "late_fee_reason (empty when the email adds no fee to it)",
        "[{number: INV-1042, …}]",
    ),
    Variable("payment_instructions", "Your payment instructions from the account settings (may be empty)", ""),
    Variable("sender_name", "Your sender name (account settings)", "Ada Lovelace"),
    Variable("sender_company", "Your business name (the account name)", "Ada Design"),
    Variable(
        "unsubscribe_link", "The link that stops reminders to this client", "https://duespark.example/unsubscribe/…"
    ),
    Variable("pay_by", "A payment deadline one week from the day the email is sent", "December 2, 2026"),
    Variable(
        "pay_all_link", "The client's page listing all open invoices, each payable", "https://duespark.example/c/…"
    ),
)
# Not user-editable yet ("statement" is not the "client" audience): the sample data for checking
# a user's text would need a list of invoices.
register(
    TemplateSpec("statement", "Several overdue invoices of one client in one email", "statement", STATEMENT_VARIABLES)
)
# The statement in the tone of a later step (the strongest step it stands for).
register(TemplateSpec("statement_urgent", "A statement at the urgent step", "statement", STATEMENT_VARIABLES))
register(TemplateSpec("statement_final", "A statement at the final step", "statement", STATEMENT_VARIABLES))
register(TemplateSpec("thank_you", "Thank-you after the invoice is paid in full", "client", INVOICE_VARIABLES))
PROMISE_MISSED_VARIABLES = (
    *INVOICE_VARIABLES,
    Variable(
        "promised_date", "The date the client promised to pay by, written out in their language", "November 28, 2026"
    ),
)
register(
    TemplateSpec(
        "promise_missed",
        "When the date a client promised to pay by has passed unpaid (answers/promises.py)",
        "client",
        PROMISE_MISSED_VARIABLES,
        payment_button=True,
    )
)
register(TemplateSpec("verify_email", "Confirms a user's email address after sign-up", "account", ACCOUNT_VARIABLES))
register(TemplateSpec("password_reset", "Password reset link", "account", ACCOUNT_VARIABLES))
SECURITY_VARIABLES = (
    Variable("user_name", "The user's name", "Ada Lovelace"),
    Variable("user_email", "The user's sign-in address", "ada@example.com"),
    Variable("event", "What happened", "A new device signed in"),
    Variable("happened_at", "When, in UTC, written out", "November 25, 2026 at 10:00"),
    Variable("device", "The browser or app that signed in, when known", "Firefox on Linux"),
    Variable("security_link", "Settings -> Security in the web app", "https://duespark.example/settings?tab=security"),
)
register(
    TemplateSpec("security_notice", "A new sign-in or a two-factor change, to the user", "account", SECURITY_VARIABLES)
)
UNSUBSCRIBED_VARIABLES = (
    Variable("user_name", "The user's name", "Ada Lovelace"),
    Variable("client_name", "The client who unsubscribed", "Jordan Miller"),
    Variable("client_email", "The address the reminders went to", "jordan@globex.test"),
    Variable("unsubscribed_on", "The day they unsubscribed, written out", "November 25, 2026"),
    Variable("open_invoice_count", "How many of the client's invoices are still open", "2"),
    Variable("open_total", "What the client still owes, per currency", "€5,439.00"),
    Variable("client_link", "The client's page in DueSpark", "https://duespark.example/clients/5"),
)
register(
    TemplateSpec(
        "client_unsubscribed",
        "Tells the user a client unsubscribed from payment reminders",
        "account",
        UNSUBSCRIBED_VARIABLES,
    )
)

INVITATION_VARIABLES = (
    Variable("account_name", "The account the person is invited to", "Acme Studio"),
    Variable("inviter_name", "Who invited them", "Ada Lovelace"),
    Variable("role", "The role they get: admin, member or viewer", "member"),
    Variable("accept_link", "The page that accepts the invitation", "https://duespark.example/invite/…"),
    Variable("valid_days", "How many days the link works", "7"),
)
register(TemplateSpec("invitation", "Invites a person to join the account's team", "account", INVITATION_VARIABLES))


WEBHOOK_DISABLED_VARIABLES = (
    Variable("user_name", "The user's name", "Ada Lovelace"),
    Variable("endpoint_url", "The endpoint's URL", "https://hooks.acme.test/duespark"),
    Variable("failing_since", "When it last stopped answering, written out", "November 22, 2026"),
    Variable("last_answer", "The last answer or error", "HTTP 503"),
    Variable("settings_link", "The webhook settings in DueSpark", "https://duespark.example/settings/webhooks"),
)
register(
    TemplateSpec(
        "webhook_endpoint_disabled",
        "Tells the user a webhook endpoint was disabled after failing for days",
        "account",
        WEBHOOK_DISABLED_VARIABLES,
    )
)

DIGEST_VARIABLES = (
    Variable("user_name", "The member's name", "Ada Lovelace"),
    Variable("account_name", "The account's name", "Ada Design"),
    Variable("yesterday", "The member's local yesterday, written out", "December 3, 2026"),
    Variable("today", "The member's local today, written out", "December 4, 2026"),
    Variable("sent_count", "Reminder emails sent yesterday", "4"),
    Variable("sent_tones", "How many of each tone, in words", "3 friendly, 1 firm"),
    Variable("paid_count", "Payments received yesterday", "2"),
    Variable("paid_total", "What they add up to, per currency", "€1,250.00 + £300.00"),
    Variable("paid", "The largest payments: client, invoice, amount, link", "[{client: Globex, …}]"),
    Variable("failed_count", "Client emails that bounced or reminders that failed yesterday", "1"),
    Variable("failed", "Those emails: client, invoice, what, link", "[{client: Globex, …}]"),
    Variable("attention_count", "Everything that waits for the member", "3"),
    Variable("replies_count", "Client replies nobody answered yet", "1"),
    Variable("replies", "Those replies: client, subject, link", "[{client: Globex, …}]"),
    Variable("disputes_count", "Open disputes and questions", "1"),
    Variable("disputes", "Those invoices: client, invoice, amount, link", "[{client: Globex, …}]"),
    Variable("claims_count", "Payments clients say they made, to confirm", "1"),
    Variable("claims", "Those invoices: client, invoice, amount, link", "[{client: Globex, …}]"),
    Variable("promises_today_count", "Promises to pay that fall due today", "1"),
    Variable("promises_today", "Those invoices: client, invoice, amount, link", "[{client: Globex, …}]"),
    Variable("promises_missed_count", "Promises to pay missed yesterday", "1"),
    Variable("promises_missed", "Those invoices: client, invoice, amount, link", "[{client: Globex, …}]"),
    Variable("planned_count", "Reminders planned for today", "5"),
    Variable("planned_clients", "How many clients they go to", "3"),
    Variable("app_link", "The dashboard in the web app", "https://duespark.example/"),
    Variable("attention_link", "Needs attention in the web app", "https://duespark.example/attention"),
    Variable("reminders_link", "The reminders list in the web app", "https://duespark.example/reminders"),
    Variable("settings_link", "Where the member turns the digest off", "https://duespark.example/settings?tab=profile"),
)
register(TemplateSpec("daily_digest", "The morning summary to each member (digest/)", "account", DIGEST_VARIABLES))


ACCOUNTING_RECONNECT_VARIABLES = (
    Variable("user_name", "The user's name", "Ada Lovelace"),
    Variable("provider", "The accounting tool", "Xero"),
    Variable("organisation", "The organisation in it that was connected", "Acme Studio Ltd"),
    Variable(
        "settings_link", "The integrations settings in DueSpark", "https://duespark.example/settings?tab=integrations"
    ),
)
register(
    TemplateSpec(
        "accounting_reconnect",
        "Tells the user the connection to their accounting tool stopped working and must be connected again",
        "account",
        ACCOUNTING_RECONNECT_VARIABLES,
    )
)


def spec_for(key: str) -> TemplateSpec:
    spec = REGISTRY.get(key)
    if spec is None:
        raise KeyError(key)
    return spec


# --- locales ------------------------------------------------------------------------------------


def normalize_locale(locale: str | None) -> str | None:
    """`de-de`, `de_DE` -> `de_DE`; `fr` -> `fr`; anything unreadable -> None."""
    if not locale:
        return None
    parts = locale.strip().replace("-", "_").split("_")
    language = parts[0].lower()
    if len(parts) == 1:
        normalized = language
    elif len(parts[1]) == 4:
        normalized = f"{language}_{parts[1].title()}"
    else:
        normalized = f"{language}_{parts[1].upper()}"
    return normalized if LOCALE_RE.match(normalized) else None


def locale_candidates(*locales: str | None) -> list[str]:
    """Where to look, best first: each locale, then its language, then English."""
    candidates: list[str] = []
    for locale in locales:
        normalized = normalize_locale(locale)
        if normalized is None:
            continue
        for candidate in (normalized, normalized.split("_")[0]):
            if candidate not in candidates:
                candidates.append(candidate)
    if DEFAULT_LOCALE not in candidates:
        candidates.append(DEFAULT_LOCALE)
    return candidates


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    body: str


@cache
def default_locales() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in TEMPLATES_DIR.iterdir() if p.is_dir()))


# Wording variants of the default texts, in <locale>/<variant>/<key>.md: "professional" for
# enterprise clients (reminders/adaptive.py); a key without a variant file uses the plain text.
PROFESSIONAL = "professional"


@cache
def default_template(locale: str, key: str, variant: str | None = None) -> TemplateSource | None:
    if variant is not None:
        path = TEMPLATES_DIR / locale / variant / f"{key}.md"
        if path.is_file():
            return parse_template_file(path.read_text(encoding="utf-8"))
    path = TEMPLATES_DIR / locale / f"{key}.md"
    if not path.is_file():
        return None
    return parse_template_file(path.read_text(encoding="utf-8"))


def parse_template_file(text: str) -> TemplateSource:
    """Front matter with the subject, then the Markdown body:

    ---
    subject: Invoice {{ invoice_number }} is due today
    ---
    Hello {{ client_name }}, ...
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError("a template file starts with front matter (---)")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    fields = dict(line.split(":", 1) for line in lines[1:end] if ":" in line)
    return TemplateSource(subject=fields["subject"].strip(), body="\n".join(lines[end + 1 :]).strip() + "\n")


# --- the sandbox --------------------------------------------------------------------------------

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# The same escaping as one table lookup per character: the regex took 3 µs per punctuation mark,
# the costliest step of printing a long value.
_MARKDOWN_ESCAPES = {c: "\\" + chr(c) for c in range(0x21, 0x7F) if _MARKDOWN_PUNCTUATION.match(chr(c))}


def markdown_escape(value: Any) -> str:
    """A value as literal text in Markdown: every ASCII punctuation mark backslash-escaped (CommonMark
    lets any of them be), and no leading indentation that would start a code block."""
    text = "" if value is None else str(value)
    text = "\n".join(line.strip() for line in text.splitlines())
    return text.translate(_MARKDOWN_ESCAPES)


def _check_statements(ast: nodes.Template, field_name: str) -> None:
    problem = sandbox.check_statements(ast)
    if problem is not None:
        raise TemplateProblem(field_name, *problem)


def _sandbox(finalize=None) -> TemplateSandbox:
    return sandbox.sandbox(finalize)


_LAYOUT_ENV = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class TemplateProblem(ValueError):
    def __init__(self, field: str, line: int | None, message: str) -> None:
        self.field = field
        self.line = line
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def _line_of_offset(text: str, limit: int) -> int:
    return text.encode()[:limit].decode(errors="ignore").count("\n") + 1


def _error_line(exc: BaseException, template_name: str) -> int | None:
    """The template line a render error happened on (Jinja rewrites tracebacks to point at it)."""
    if getattr(exc, "lineno", None):
        return exc.lineno  # type: ignore[attr-defined]
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == template_name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# The body's printed values are escaped for Markdown (the `finalize` hook runs on every {{ }}, even
# after `|safe`); the subject is plain text and goes into a header, so it is not.
_ENVIRONMENTS = {"subject": _sandbox(), "body": _sandbox(finalize=markdown_escape)}


def _compile(field_name: str, source: str, allowed: frozenset[str]) -> Template:
    with sandbox.compiling():
        return _compile_cached(field_name, source, allowed)


@lru_cache(maxsize=512)
def _compile_cached(field_name: str, source: str, allowed: frozenset[str]) -> Template:
    """Parse, check and compile once per distinct text: the dispatcher renders the same defaults often."""
    env = _ENVIRONMENTS[field_name]
    try:
        ast = env.parse(source, name=field_name)
        _check_statements(ast, field_name)
        # Also where an unknown filter is found (TemplateAssertionError), which was a 500.
        unknown = sorted(sandbox.undeclared_variables(ast) - allowed)
        if unknown:
            name = unknown[0]
            line = next((n.lineno for n in sandbox.walk(ast) if isinstance(n, nodes.Name) and n.name == name), None)
            raise TemplateProblem(field_name, line, f"unknown variable {name!r}; see GET /api/templates for the list")
        sandbox.bound_loops(ast)
        code = env.compile(ast, name=field_name, filename=field_name)
    except TemplateSyntaxError as exc:
        message = exc.message or "syntax error"
        if message.startswith("No filter named"):
            message += f" The filters are: {', '.join(sorted(SAFE_FILTERS))}."
        raise TemplateProblem(field_name, exc.lineno, message) from None
    except RecursionError:
        raise TemplateProblem(field_name, None, "the template nests too deeply") from None
    except ValueError as exc:
        if isinstance(exc, TemplateProblem):
            raise
        # The lexer reading a number of thousands of digits, for example.
        digits = re.search(r"\d{1000,}", source)
        if digits is not None:
            line = source.count("\n", 0, digits.start()) + 1
            raise TemplateProblem(field_name, line, "a number is too long") from None
        raise TemplateProblem(field_name, None, str(exc) or type(exc).__name__) from None
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def _render(field_name: str, source: str, context: Mapping[str, Any], allowed: frozenset[str]) -> str:
    # Streamed and measured as it goes: a loop printing 60 KB per item once grew to gigabytes before
    # the length of the finished text could be checked. Every error is the user's template failing
    # (Jinja's, the sandbox's, or Python's inside a filter): a 422 on its line, never a 500.
    template = _compile(field_name, source, allowed)
    chunks: list[str] = []
    size = 0
    with sandbox.budgeted() as budget:
        stream = template.generate(context)
        try:
            for chunk in stream:
                size += len(chunk)
                if size > MAX_RENDERED_CHARS:
                    message = f"the rendered text is longer than {MAX_RENDERED_CHARS:,} characters"
                    raise TemplateProblem(field_name, _paused_line(stream, template, field_name), message)
                try:
                    budget.tick()
                except sandbox.TemplateTooCostly as exc:
                    raise TemplateProblem(field_name, _paused_line(stream, template, field_name), str(exc)) from None
                chunks.append(chunk)
        except TemplateProblem:
            raise
        except RecursionError:
            raise TemplateProblem(field_name, None, "the template nests too deeply") from None
        except Exception as exc:
            message = str(exc) or type(exc).__name__
            raise TemplateProblem(field_name, _error_line(exc, field_name), message) from None
        finally:
            stream.close()
    return "".join(chunks)


def _paused_line(stream: Any, template: Template, template_name: str) -> int | None:
    """The template line a render is paused at (after printing something)."""
    while stream is not None:
        frame = getattr(stream, "gi_frame", None)
        if frame is not None and frame.f_code.co_filename == template_name:
            return template.get_corresponding_lineno(frame.f_lineno)
        stream = getattr(stream, "gi_yieldfrom", None)
    return None


def check_size(source: TemplateSource) -> None:
    encoded = source.body.encode()
    if len(encoded) > MAX_TEMPLATE_BYTES:
        line = _line_of_offset(source.body, MAX_TEMPLATE_BYTES)
        raise TemplateProblem("body", line, f"the template is larger than {MAX_TEMPLATE_BYTES // 1024} KB")
    if len(source.subject) > MAX_SUBJECT_CHARS:
        raise TemplateProblem("subject", 1, f"the subject is longer than {MAX_SUBJECT_CHARS} characters")
    if "\n" in source.subject.strip():
        raise TemplateProblem("subject", 2, "the subject must be a single line")


def validate(spec: TemplateSpec, source: TemplateSource, sample: Mapping[str, Any]) -> None:
    """Refuse what would fail at send time: too large, syntax errors, unknown variables, sandbox escapes."""
    check_size(source)
    render_parts(spec, source, sample)


@dataclass(frozen=True)
class RenderedParts:
    subject: str
    body_markdown: str
    text: str
    html_body: str


def render_parts(spec: TemplateSpec, source: TemplateSource, context: Mapping[str, Any]) -> RenderedParts:
    allowed = spec.variable_names
    with sandbox.budgeted():  # one bound on work and time for the subject and the body together
        subject = _render("subject", source.subject, context, allowed)
        body = _render("body", source.body, context, allowed)
    tokens = _MARKDOWN.parse(body)
    text = markdown_to_text(tokens)
    return RenderedParts(
        subject=" ".join(subject.split())[:MAX_SUBJECT_CHARS],
        body_markdown=body,
        text=text,
        html_body=_markdown_to_html(tokens),
    )


# --- Markdown to HTML and to text ---------------------------------------------------------------

# Raw HTML is off: a template is Markdown, and markdown-it escapes any tag a template contains.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True, "typographer": False})

# Email clients drop <style> blocks, so every element carries its style inline.
_INLINE_STYLES = {
    "paragraph_open": "margin:0 0 16px 0;line-height:1.6;",
    "heading_open": "margin:24px 0 12px 0;font-size:20px;line-height:1.3;color:#111827;",
    "link_open": "color:#1d4ed8;text-decoration:underline;",
    "bullet_list_open": "margin:0 0 16px 0;padding-left:24px;",
    "ordered_list_open": "margin:0 0 16px 0;padding-left:24px;",
    "list_item_open": "margin:0 0 6px 0;line-height:1.6;",
    "blockquote_open": "margin:0 0 16px 0;padding:0 0 0 12px;border-left:3px solid #e5e7eb;color:#4b5563;",
    "hr": "border:none;border-top:1px solid #e5e7eb;margin:24px 0;",
    "code_inline": "font-family:Menlo,Consolas,monospace;font-size:90%;",
}


def _styled(tokens: Iterable[Token]) -> None:
    for token in tokens:
        style = _INLINE_STYLES.get(token.type)
        if style:
            token.attrSet("style", style)
        if token.children:
            _styled(token.children)


def _markdown_to_html(tokens: list[Token]) -> str:
    """Styles the tokens in place (no copies: the dispatcher renders one email after another), so the
    text part is made from them first; it reads no style."""
    _styled(tokens)
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    link_stack: list[tuple[str, int]] = []
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(token.content or "")
        elif token.type == "link_open":
            link_stack.append((str(token.attrGet("href") or ""), len(parts)))
        elif token.type == "link_close" and link_stack:
            href, start = link_stack.pop()
            label = "".join(parts[start:])
            if href and href != label and f"mailto:{label}" != href:
                parts.append(f" ({href})")
    return "".join(parts)


def markdown_to_text(tokens: list[Token]) -> str:
    """Plain text for the text/plain part: paragraphs, lists, and links written out as `label (url)`."""
    blocks: list[str] = []
    prefixes: list[str] = []
    counters: list[int] = []
    pending_item = ""
    for token in tokens:
        kind = token.type
        if kind == "bullet_list_open":
            counters.append(0)
            prefixes.append("- ")
        elif kind == "ordered_list_open":
            counters.append(int(token.attrGet("start") or 1) - 1)
            prefixes.append("#")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
            prefixes.pop()
        elif kind == "list_item_open":
            if prefixes[-1] == "#":
                counters[-1] += 1
                pending_item = f"{counters[-1]}. "
            else:
                pending_item = "- "
        elif kind == "inline":
            indent = "   " * max(0, len(prefixes) - 1)
            text = _inline_text(token.children or [])
            if pending_item:
                text = pending_item + text.replace("\n", "\n" + " " * len(pending_item))
                pending_item = ""
            blocks.append(indent + text)
        elif kind in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
        elif kind == "hr":
            blocks.append("----")
    text = "\n\n".join(blocks)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# --- the HTML layout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    url: str
    label: str


@dataclass(frozen=True)
class TransferBlock:
    """How to pay by bank transfer, under the pay button: the details in words and, for a SEPA
    transfer, the QR code a banking app scans (`qr_src` is its `cid:` URL)."""

    title: str
    rows: tuple[tuple[str, str], ...]
    qr_src: str | None = None
    qr_alt: str = ""
    scan: str = ""


@dataclass(frozen=True)
class Note:
    """A line under the button about what comes with the email (the attached PDF, or its link)."""

    text: str
    link: Button | None = None

    def as_text(self) -> str:
        return f"{self.text} {self.link.url}" if self.link else self.text


@dataclass(frozen=True)
class Layout:
    language: str
    subject: str
    preheader: str
    button: Button | None = None
    note: Note | None = None
    footer_lines: tuple[str, ...] = ()
    footer_link: Button | None = None
    transfers: tuple[TransferBlock, ...] = ()  # one per currency in a statement


@cache
def _layout_template():
    return _LAYOUT_ENV.from_string((TEMPLATES_DIR / "layout.html").read_text(encoding="utf-8"))


def render_html(parts: RenderedParts, layout: Layout) -> str:
    body = Markup(parts.html_body)  # noqa: S704  # nosec B704  # markdown-it output, raw HTML disabled
    return _layout_template().render(
        lang=layout.language,
        subject=layout.subject,
        preheader=layout.preheader,
        body=body,
        button=layout.button,
        note=layout.note,
        footer_lines=layout.footer_lines,
        footer_link=layout.footer_link,
        transfers=layout.transfers,
    )


def preheader_of(text: str, limit: int = 140) -> str:
    """The first words after the greeting: what inboxes show next to the subject."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    source = paragraphs[1] if len(paragraphs) > 1 else (paragraphs[0] if paragraphs else "")
    flat = " ".join(source.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
