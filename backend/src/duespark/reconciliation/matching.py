"""Which open invoice a payment in a bank statement is for, and why, in words. Pure: no database.

Evidence, strongest first: a reference of the invoice in the remittance text or the structured creditor
reference (its number, or the transfer reference banktransfer asks clients to write, RF.. included);
the amount equal to the balance; the payer's name like the client's. Each proposal has a confidence
(0-100) and says what was found: "reference INV-1042 in the remittance text; amount equals the balance;
payer 'ACME GMBH' matches client 'Acme GmbH'".
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from duespark.money import format_amount

REFERENCE_POINTS = 60
AMOUNT_POINTS = 30
NAME_POINTS = 10
STRONG = 80  # reference and amount: "Confirm all strong matches" confirms these
MEDIUM = 50
NAME_SIMILARITY = 0.85
# References are looked up as runs of up to this many adjacent words ("RF18 5390 0754 7034" is four).
MAX_WORDS_IN_REFERENCE = 8
MIN_REFERENCE_CHARS = 3
LEGAL_FORMS = frozenset(
    [
        "gmbh",
        "ag",
        "kg",
        "ug",
        "ohg",
        "gbr",
        "ev",
        "mbh",
        "co",
        "ltd",
        "limited",
        "llc",
        "llp",
        "inc",
        "corp",
        "plc",
        "sa",
        "sas",
        "sarl",
        "sl",
        "slu",
        "srl",
        "bv",
        "nv",
        "ab",
        "oy",
        "as",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Candidate:
    """An open invoice a payment may be for, with the references its client was asked to write."""

    invoice_id: int
    number: str
    currency: str
    balance_minor: int
    client_names: tuple[str, ...]
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Payment:
    amount_minor: int
    currency: str
    payer_name: str | None
    remittance: str | None
    creditor_reference: str | None


@dataclass(frozen=True)
class Proposal:
    invoice_id: int
    invoice_number: str
    confidence: int
    explanation: str
    apply_minor: int
    unapplied_minor: int

    @property
    def level(self) -> str:
        return level_of(self.confidence)


@dataclass(frozen=True)
class Outcome:
    proposal: Proposal | None
    explanation: str


def level_of(confidence: int) -> str:
    return "strong" if confidence >= STRONG else "medium" if confidence >= MEDIUM else "weak"


def compact(text: str) -> str:
    """Letters and digits only, upper case: "inv-1042" and "INV 1042" are both "INV1042"."""
    return "".join(_WORD.findall(text)).upper()


def normalise_name(name: str) -> str:
    """Lower case, umlauts spelled out (Müller = Mueller), accents off, legal forms and punctuation out."""
    text = name.casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in LEGAL_FORMS]
    return " ".join(words)


def names_match(payer: str, client: str) -> bool:
    a, b = normalise_name(payer), normalise_name(client)
    if not a or not b:
        return False
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return True
    # "Becker Architektur" paying as "ANNA BECKER ARCHITEKTUR": every word of the client's name is there.
    words_a, words_b = set(a.split()), set(b.split())
    if len(words_b) >= 2 and words_b <= words_a:
        return True
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= NAME_SIMILARITY and matcher.ratio() >= NAME_SIMILARITY


def _ngrams(text: str) -> Iterable[str]:
    words = [w.upper() for w in _WORD.findall(text)]
    for start in range(len(words)):
        joined = ""
        for word in words[start : start + MAX_WORDS_IN_REFERENCE]:
            joined += word
            yield joined


@dataclass
class Matcher:
    """Built once over the account's open invoices, then asked for each payment."""

    candidates: Sequence[Candidate]
    # (number, status) of the account's settled invoices (paid, void): a transfer naming one is not for another.
    settled: Sequence[tuple[str, str]] = ()
    settled_by_reference: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_reference: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_amount: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_id: dict[int, Candidate] = field(default_factory=dict)
    label: dict[tuple[int, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for number, status in self.settled:
            key = compact(number)
            if len(key) >= MIN_REFERENCE_CHARS:
                self.settled_by_reference[key] = (number, status)
        for c in self.candidates:
            self.by_id[c.invoice_id] = c
            for ref in (c.number, *c.references):
                key = compact(ref)
                if len(key) >= MIN_REFERENCE_CHARS or key.isdigit():
                    self.by_reference[key].add(c.invoice_id)
                    self.label.setdefault((c.invoice_id, key), ref)
            self.by_amount[(c.currency, c.balance_minor)].append(c.invoice_id)
            for name in c.client_names:
                if normalise_name(name):
                    self.by_name[normalise_name(name).replace(" ", "")].add(c.invoice_id)

    def _settled_reference(self, payment: Payment) -> tuple[str, str] | None:
        for text in (payment.creditor_reference, payment.remittance):
            for gram in _ngrams(text or ""):
                if gram in self.settled_by_reference:
                    return self.settled_by_reference[gram]
        return None

    def _references(self, payment: Payment) -> dict[int, tuple[str, str]]:
        """Invoice id -> (the reference as the invoice has it, where it was found)."""
        hits: dict[int, tuple[str, str]] = {}
        sources = (
            ("the creditor reference", payment.creditor_reference),
            ("the remittance text", payment.remittance),
        )
        for where, text in sources:
            if not text:
                continue
            for gram in _ngrams(text):
                for invoice_id in self.by_reference.get(gram, ()):
                    c = self.by_id[invoice_id]
                    if c.currency != payment.currency:
                        continue
                    # The invoice's number reads best; a transfer reference only where the number is not there.
                    if invoice_id not in hits or (hits[invoice_id][0] != c.number and gram == compact(c.number)):
                        hits[invoice_id] = (self.label[(invoice_id, gram)], where)
        return hits

    def match(self, payment: Payment) -> Outcome:
        refs = self._references(payment)
        if not refs and (settled := self._settled_reference(payment)) is not None:
            number, status = settled
            return Outcome(None, f"reference {number} in the remittance text, but {number} is already {status}")
        same_amount = list(self.by_amount.get((payment.currency, payment.amount_minor), ()))
        named = (
            self.by_name.get(normalise_name(payment.payer_name).replace(" ", ""), set())
            if payment.payer_name
            else set()
        )
        ids = set(refs) | set(same_amount) | {i for i in named if self.by_id[i].currency == payment.currency}
        if not ids:
            return Outcome(None, f"no open {payment.currency} invoice matches: no reference, amount or payer found")
        scored = []
        for invoice_id in ids:
            c = self.by_id[invoice_id]
            name_hit = next(
                (name for name in c.client_names if payment.payer_name and names_match(payment.payer_name, name)), None
            )
            points = (
                (REFERENCE_POINTS if invoice_id in refs else 0)
                + (AMOUNT_POINTS if c.balance_minor == payment.amount_minor else 0)
                + (NAME_POINTS if name_hit else 0)
            )
            scored.append((points, invoice_id, name_hit))
        scored.sort(key=lambda s: (-s[0], self.by_id[s[1]].number))
        best_points, best_id, name_hit = scored[0]
        rivals = [s for s in scored if s[0] == best_points]
        if len(rivals) > 1:
            numbers = ", ".join(self.by_id[s[1]].number for s in rivals[:5])
            more = f" and {len(rivals) - 5} more" if len(rivals) > 5 else ""
            return Outcome(
                None,
                f"{self._why(payment, best_id, refs, name_hit, alone=False)} of {len(rivals)} "
                f"open invoices ({numbers}{more}): choose one",
            )
        # A name alone or an amount alone is a guess: shown, never strong.
        explanation = self._why(payment, best_id, refs, name_hit, alone=True)
        c = self.by_id[best_id]
        apply = min(payment.amount_minor, c.balance_minor)
        proposal = Proposal(
            invoice_id=best_id,
            invoice_number=c.number,
            confidence=min(100, best_points),
            explanation=explanation,
            apply_minor=apply,
            unapplied_minor=payment.amount_minor - apply,
        )
        return Outcome(proposal, explanation)

    def explain(self, payment: Payment, invoice_id: int) -> tuple[int, str] | None:
        """(confidence, explanation) for an invoice the user chose; None when it is not an open one."""
        c = self.by_id.get(invoice_id)
        if c is None or c.currency != payment.currency:
            return None
        refs = {k: v for k, v in self._references(payment).items() if k == invoice_id}
        name_hit = next(
            (name for name in c.client_names if payment.payer_name and names_match(payment.payer_name, name)), None
        )
        points = (
            (REFERENCE_POINTS if refs else 0)
            + (AMOUNT_POINTS if c.balance_minor == payment.amount_minor else 0)
            + (NAME_POINTS if name_hit else 0)
        )
        return points, self._why(payment, invoice_id, refs, name_hit, alone=True)

    def _why(
        self, payment: Payment, invoice_id: int, refs: dict[int, tuple[str, str]], name_hit: str | None, *, alone: bool
    ) -> str:
        c = self.by_id[invoice_id]
        parts = []
        if invoice_id in refs:
            ref, where = refs[invoice_id]
            parts.append(
                f"reference {ref} in {where}" if ref == c.number else f"reference {ref} ({c.number}) in {where}"
            )
        cur = payment.currency
        if c.balance_minor == payment.amount_minor:
            parts.append("amount equals the balance")
        elif payment.amount_minor < c.balance_minor:
            parts.append(
                f"partial payment: {format_amount(payment.amount_minor, cur)} of the balance "
                f"{format_amount(c.balance_minor, cur)} {cur}"
            )
        else:
            extra = payment.amount_minor - c.balance_minor
            parts.append(
                f"amount is more than the balance {format_amount(c.balance_minor, cur)} {cur}: "
                f"{format_amount(extra, cur)} {cur} would stay unapplied"
            )
        if name_hit and payment.payer_name:
            parts.append(f"payer '{payment.payer_name}' matches client '{name_hit}'")
        if not alone:  # what all the equally good invoices have in common
            if invoice_id in refs:
                return parts[0]
            return "amount equals the balance" if c.balance_minor == payment.amount_minor else parts[-1]
        return "; ".join(parts)
