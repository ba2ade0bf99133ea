"""Bank statement files shaped as banks send them: CAMT.053 (ISO 20022 BkToCstmrStmt) and CSV exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

IBAN = "DE02120300000000202051"


@dataclass
class Tx:
    amount: str | None = None
    payer: str | None = None
    ustrd: list[str] = field(default_factory=list)
    creditor_ref: str | None = None
    acct_svcr_ref: str | None = None
    end_to_end: str | None = None
    credit: bool | None = None


@dataclass
class Ntry:
    amount: str
    credit: bool = True
    booked: str = "2026-11-20"
    ccy: str = "EUR"
    reversal: bool = False
    status: str = "BOOK"
    ntry_ref: str | None = None
    acct_svcr_ref: str | None = None
    txs: list[Tx] = field(default_factory=list)


def _party(version: int, name: str) -> str:
    # Up to .07 the debtor's name is Dbtr/Nm; from .08 it is Dbtr/Pty/Nm.
    inner = f"<Nm>{escape(name)}</Nm>"
    return f"<Dbtr><Pty>{inner}</Pty></Dbtr>" if version >= 8 else f"<Dbtr>{inner}</Dbtr>"


def _tx(version: int, tx: Tx, ccy: str) -> str:
    parts = ["<TxDtls>"]
    refs = ""
    if tx.acct_svcr_ref:
        refs += f"<AcctSvcrRef>{tx.acct_svcr_ref}</AcctSvcrRef>"
    refs += f"<EndToEndId>{tx.end_to_end or 'NOTPROVIDED'}</EndToEndId>"
    parts.append(f"<Refs>{refs}</Refs>")
    if tx.amount is not None:
        if version >= 4:
            parts.append(f'<Amt Ccy="{ccy}">{tx.amount}</Amt>')
        else:
            parts.append(f'<AmtDtls><TxAmt><Amt Ccy="{ccy}">{tx.amount}</Amt></TxAmt></AmtDtls>')
    if tx.credit is not None:
        parts.append(f"<CdtDbtInd>{'CRDT' if tx.credit else 'DBIT'}</CdtDbtInd>")
    if tx.payer:
        parts.append(f"<RltdPties>{_party(version, tx.payer)}</RltdPties>")
    rmt = "".join(f"<Ustrd>{escape(line)}</Ustrd>" for line in tx.ustrd)
    if tx.creditor_ref:
        rmt += (
            "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
            f"<Ref>{tx.creditor_ref}</Ref></CdtrRefInf></Strd>"
        )
    if rmt:
        parts.append(f"<RmtInf>{rmt}</RmtInf>")
    parts.append("</TxDtls>")
    return "".join(parts)


def _ntry(version: int, n: Ntry) -> str:
    status = f"<Sts><Cd>{n.status}</Cd></Sts>" if version >= 6 else f"<Sts>{n.status}</Sts>"
    parts = ["<Ntry>"]
    if n.ntry_ref:
        parts.append(f"<NtryRef>{n.ntry_ref}</NtryRef>")
    parts.append(f'<Amt Ccy="{n.ccy}">{n.amount}</Amt>')
    parts.append(f"<CdtDbtInd>{'CRDT' if n.credit else 'DBIT'}</CdtDbtInd>")
    if n.reversal:
        parts.append("<RvslInd>true</RvslInd>")
    parts.append(status)
    parts.append(f"<BookgDt><Dt>{n.booked}</Dt></BookgDt><ValDt><Dt>{n.booked}</Dt></ValDt>")
    if n.acct_svcr_ref:
        parts.append(f"<AcctSvcrRef>{n.acct_svcr_ref}</AcctSvcrRef>")
    parts.append("<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>")
    if n.txs:
        batch = f"<Btch><NbOfTxs>{len(n.txs)}</NbOfTxs></Btch>" if len(n.txs) > 1 else ""
        parts.append(f"<NtryDtls>{batch}{''.join(_tx(version, tx, n.ccy) for tx in n.txs)}</NtryDtls>")
    parts.append("</Ntry>")
    return "".join(parts)


def camt053(entries: list[Ntry], *, version: int = 2, iban: str = IBAN, stmt_id: str = "STMT-2026-11-20") -> bytes:
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version:02d}"
    body = "".join(_ntry(version, n) for n in entries)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-21T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{stmt_id}</Id><ElctrncSeqNb>220</ElctrncSeqNb><CreDtTm>2026-11-21T06:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        "<Dt><Dt>2026-11-20</Dt></Dt></Bal>"
        f"{body}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


# One statement with what a real day brings: payments with references, a batch booking of three
# transfers, a reversal, a debit, an RF creditor reference and names with umlauts.
def day_statement(*, version: int = 2, rf: str = "RF18539007547034") -> bytes:
    return camt053(
        [
            Ntry(
                "1250.00",
                acct_svcr_ref="BANK-0001",
                txs=[Tx(payer="ACME GMBH", ustrd=["Rechnung INV-1042 vielen Dank"])],
            ),
            Ntry(
                "900.00",
                acct_svcr_ref="BANK-0002",
                txs=[
                    Tx(amount="300.00", payer="Müller & Söhne KG", ustrd=["INV 1043"], acct_svcr_ref="BANK-0002-1"),
                    Tx(amount="450.00", payer="Jürgen Weiß", ustrd=["Miete November"], acct_svcr_ref="BANK-0002-2"),
                    Tx(amount="150.00", payer="Globex Corp", ustrd=["inv1044 part"], acct_svcr_ref="BANK-0002-3"),
                ],
            ),
            Ntry(
                "1250.00",
                reversal=True,
                acct_svcr_ref="BANK-0003",
                txs=[Tx(payer="ACME GMBH", ustrd=["Rückbuchung INV-1042"])],
            ),
            Ntry("89.90", credit=False, acct_svcr_ref="BANK-0004", txs=[Tx(ustrd=["Telekom Rechnung"])]),
            Ntry("500.00", acct_svcr_ref="BANK-0005", txs=[Tx(payer="Initech Ltd", creditor_ref=rf)]),
        ],
        version=version,
    )


GERMAN_CSV = (
    "Kontoumsätze Girokonto;DE02120300000000202051\n"
    "Zeitraum:;01.11.2026 - 20.11.2026\n"
    "\n"
    "Buchungstag;Valuta;Auftraggeber / Begünstigter;Verwendungszweck;Betrag (EUR)\n"
    "18.11.2026;18.11.2026;ACME GmbH;Rechnung INV-1042;1.250,00\n"
    "19.11.2026;19.11.2026;Müller & Söhne KG;INV 1043 Teilzahlung;300,00\n"
    "19.11.2026;19.11.2026;Stadtwerke;Abschlag Strom;-120,50\n"
)

ENGLISH_CSV = (
    "Date,Description,Payer,Amount,Currency\n"
    '2026-11-18,"Payment, thank you INV-1042",ACME GMBH,"1,250.00",EUR\n'
    "2026-11-19,Transfer,Unknown Person,77.00,EUR\n"
)
