"""The EPC "SEPA credit transfer" QR payload, byte by byte against the layout of EPC069-12 (version 002),
and the QR image decoded back (zxing-cpp) to the same bytes."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from duespark.banktransfer import epc
from duespark.banktransfer.epc import EpcPayloadError, EpcTransfer

IBAN = "DE89370400440532013000"


def decode_png(png: bytes) -> zxingcpp.Barcode:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0]


def test_with_bic_and_unstructured_text():
    payload = EpcTransfer(
        name="Acme Studio GmbH", iban=IBAN, bic="COBADEFFXXX", amount_cents=125_000, remittance_text="INV-1042"
    ).payload()
    assert payload.encode() == (
        b"BCD\n002\n1\nSCT\nCOBADEFFXXX\nAcme Studio GmbH\nDE89370400440532013000\nEUR1250.00\n\n\nINV-1042"
    )


def test_without_bic_the_line_is_empty_and_the_rest_keeps_its_place():
    payload = EpcTransfer(name="Acme", iban=IBAN, amount_cents=1, remittance_text="INV-1").payload()
    assert payload.encode() == b"BCD\n002\n1\nSCT\n\nAcme\nDE89370400440532013000\nEUR0.01\n\n\nINV-1"


def test_structured_creditor_reference_on_line_10_and_no_text():
    reference = epc.creditor_reference("539007547034")
    assert reference == "RF18539007547034"  # the example of ISO 11649
    payload = EpcTransfer(
        name="Acme", iban=IBAN, amount_cents=99_999_999_999, creditor_reference=reference, remittance_text="ignored"
    ).payload()
    assert payload.encode() == b"BCD\n002\n1\nSCT\n\nAcme\nDE89370400440532013000\nEUR999999999.99\n\nRF18539007547034"


def test_umlauts_are_utf8_and_the_name_is_one_line():
    payload = EpcTransfer(
        name="Müller & Söhne\nGmbH", iban="AT61 1904 3002 3457 3201", amount_cents=1050, remittance_text="Rechnung Ä-7"
    ).payload()
    assert payload.encode("utf-8") == (
        b"BCD\n002\n1\nSCT\n\nM\xc3\xbcller & S\xc3\xb6hne GmbH\nAT611904300234573201\nEUR10.50\n\n\n"
        b"Rechnung \xc3\x84-7"
    )


def test_amount_outside_the_allowed_range_is_left_empty():
    assert epc.format_amount(0) == ""
    assert epc.format_amount(100_000_000_000) == ""
    assert epc.format_amount(1) == "EUR0.01"
    assert epc.format_amount(99_999_999_999) == "EUR999999999.99"
    payload = EpcTransfer(name="Acme", iban=IBAN, amount_cents=None).payload()
    assert payload.encode() == b"BCD\n002\n1\nSCT\n\nAcme\nDE89370400440532013000"


def test_maximum_lengths_are_cut_and_the_whole_stays_within_331_bytes():
    name = "N" * 80
    text = "T" * 200
    payload = EpcTransfer(name=name, iban=IBAN, bic="COBADEFFXXX", amount_cents=5, remittance_text=text).payload()
    lines = payload.split("\n")
    assert lines[5] == "N" * 70
    assert lines[10] == "T" * 140
    assert len(payload.encode()) == 4 + 4 + 2 + 4 + 12 + 71 + 23 + 8 + 1 + 1 + 140 == 270
    # Two-byte letters: 70 of them in the name and 140 in the text would be 351 + 140 bytes; the text is cut
    # at a character boundary so the payload is at most 331 bytes, never the name or the account.
    wide = EpcTransfer(
        name="Ö" * 70, iban=IBAN, bic="COBADEFFXXX", amount_cents=99_999_999_999, remittance_text="ü" * 140
    )
    payload = wide.payload()
    encoded = payload.encode("utf-8")
    assert len(encoded) <= epc.MAX_PAYLOAD_BYTES
    assert payload.split("\n")[5] == "Ö" * 70
    # 208 bytes before the text (14 + 12 + 141 + 23 + 16 + 1 + 1) leave 123: 61 two-byte letters.
    assert payload.split("\n")[10] == "ü" * 61
    assert len(encoded) == 330


def test_no_name_or_no_iban_or_long_reference_is_refused():
    with pytest.raises(EpcPayloadError):
        EpcTransfer(name=" \n ", iban=IBAN, amount_cents=1).payload()
    with pytest.raises(EpcPayloadError):
        EpcTransfer(name="Acme", iban="", amount_cents=1).payload()
    with pytest.raises(EpcPayloadError):
        EpcTransfer(name="Acme", iban=IBAN, amount_cents=1, creditor_reference="RF" + "1" * 34).payload()


def test_creditor_reference_check_digits():
    assert epc.is_creditor_reference("RF18 5390 0754 7034")
    assert not epc.is_creditor_reference("RF19539007547034")
    assert epc.creditor_reference("INV-1042") == "RF" + epc.creditor_reference("INV1042")[2:4] + "INV1042"
    assert epc.is_creditor_reference(epc.creditor_reference("INV-1042"))
    assert epc.creditor_reference("x" * 22) is None
    assert epc.creditor_reference("---") is None


@pytest.mark.parametrize(
    "transfer",
    [
        EpcTransfer(
            name="Acme Studio GmbH", iban=IBAN, bic="COBADEFFXXX", amount_cents=125_000, remittance_text="INV-1"
        ),
        EpcTransfer(name="Müller & Söhne", iban=IBAN, amount_cents=1, creditor_reference="RF18539007547034"),
        EpcTransfer(
            name="Ö" * 70, iban=IBAN, bic="COBADEFFXXX", amount_cents=99_999_999_999, remittance_text="ü" * 140
        ),
    ],
    ids=["bic-text", "umlauts-rf", "longest"],
)
def test_the_png_decodes_back_to_the_same_bytes_at_level_m(transfer):
    payload = transfer.payload()
    barcode = decode_png(epc.qr_png(payload, scale=4))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.ec_level == "M"
    assert barcode.bytes == payload.encode("utf-8")
    lines = barcode.text.split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert lines[5] == epc.one_line(transfer.name, 70)
    assert lines[6] == IBAN
    assert lines[7] == epc.format_amount(transfer.amount_cents)
    # EPC069-12: at most version 13 (331 bytes at level M).
    assert epc.qr_code(payload).version <= 13
