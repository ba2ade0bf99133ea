import { Anchor, Box, Group, Paper, SimpleGrid, Stack, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { IconSparkles } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { InsightsSummary } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { formatMoney, isZero, toMinorUnits } from '@/lib/money';
import { agingSegments } from '../aging';

const SEGMENT_COLORS = [
  'var(--mantine-color-blue-5)',
  'var(--mantine-color-yellow-5)',
  'var(--mantine-color-orange-6)',
  'var(--mantine-color-red-6)',
  'var(--mantine-color-red-9)',
];

function Figure({ label, children, hint }: { label: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={500} tt="uppercase">
        {label}
      </Text>
      {children}
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </div>
  );
}

/** One currency's figures: owed and late, the aging bar (each segment opens its invoices), DSO, collected, forecast. */
export function CurrencyOverview({ row, asOf, headingOrder = 2, lead = false }: { row: InsightsSummary['currencies'][number]; asOf: string; headingOrder?: 2 | 3; lead?: boolean }) {
  const segments = agingSegments(row.aging, asOf);
  const total = segments.reduce((sum, s) => sum + toMinorUnits(s.amount, row.currency), 0n);
  const sub = headingOrder === 2 ? 3 : 4;
  return (
    <Paper withBorder p="lg" data-testid={`overview-${row.currency}`} aria-labelledby={`overview-${row.currency}-title`}>
      <Title order={headingOrder} fz="md" fw={600} mb="md" id={`overview-${row.currency}-title`}>
        In {row.currency}
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="lg" mb="lg">
        <Figure label="Outstanding">
          <Money amount={row.outstanding} currency={row.currency} fz={24} fw={650} />
        </Figure>
        <Figure label="Overdue">
          <Money amount={row.overdue} currency={row.currency} fz={24} fw={650} c={isZero(row.overdue, row.currency) ? undefined : 'red.9'} />
        </Figure>
        <Figure label="Collected this month">
          <Money amount={row.collected_this_month} currency={row.currency} fz={24} fw={650} c="teal.9" />
        </Figure>
        <Figure label="DSO" hint="Days sales outstanding">
          <Text fz={24} fw={650}>
            {row.days_sales_outstanding === null ? '—' : `${Math.round(row.days_sales_outstanding)} days`}
          </Text>
        </Figure>
      </SimpleGrid>

      {(lead || !isZero(row.collected_within_7_days_of_reminder, row.currency)) && (
        <Group gap="xs" mb="lg" p="sm" wrap="nowrap" data-testid={`brought-in-${row.currency}`} style={{ borderRadius: 8, background: 'var(--mantine-color-teal-light)' }}>
          <IconSparkles size={18} color="var(--mantine-color-teal-9)" aria-hidden style={{ flexShrink: 0 }} />
          <Text size="sm">
            Reminders brought in{' '}
            <Text span fw={700} c="teal.9" data-testid={`brought-in-amount-${row.currency}`}>
              {formatMoney(row.collected_within_7_days_of_reminder, row.currency)}
            </Text>{' '}
            this month <Text span c="dimmed" size="xs">(paid within 7 days of a reminder)</Text>.{' '}
            {isZero(row.collected_within_7_days_of_reminder, row.currency) ? (
              <Text span size="sm" c="dimmed">
                No payment has followed a reminder yet.
              </Text>
            ) : (
              <Anchor component={Link} to="/invoices?recovered=this_month" size="sm">
                See these invoices
              </Anchor>
            )}
          </Text>
        </Group>
      )}

      <Title order={sub} fz="sm" fw={600} mb={6}>
        Aging
      </Title>
      {total === 0n ? (
        <Text size="sm" c="dimmed">
          Nothing outstanding.
        </Text>
      ) : (
        <>
          <Box style={{ display: 'flex', height: 14, borderRadius: 7, overflow: 'hidden', gap: 2 }} aria-label="Aging of outstanding balances" role="group">
            {segments.map((segment, index) => {
              const minor = toMinorUnits(segment.amount, row.currency);
              if (minor === 0n) return null;
              return (
                <Tooltip key={segment.key} label={`${segment.label}: ${formatMoney(segment.amount, row.currency)}`}>
                  <UnstyledButton
                    component={Link}
                    to={segment.to}
                    aria-label={`${segment.label}: ${formatMoney(segment.amount, row.currency)}. Open these invoices`}
                    style={{ flexGrow: Number((minor * 1000n) / total), flexBasis: 0, minWidth: 6, background: SEGMENT_COLORS[index] }}
                  />
                </Tooltip>
              );
            })}
          </Box>
          <Group gap="md" mt={8}>
            {segments.map((segment, index) => (
              <Anchor key={segment.key} component={Link} to={segment.to} size="xs" c="dimmed">
                <span
                  aria-hidden
                  style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 4, background: SEGMENT_COLORS[index], marginRight: 4 }}
                />
                {segment.label} · {formatMoney(segment.amount, row.currency)}
              </Anchor>
            ))}
          </Group>
        </>
      )}

      <Title order={sub} fz="sm" fw={600} mt="lg" mb={6}>
        Expected to come in
      </Title>
      <SimpleGrid cols={3} spacing="sm">
        {(
          [
            ['Next 30 days', row.forecast.days_0_30],
            ['31–60 days', row.forecast.days_31_60],
            ['61–90 days', row.forecast.days_61_90],
          ] as const
        ).map(([label, amount]) => (
          <Stack key={label} gap={0}>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Money amount={amount} currency={row.currency} fw={600} />
          </Stack>
        ))}
      </SimpleGrid>
      {row.forecast.at_risk_invoices > 0 && (
        <Group gap={6} mt="xs" data-testid="forecast-at-risk">
          <Text size="xs" c="red.8">
            At risk, not expected:
          </Text>
          <Money amount={row.forecast.at_risk} currency={row.currency} size="xs" c="red.8" fw={600} />
        </Group>
      )}
      {row.forecast.basis && (
        <Text size="xs" c="dimmed" mt={4} data-testid="forecast-basis">
          {row.forecast.basis}
        </Text>
      )}
    </Paper>
  );
}
