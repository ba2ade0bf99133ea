"""CPU per reminder email that attaches the generated invoice PDF, without and with the PDF cache.

    python bench/pdf_bench.py [--emails 60] [--rounds 3]

Makes the demo account (`duespark demo`'s clients and invoices, its EUR bank account, so each PDF
carries the transfer and its EPC QR code) in a temporary SQLite database, then composes a reminder
email with the PDF attached for each of N open invoices, as the worker does (the PDF looked up or drawn,
the email written, the MIME message built), `rounds` times over the same invoices:
- "drawn each time": a storage that keeps no generated copy, which is how every email was made before
  the cache (the content key is still computed, so this slightly overstates the old cost);
- "cached": the first round draws and stores each PDF, the later rounds (the ones measured) reuse them,
  as the reminders after the first one for an unchanged invoice do.
Prints CPU milliseconds per email (process time) for both, and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from duespark import demo, migrate
from duespark.auth.security import password_hasher
from duespark.clock import FixedClock
from duespark.db import make_engine, make_session_factory, transaction
from duespark.documents import attach
from duespark.documents.storage import LocalStorage, StoredFileMissing
from duespark.email.compose import compose_reminder
from duespark.email.mime import to_mime
from duespark.models import Account, Client, Invoice
from duespark.settings import Settings
from report import record

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class NoCopies(LocalStorage):
    """Keeps uploads and the logo, never a generated copy: every PDF is drawn, as before the cache."""

    def get(self, key: str) -> bytes:
        if "/generated/" in key:
            raise StoredFileMissing()
        return super().get(key)

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        if "/generated/" not in key:
            super().put(key, data, content_type=content_type)


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=url,
        secret_keys=["bench-only-signing-key-0123456789abcdefghijklmnopqrstuvwxyz"],
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        email_provider="file",
        email_from="reminders@duespark.test",
        public_url="http://bench",
        run_worker_in_process=False,
    )


def _emails(factory, storage, settings, clock, account_id: int, invoice_ids: list[int]) -> list[float]:
    """CPU ms of each email: PDF (cached or drawn), reminder composed with it, MIME built."""
    spent = []
    with transaction(factory, write=False) as session:
        account = session.get(Account, account_id)
        for invoice_id in invoice_ids:
            invoice = session.get(Invoice, invoice_id)
            client = session.get(Client, invoice.client_id)
            started = time.process_time()
            document = attach.for_invoice(
                session,
                storage,
                settings=settings,
                clock=clock,
                account=account,
                client=client,
                invoice=invoice,
                provider_name="postmark",
            )
            email = compose_reminder(
                account=account,
                client=client,
                invoice=invoice,
                template_key="firm",
                reminder_id=invoice_id,
                settings=settings,
                clock=clock,
                session=session,
                note=document.note,
                attachments=document.attachments,
            )
            assert bytes(to_mime(email))
            spent.append((time.process_time() - started) * 1000)
    return spent


def run(emails: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data_dir:
        url = f"sqlite:///{data_dir}/bench.db"
        engine = make_engine(url)
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        clock = FixedClock(NOW)
        settings = _settings(url, Path(data_dir))
        with transaction(factory) as session:
            account_id = demo.ensure_demo_user(
                session,
                email="demo@example.com",
                hasher=password_hasher(settings),
                clock=clock,
            )
        demo.fill_account(factory, account_id=account_id, settings=settings, clock=clock, replay=False)
        with transaction(factory, write=False) as session:
            invoice_ids = list(
                session.scalars(
                    select(Invoice.id)
                    .where(
                        Invoice.account_id == account_id,
                        Invoice.status.in_(("open", "partially_paid")),
                    )
                    .order_by(Invoice.id)
                    .limit(emails)
                )
            )
        drawn: list[float] = []
        no_copies = NoCopies(Path(data_dir) / "documents")
        for _ in range(rounds):
            drawn += _emails(factory, no_copies, settings, clock, account_id, invoice_ids)
        cached_storage = LocalStorage(Path(data_dir) / "documents")
        first = _emails(factory, cached_storage, settings, clock, account_id, invoice_ids)
        cached: list[float] = []
        for _ in range(rounds):
            cached += _emails(factory, cached_storage, settings, clock, account_id, invoice_ids)
        engine.dispose()
    return {
        "invoices": len(invoice_ids),
        "drawn": statistics.median(drawn),
        "first": statistics.median(first),
        "cached": statistics.median(cached),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = run(args.emails, args.rounds)
    ratio = result["drawn"] / result["cached"] if result["cached"] else float("inf")
    print(f"\nReminder emails with the generated invoice PDF attached ({result['invoices']} invoices)")
    print(f"{'':<38}{'CPU ms per email (median)':>28}")
    print(f"{'drawn each time (before the cache)':<38}{result['drawn']:>28.1f}")
    print(f"{'first email of an invoice (draw+store)':<38}{result['first']:>28.1f}")
    print(f"{'cached (later reminders)':<38}{result['cached']:>28.1f}")
    print(f"{'before / after':<38}{ratio:>27.1f}x")
    record("pdf", "CPU ms per email with PDF, drawn", f"{result['drawn']:.1f} ms")
    record(
        "pdf",
        "CPU ms per email with PDF, cached",
        f"{result['cached']:.1f} ms ({ratio:.1f}x less)",
    )


if __name__ == "__main__":
    main()
