"""The accounting providers DueSpark offers. A third one is a module with a class like these, added here."""

from __future__ import annotations

from duespark.accounting.base import Provider
from duespark.accounting.quickbooks import QuickBooks
from duespark.accounting.xero import Xero
from duespark.errors import NotFound
from duespark.settings import Settings

PROVIDERS: dict[str, type] = {"xero": Xero, "quickbooks": QuickBooks}


def get_provider(settings: Settings, name: str) -> Provider:
    cls = PROVIDERS.get(name)
    if cls is None:
        raise NotFound("Accounting provider")
    return cls(settings)
