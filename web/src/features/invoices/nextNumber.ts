/**
 * The invoice number after `last`: its last run of digits plus one, keeping the zero padding and
 * everything around it ("INV-041" -> "INV-042", "2026/099-B" -> "2026/100-B", "INV-999" -> "INV-1000").
 * Null when `last` has no digits to count on.
 */
export function nextInvoiceNumber(last: string | null | undefined): string | null {
  if (!last) return null;
  const match = /(\d+)(\D*)$/.exec(last);
  if (!match) return null;
  const [, digits, rest] = match;
  const next = (BigInt(digits) + 1n).toString().padStart(digits.length, '0');
  return `${last.slice(0, match.index)}${next}${rest}`;
}
