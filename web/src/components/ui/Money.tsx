import { Text, type TextProps } from '@mantine/core';
import { formatMoney } from '@/lib/money';

export interface MoneyProps extends TextProps {
  amount: string | null | undefined;
  currency: string;
  compact?: boolean;
}

/** Renders a decimal-string amount in its currency, with tabular figures. */
export function Money({ amount, currency, compact, ...rest }: MoneyProps) {
  return (
    <Text span inherit ff="inherit" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }} {...rest}>
      {formatMoney(amount, currency, { compact })}
    </Text>
  );
}
