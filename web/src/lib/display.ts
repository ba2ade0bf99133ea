/** Human names for the codes the API speaks: locales, timezones, payment methods. */

/** "de_DE" -> "German (Germany)"; the code itself when the browser cannot name it. */
export function languageName(code: string | null | undefined, displayLocale?: string): string | null {
  if (!code) return null;
  const tag = code.replace(/_/g, '-');
  try {
    const names = new Intl.DisplayNames(displayLocale ? [displayLocale] : undefined, { type: 'language' });
    return names.of(tag) ?? code;
  } catch {
    return code;
  }
}

/** "America/Los_Angeles" -> "Pacific Time (Los Angeles)"; "UTC" stays "UTC"; the code when unknown. */
export function timezoneName(zone: string | null | undefined, displayLocale?: string): string | null {
  if (!zone) return null;
  if (zone === 'UTC' || zone === 'Etc/UTC') return 'UTC';
  const city = zone.split('/').pop()!.replace(/_/g, ' ');
  try {
    const parts = new Intl.DateTimeFormat(displayLocale ? [displayLocale] : undefined, {
      timeZone: zone,
      timeZoneName: 'longGeneric',
    }).formatToParts(new Date());
    const name = parts.find((part) => part.type === 'timeZoneName')?.value;
    if (!name || /^GMT[+-]?/.test(name)) return zone; // an offset is no better than the code
    return `${name} (${city})`;
  } catch {
    return zone;
  }
}

/** One label per payment method, the same in the payment form and the payments table. */
export const PAYMENT_METHOD_LABELS: Record<string, string> = {
  manual: 'Bank transfer',
  other: 'Other',
  stripe: 'Card (Stripe)',
};

export function paymentMethodLabel(method: string): string {
  return PAYMENT_METHOD_LABELS[method] ?? method;
}
