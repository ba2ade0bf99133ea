/**
 * Money arrives from the API as decimal strings ("1250.00") plus an ISO 4217 currency.
 * Arithmetic is done on integer minor units (BigInt); formatting passes the exact decimal
 * string to Intl.NumberFormat, so no value is ever rounded through a float.
 */
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

const digitsCache = new Map<string, number>();
const formatCache = new Map<string, Intl.NumberFormat>();

/** Number of minor-unit digits of a currency: EUR 2, JPY 0, KWD 3. */
export function currencyDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(code, digits);
  }
  return digits;
}

export function isDecimalString(value: string): boolean {
  return DECIMAL.test(value.trim());
}

/** "1250.5" (EUR) -> 125050n. Extra fraction digits are rounded half away from zero. */
export function toMinorUnits(value: string, currency: string): bigint {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new RangeError(`Not a decimal amount: "${value}"`);
  const [, sign, whole, fraction = ''] = match;
  const digits = currencyDigits(currency);
  const padded = (fraction + '0'.repeat(digits)).slice(0, digits);
  let units = BigInt(whole) * 10n ** BigInt(digits) + BigInt(padded || '0');
  const rest = fraction.slice(digits);
  if (rest && Number(rest[0]) >= 5) units += 1n;
  return sign === '-' ? -units : units;
}

/** 125050n (EUR) -> "1250.50". */
export function fromMinorUnits(units: bigint, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = units < 0n;
  const abs = (negative ? -units : units).toString().padStart(digits + 1, '0');
  const whole = digits ? abs.slice(0, -digits) : abs;
  const fraction = digits ? `.${abs.slice(-digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** Adds decimal strings of one currency exactly. */
export function addMoney(currency: string, ...values: string[]): string {
  const total = values.reduce((sum, value) => sum + toMinorUnits(value, currency), 0n);
  return fromMinorUnits(total, currency);
}

/** -1, 0 or 1, like a comparator. */
export function compareMoney(a: string, b: string, currency: string): number {
  const diff = toMinorUnits(a, currency) - toMinorUnits(b, currency);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
}

export function isZero(value: string, currency: string): boolean {
  return toMinorUnits(value, currency) === 0n;
}

/** Sums `amount` per currency: [{currency: "EUR", amount: "300.00", count: 2}, ...], sorted by currency. */
export function sumByCurrency<T>(
  items: readonly T[],
  pick: (item: T) => { amount: string; currency: string },
): { currency: string; amount: string; count: number }[] {
  const totals = new Map<string, { units: bigint; count: number }>();
  for (const item of items) {
    const { amount, currency } = pick(item);
    const code = currency.toUpperCase();
    const entry = totals.get(code) ?? { units: 0n, count: 0 };
    entry.units += toMinorUnits(amount, code);
    entry.count += 1;
    totals.set(code, entry);
  }
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, { units, count }]) => ({ currency, amount: fromMinorUnits(units, currency), count }));
}

function formatter(currency: string, locale: string | undefined, compact: boolean): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}|${compact}`;
  let fmt = formatCache.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
    });
    formatCache.set(key, fmt);
  }
  return fmt;
}

/** formatMoney("1250.00", "EUR", "en-US") -> "€1,250.00". Never converts through a float. */
export function formatMoney(
  amount: string | null | undefined,
  currency: string,
  options: { locale?: string; compact?: boolean } = {},
): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const value = amount.trim();
  if (!isDecimalString(value)) return `${amount} ${currency}`;
  try {
    return formatter(currency.toUpperCase(), options.locale, !!options.compact).format(
      value as Intl.StringNumericLiteral,
    );
  } catch {
    return `${value} ${currency}`;
  }
}
