"""Pages a client opens from an email, without signing in: /pay/{token} and /c/{token}.

These routes open their own short transactions instead of the request-wide one, because the
pay link calls Stripe: the click is committed first, Stripe is called with no transaction
open, and the new checkout session is saved afterwards.
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from duespark.banktransfer.service import TransferDetails, transfer_for_invoice, transfers_for
from duespark.clock import Clock, today_in
from duespark.db import transaction
from duespark.errors import NotFound
from duespark.models.enums import InvoiceStatus
from duespark.notices import service as notices
from duespark.ops import metrics
from duespark.ops.ratelimit import public_link_per_ip
from duespark.payments import pages, readiness, service
from duespark.payments.crypto import SecretUnreadable
from duespark.payments.stripe import PaymentProviderError, create_checkout_session, hosted_invoice_url
from duespark.settings import Settings
from duespark.tenancy import parse_object_id

log = structlog.get_logger(__name__)

# Public links are guessable only by brute force; the per-IP limit makes that hopeless.
router = APIRouter(include_in_schema=False, dependencies=[Depends(public_link_per_ip)])

# The token is in the URL: never send it on as a Referer, never cache or index the page.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
}


def html_page(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status_code, headers=PAGE_HEADERS)


def redirect_to(url: str) -> RedirectResponse:
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return RedirectResponse(url, status_code=303, headers=headers)


def not_found_page() -> HTMLResponse:
    return html_page(pages.message_page("not_found"), status_code=404)


def settled_page(target: service.PayTarget) -> HTMLResponse | None:
    invoice = target.invoice
    if invoice.status == InvoiceStatus.paid:
        return html_page(
            pages.message_page("already_paid", account=target.account, client=target.client, invoice=invoice)
        )
    if not service.is_payable(invoice):
        return html_page(
            pages.message_page("not_payable", account=target.account, client=target.client, invoice=invoice)
        )
    return None


def _pay_page(
    settings: Settings,
    target: service.PayTarget,
    clock: Clock,
    *,
    notice: str | None,
    card: bool,
    contact: str | None,
    transfer: TransferDetails | None,
):
    today = today_in(clock, target.account.timezone)
    return html_page(
        pages.pay_page(
            settings,
            account=target.account,
            client=target.client,
            invoice=target.invoice,
            today=today,
            notice=notice,
            card_available=card,
            now=clock.now(),
            contact_email=contact,
            transfer=transfer,
        )
    )


FAILURE_WORDS = {
    "network": "Stripe could not be reached",
    "key_refused": "Stripe refused your API key",
    "key_unreadable": "your saved Stripe key can no longer be decrypted on this server",
    "bad_response": "Stripe answered without a checkout page",
}


def _card_failed(request: Request, target: service.PayTarget, reason: str, detail: object) -> None:
    """Count it and tell the user once (a notice that counts repeats); the client's page never waits on it."""
    metrics.record_checkout_failure(reason)
    log.warning("stripe_checkout_failed", invoice_id=target.invoice.id, reason=reason, error=str(detail))
    cause = FAILURE_WORDS.get(reason, "Stripe refused the request")
    message = (
        f"A client could not pay invoice {target.invoice.number} by card: {cause}. The pay page showed them "
        "your other ways to pay instead. Check the Stripe connection in Settings; saving a working key clears this."
    )
    try:
        with transaction(request.app.state.session_factory) as session:
            notices.record(
                session,
                account_id=target.account.id,
                kind=readiness.CHECKOUT_FAILED,
                message=message,
                clock=request.app.state.clock,
            )
    except Exception:
        log.exception("checkout_failure_notice_not_saved", account_id=target.account.id)


