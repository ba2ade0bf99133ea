"""The client's answers on the pay page: GET /pay/{token}/answers shows them, POST .../answers/{kind} records one.

Only the signed pay link is needed; the invoice comes from the token and nowhere else, so no form field can
point at another invoice or account. Plain HTML forms (the pages allow no script): a recorded answer
redirects back to the page (post/redirect/get), a refused one shows the page again with the field named.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from duespark.answers import service
from duespark.answers.schemas import AnswerKind
from duespark.banktransfer.service import transfer_for_invoice
from duespark.clock import today_in
from duespark.db import transaction
from duespark.errors import Conflict, InvalidInput, NotFound
from duespark.ops.ratelimit import public_link_per_ip, rate_limit
from duespark.payments import pages, readiness
from duespark.payments import service as payments
from duespark.payments.crypto import SecretUnreadable
from duespark.payments.public_router import html_page, not_found_page, redirect_to, settled_page
from duespark.settings import Settings

MAX_FORM_BYTES = 16 * 1024
FORM_FIELDS = ("promised_date", "message", "disputed_amount", "paid_on", "reference", "source")


async def _link_token(request: Request) -> str | None:
    return request.path_params.get("token")


# Per link, beside the per-IP limit of every public page: a thousand posts from one link stop early.
answers_per_link = rate_limit("client_answer_link", lambda s: s.rate_limit_client_answer, key=_link_token)
router = APIRouter(include_in_schema=False, dependencies=[Depends(public_link_per_ip)])


def _answered_sentence(words: pages.Words, answer, account_name: str) -> str:
    if answer.kind == AnswerKind.promise:
        return words.t("answered_promise", date=words.day(answer.promised_date))
    if answer.kind == AnswerKind.dispute:
        return words.t("answered_dispute", name=account_name)
    return words.t("answered_paid_claim", name=account_name, date=words.day(answer.paid_on))


def _page(
    request: Request,
    token: str,
    *,
    source: str,
    status_code: int = 200,
    error: InvalidInput | None = None,
    error_kind: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    settings: Settings = request.app.state.settings
    clock = request.app.state.clock
    try:
        with transaction(request.app.state.session_factory, write=False) as session:
            target = payments.load_pay_target(session, settings=settings, token=token)
            settled = settled_page(target)
            if settled is not None:
                return settled
            try:
                card = payments.stripe_key_for(session, settings=settings, account_id=target.account.id) is not None
            except SecretUnreadable:
                card = False
            contact = readiness.contact_email(session, account=target.account)
            words = pages.Words.for_reader(target.account, target.client)
            answered = {
                answer.kind: _answered_sentence(words, answer, target.account.name)
                for answer in service.open_answers_for(session, invoice_id=target.invoice.id)
            }
            today = today_in(clock, target.account.timezone)
            forms = pages.AnswerForms(
                action_base=f"/pay/{token}/answers",
                answered=answered,
                limit_days=target.account.promise_limit_days,
                today=today,
                latest=today + timedelta(days=target.account.promise_limit_days),
                error_kind=error_kind,
                error_field=error.errors[0].field if error and error.errors else None,
                values=values or {},
                source=source,
            )
            body = pages.pay_page(
                settings,
                account=target.account,
                client=target.client,
                invoice=target.invoice,
                today=today,
                notice=None,
                card_available=card,
                now=clock.now(),
                contact_email=contact,
                transfer=transfer_for_invoice(session, target.invoice),
                answers=forms,
            )
    except NotFound:
        return not_found_page()
    return html_page(body, status_code=status_code)


@router.get("/pay/{token}/answers")
def answers_page(request: Request, token: str, source: str | None = None) -> Response:
    """The pay page with the client's answers: what they said, and forms for the rest."""
    return _page(request, token, source="portal" if source == "portal" else "pay_page")


async def _form(request: Request) -> dict[str, str] | None:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return None
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=20)
    return {name: value for name, value in pairs if name in FORM_FIELDS}


@router.post("/pay/{token}/answers/{kind}", dependencies=[Depends(answers_per_link)])
async def post_answer(request: Request, token: str, kind: str) -> Response:
    """Record the client's answer once: a repeat (a double click, a reload, a thousand posts) finds the first."""
    try:
        form = await _form(request)
    except ValueError:  # more fields than any of the forms has
        form = None
    if form is None:
        return html_page(pages.message_page("not_found"), status_code=413)
    source = "portal" if form.get("source") == "portal" else "pay_page"
    return await _record(request, token, kind, form, source)


async def _record(request: Request, token: str, kind: str, form: dict[str, str], source: str) -> Response:
    def work() -> Response:
        settings: Settings = request.app.state.settings
        try:
            with transaction(request.app.state.session_factory) as session:
                target = payments.load_pay_target(session, settings=settings, token=token)
                service.answer_from_link(
                    session,
                    invoice_id=target.invoice.id,
                    kind=kind,
                    form=form,
                    source=source,
                    clock=request.app.state.clock,
                )
        except InvalidInput as error:
            return _page(request, token, source=source, status_code=422, error=error, error_kind=kind, values=form)
        except Conflict:
            return _page(request, token, source=source, status_code=409)
        except NotFound:
            return not_found_page()
        suffix = "?source=portal" if source == "portal" else ""
        return redirect_to(f"/pay/{token}/answers{suffix}#answers")

    return await run_in_threadpool(work)
