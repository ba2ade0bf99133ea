"""Each adaptation and its reason, from constructed payment histories, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from duespark.email.compose import compose_reminder
from duespark.models import Client, ClientAdaptation
from duespark.reminders import planner, service
from duespark.reminders.planner import plan
from duespark.reminders.policy import DEFAULT_STEPS, Step
from duespark.wiring import connect_domains
from tests.adaptive.support import paid_history
from tests.conftest import make_test_settings
from tests.helpers import make_account, make_client, make_invoice
from tests.reminders.support import by_step, reminders_of, set_account_policy

DUE = date(2026, 12, 21)  # a Monday, so every step lands on a weekday slot


@pytest.fixture
def account(session, clock):
    account = make_account(session, clock=clock)
    set_account_policy(session, account, list(DEFAULT_STEPS), clock=clock)
    return account


@pytest.fixture
def acme(session, clock, account):
    return make_client(session, account=account, clock=clock, name="Acme")


def planned(session, clock, client):
    invoice = make_invoice(session, client=client, clock=clock, due_date=DUE)
    plan(session, clock=clock)
    return invoice, by_step(reminders_of(session, invoice.id))


def summary(rows):
    return {key: (r.template_key, r.state, r.reason) for key, r in rows.items()}


def test_early_payer_gets_no_pre_due_reminder(session, clock, acme):
    paid_history(session, acme, clock, [-4, -5, -3, -4, -4, -4])
    invoice, rows = planned(session, clock, acme)
    assert summary(rows) == {
        "d-3": ("friendly", "skipped", "adaptive_skipped"),
        "d+0": ("due_today", "pending", None),
        "d+7": ("firm", "pending", None),
        "d+14": ("urgent", "pending", None),
        "d+30": ("final", "pending", None),
    }
    assert rows["d-3"].detail == "Skipped: Acme pays 4 days early on average over 6 invoices."
    # The timeline shows the sentence.
    timeline = service.invoice_timeline(session, account_id=acme.account_id, invoice_id=invoice.id)
    assert timeline.items[0].explanation == "Skipped: Acme pays 4 days early on average over 6 invoices."


def test_adaptive_ratings_follow_the_insights_thresholds_in_settings(session, clock, account, acme, tmp_path):
    # With early meaning "at least 5 days early" and 2 paid invoices enough for a rating, the same
    # history that is "early" by default (4 days early over 6) is on time, and 2 invoices 6 days
    # early are early: the schedule follows what the insights endpoints show.
    paid_history(session, acme, clock, [-4, -5, -3, -4, -4, -4])
    strict = make_test_settings(tmp_path, "sqlite://", insights_early_max_days=-5, insights_min_paid_invoices=2)
    connect_domains(strict)
    try:
        _, rows = planned(session, clock, acme)
        assert rows["d-3"].state == "pending" and rows["d-3"].reason is None
        other = make_client(session, account=account, clock=clock, name="Globex")
        paid_history(session, other, clock, [-6, -6])
        _, rows = planned(session, clock, other)
        assert rows["d-3"].reason == "adaptive_skipped"
        assert rows["d-3"].detail == "Skipped: Globex pays 6 days early on average over 2 invoices."
    finally:
        connect_domains(make_test_settings(tmp_path, "sqlite://"))


def test_too_little_history_is_not_early(session, clock, acme):
    paid_history(session, acme, clock, [-4, -4])  # fewer than the 3 paid invoices a rating needs
    _, rows = planned(session, clock, acme)
    assert rows["d-3"].state == "pending"
    assert all(r.reason is None for r in rows.values())


def test_chronic_late_payer_gets_an_earlier_step_and_firmer_tones(session, clock, acme):
    paid_history(session, acme, clock, [20, 25, 18, 21, 16])
    _, rows = planned(session, clock, acme)
    assert summary(rows) == {
        "d-7": ("friendly", "pending", "adaptive_extra_step"),
        "d-3": ("friendly", "pending", None),
        "d+0": ("due_today", "pending", None),
        "d+7": ("urgent", "pending", "adaptive_escalated"),
        # Never escalated into a final notice: one final per invoice (the policy's own d+30).
        "d+14": ("urgent", "pending", None),
        "d+30": ("final", "pending", None),
    }
    why = "Acme pays 20 days late on average over 5 invoices."
    assert rows["d-7"].detail == f"Extra reminder 7 days before the due date: {why}"
    assert rows["d+7"].detail == f"Escalated from firm to urgent: {why}"
    assert [r.step_key for r in rows.values() if r.template_key == "final"] == ["d+30"]


def test_no_extra_step_when_the_policy_already_starts_that_early(session, clock, account, acme):
    set_account_policy(session, account, [Step(-10, "friendly"), Step(7, "firm")], clock=clock)
    paid_history(session, acme, clock, [30, 30, 30])
    _, rows = planned(session, clock, acme)
    assert summary(rows) == {
        "d-10": ("friendly", "pending", None),
        "d+7": ("urgent", "pending", "adaptive_escalated"),
    }


def test_late_but_not_chronic_is_left_alone(session, clock, acme):
    paid_history(session, acme, clock, [6, 8, 7])
    _, rows = planned(session, clock, acme)
    assert set(rows) == {"d-3", "d+0", "d+7", "d+14", "d+30"}
    assert all(r.reason is None for r in rows.values())


def test_first_time_client_keeps_a_friendly_tone_until_the_due_date(session, clock, account, acme):
    set_account_policy(session, account, [Step(-3, "urgent"), Step(0, "firm"), Step(7, "firm")], clock=clock)
    _, rows = planned(session, clock, acme)
    assert summary(rows) == {
        "d-3": ("friendly", "pending", "adaptive_friendly"),
        "d+0": ("due_today", "pending", "adaptive_friendly"),
        "d+7": ("firm", "pending", None),
    }
    assert rows["d-3"].detail == "Friendly tone (friendly instead of urgent): Acme has not paid an invoice yet."
    assert rows["d+0"].detail == "Friendly tone (due_today instead of firm): Acme has not paid an invoice yet."


def test_enterprise_client_gets_professional_wording(session, clock, account, tmp_path):
    client = make_client(session, account=account, clock=clock, name="Initech", client_type="enterprise")
    paid_history(session, client, clock, [0, 1, 0])
    invoice, rows = planned(session, clock, client)
    assert {r.reason for r in rows.values()} == {"adaptive_professional"}
    assert rows["d+7"].detail == "Professional wording: Initech is an enterprise client."
    settings = make_test_settings(tmp_path, "sqlite://")

    def firm_text() -> str:
        return compose_reminder(
            account=account,
            client=client,
            invoice=invoice,
            template_key="firm",
            reminder_id=rows["d+7"].id,
            settings=settings,
            clock=clock,
            session=session,
        ).text

    english = firm_text()
    assert "For your accounts payable records" in english
    assert "oversight" not in english
    client.locale = "de"
    assert firm_text().startswith("Sehr geehrte Damen und Herren,")
    # Adaptation off for the client: the usual wording again.
    client.adaptive_reminders = False
    assert firm_text().startswith("Guten Tag Initech,")
    client.adaptive_reminders = None
    client.client_type = "business"
    assert firm_text().startswith("Guten Tag Initech,")


def test_enterprise_and_late_reasons_combine(session, clock, account):
    client = make_client(session, account=account, clock=clock, name="Initech", client_type="enterprise")
    paid_history(session, client, clock, [20, 20, 20])
    _, rows = planned(session, clock, client)
    assert rows["d+7"].reason == "adaptive_escalated"
    assert rows["d+7"].detail == (
        "Escalated from firm to urgent: Initech pays 20 days late on average over 3 invoices. "
        "Professional wording: Initech is an enterprise client."
    )


def test_paid_only_after_the_final_notice_flags_a_personal_follow_up(session, clock, account, acme):
    other = make_client(session, account=account, clock=clock, name="Umbrella")
    paid_history(session, acme, clock, [35, 2, 40, 38, 41], after_final=[True, False, True, True, True])
    # Only two of Umbrella's last three went past the final notice.
    paid_history(session, other, clock, [40, 40, 1], after_final=[True, True, False])
    planned(session, clock, acme)
    planned(session, clock, other)
    session.expire_all()
    assert acme.needs_personal_follow_up is True
    assert acme.follow_up_reason.startswith("Acme paid the last 3 invoices only after the final notice")
    assert other.needs_personal_follow_up is False
    assert other.follow_up_reason is None


def test_switched_off_for_the_account(session, clock, account, acme):
    account.adaptive_reminders = False
    paid_history(session, acme, clock, [-4, -4, -4])
    _, rows = planned(session, clock, acme)
    assert rows["d-3"].state == "pending"
    assert all(r.reason is None for r in rows.values())


def test_client_switch_overrides_the_account(session, clock, account, acme):
    account.adaptive_reminders = False
    acme.adaptive_reminders = True
    paid_history(session, acme, clock, [-4, -4, -4])
    _, rows = planned(session, clock, acme)
    assert rows["d-3"].reason == "adaptive_skipped"
    other = make_client(session, account=account, clock=clock, name="Umbrella", adaptive_reminders=False)
    account.adaptive_reminders = True
    paid_history(session, other, clock, [-4, -4, -4])
    _, rows = planned(session, clock, other)
    assert rows["d-3"].state == "pending"


def test_a_change_in_behaviour_replans_the_clients_open_invoices(session, clock, acme):
    open_invoice, rows = planned(session, clock, acme)
    assert rows["d-3"].state == "pending" and rows["d-3"].reason is None
    # Acme pays its earlier invoices early; paying one more plans that invoice, which refreshes
    # Acme's adaptation and re-plans the open invoice too.
    history = paid_history(session, acme, clock, [-5, -5, -5])
    plan(session, clock=clock, invoice_ids=[history[-1].id])
    plan(session, clock=clock)
    rows = by_step(reminders_of(session, open_invoice.id))
    assert (rows["d-3"].state, rows["d-3"].reason) == ("skipped", "adaptive_skipped")
    # Turning adaptation off for the client brings back nothing already skipped, and adapts no more.
    acme.adaptive_reminders = False
    acme.updated_at = clock.advance(minutes=1)
    plan(session, clock=clock)
    session.expire_all()
    assert session.get(ClientAdaptation, acme.id).profile is None
    assert by_step(reminders_of(session, open_invoice.id))["d-3"].state == "skipped"


def test_chronic_payer_turning_punctual_cancels_the_extra_step(session, clock, acme):
    paid_history(session, acme, clock, [20, 20, 20])
    open_invoice, rows = planned(session, clock, acme)
    assert rows["d-7"].state == "pending"
    # Twelve punctual payments later the mean is 5 days: late, no longer chronic.
    paid_history(session, acme, clock, [0] * 9)
    planner.mark_for_planning(session, planner.Invoice.client_id == acme.id)
    plan(session, clock=clock)
    rows = by_step(reminders_of(session, open_invoice.id))
    assert (rows["d-7"].state, rows["d-7"].reason) == ("canceled", "adaptation_changed")
    assert rows["d+7"].template_key == "firm" and rows["d+7"].reason is None


def test_one_history_query_per_planning_run(session, clock, account, engine):
    from sqlalchemy import event

    clients = [make_client(session, account=account, clock=clock, name=f"C{n}") for n in range(8)]
    for client in clients:
        paid_history(session, client, clock, [-4, -4, -4])
        for _ in range(3):
            make_invoice(session, client=client, clock=clock, due_date=DUE)
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        plan(session, clock=clock)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sum("row_number()" in s.lower() for s in statements) == 1
    assert session.query(Client).count() == 8