def _pay(
    request: Request, token: str, *, reminder_marker: str | None, count_click: bool, canceled: bool, to_card: bool
) -> Response:
    """The pay link. With card payments only it goes straight to checkout; with a bank transfer too, the
    page shows both side by side (its card button comes back here with `to_card`)."""
    settings: Settings = request.app.state.settings
    clock: Clock = request.app.state.clock
    factory = request.app.state.session_factory
    plan: service.CheckoutPlan | None = None
    card_broken = False
    contact: str | None = None
    transfer: TransferDetails | None = None
    try:
        with transaction(factory) as session:
            target = service.load_pay_target(session, settings=settings, token=token)
            if count_click:
                service.record_click(
                    session,
                    settings=settings,
                    invoice=target.invoice,
                    reminder_marker=reminder_marker,
                    user_agent=request.headers.get("user-agent"),
                    ip=request.client.host if request.client else None,
                    clock=clock,
                )
            settled = settled_page(target)
            if settled is None:
                contact = readiness.contact_email(session, account=target.account)
                transfer = transfer_for_invoice(session, target.invoice)
                try:
                    plan = service.plan_checkout(session, settings=settings, target=target, clock=clock)
                except SecretUnreadable:
                    card_broken = True
    except NotFound:
        return not_found_page()
    if settled is not None:
        return settled
    if card_broken:
        _card_failed(request, target, "key_unreadable", "the saved key cannot be decrypted")
        return _pay_page(
            settings, target, clock, notice="card_unavailable", card=False, contact=contact, transfer=transfer
        )
    if plan is None or canceled or (transfer is not None and not to_card):
        notice = "canceled" if canceled else None
        return _pay_page(
            settings, target, clock, notice=notice, card=plan is not None, contact=contact, transfer=transfer
        )
    try:
        return _follow(request, plan, target)
    except PaymentProviderError as exc:
        _card_failed(request, target, exc.reason, exc.detail)
        # No card button: it would lead straight back to the same failure.
        return _pay_page(
            settings, target, clock, notice="card_unavailable", card=False, contact=contact, transfer=transfer
        )


def _follow(request: Request, plan: service.CheckoutPlan, target: service.PayTarget) -> Response:
    settings: Settings = request.app.state.settings
    if plan.reuse_url:
        return redirect_to(plan.reuse_url)
    if plan.stripe_invoice_id:
        url = hosted_invoice_url(settings, plan.api_key, plan.stripe_invoice_id)
        if not url:
            raise PaymentProviderError("Stripe has no hosted page for this invoice", reason="bad_response")
        return redirect_to(url)
    assert plan.create is not None
    checkout = create_checkout_session(settings, plan.api_key, plan.create)
    with transaction(request.app.state.session_factory) as session:
        service.save_checkout_session(
            session,
            account_id=target.invoice.account_id,
            invoice_id=target.invoice.id,
            checkout=checkout,
            clock=request.app.state.clock,
        )
    return redirect_to(checkout.url)


@router.get("/pay/{token}")
def open_pay_link(request: Request, token: str, r: str | None = None, canceled: bool = False) -> Response:
    """Counts the click (with the reminder `r` it came from), then off to checkout or the built-in page."""
    return _pay(request, token, reminder_marker=r, count_click=not canceled, canceled=canceled, to_card=False)


@router.get("/pay/{token}/checkout")
def go_to_checkout(request: Request, token: str) -> Response:
    """The card button of the built-in page: straight to checkout, not counted as another click."""
    return _pay(request, token, reminder_marker=None, count_click=False, canceled=False, to_card=True)


@router.get("/pay/{token}/done")
def payment_done(request: Request, token: str) -> Response:
    """Stripe's return page. It trusts nothing in the URL: paid only once the webhook says so."""
    try:
        with transaction(request.app.state.session_factory) as session:
            target = service.load_pay_target(session, settings=request.app.state.settings, token=token)
    except NotFound:
        return not_found_page()
    invoice = target.invoice
    if invoice.status == InvoiceStatus.paid:
        kind = "thanks_paid"
    elif invoice.status == InvoiceStatus.void:
        kind = "not_payable"
    else:
        kind = "thanks_processing"
    return html_page(pages.message_page(kind, account=target.account, client=target.client, invoice=invoice))


@router.get("/c/{token}")
def client_portal(request: Request, token: str) -> Response:
    settings: Settings = request.app.state.settings
    try:
        with transaction(request.app.state.session_factory) as session:
            view = service.load_portal(session, settings=settings, token=token)
            today = today_in(request.app.state.clock, view.account.timezone)
            transfers = transfers_for(session, view.open_invoices)
            now = request.app.state.clock.now()
            page = pages.portal_page(settings, view=view, token=token, today=today, now=now, transfers=transfers)
            return html_page(page)
    except NotFound:
        return not_found_page()


@router.get("/c/{token}/receipts/{payment_id}")
def receipt(request: Request, token: str, payment_id: str) -> Response:
    payment_row_id = parse_object_id(payment_id)
    if payment_row_id is None:
        return not_found_page()
    try:
        with transaction(request.app.state.session_factory) as session:
            view, payment, number = service.load_receipt(
                session, settings=request.app.state.settings, token=token, payment_id=payment_row_id
            )
            return html_page(pages.receipt_page(view=view, payment=payment, invoice_number=number, token=token))
    except NotFound:
        return not_found_page()
