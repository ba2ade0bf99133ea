import { BarChart } from '@mantine/charts';
import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { formatMoney } from '@/lib/money';
import type { DashboardSummary } from '../hooks/queries';

/**
 * Outstanding balance by how late it is. Charts need numbers: Number() is used for the bar
 * heights only; every label and tooltip shows the exact decimal string.
 */
export function AgingChart({ summary }: { summary: DashboardSummary }) {
  const currencies = [...new Set(summary.aging.map((a) => a.currency))];
  const [currency, setCurrency] = useState(currencies[0] ?? '');
  const active = currencies.includes(currency) ? currency : (currencies[0] ?? '');
  const rows = summary.aging.filter((a) => a.currency === active);

  if (rows.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        Nothing outstanding to chart.
      </Text>
    );
  }

  const data = rows.map((r) => ({ bucket: r.bucket, amount: Number(r.amount), label: r.amount }));
  return (
    <Stack gap="sm">
      {currencies.length > 1 && (
        <SegmentedControl size="xs" value={active} onChange={setCurrency} data={currencies} aria-label="Currency" style={{ alignSelf: 'flex-start' }} />
      )}
      <BarChart
        h={220}
        data={data}
        dataKey="bucket"
        series={[{ name: 'amount', label: 'Outstanding', color: 'spark.5' }]}
        valueFormatter={(value) => formatMoney(String(value), active, { compact: true })}
        tickLine="none"
        // Every bucket labelled, even on a phone; the note below says the unit.
        xAxisProps={{ interval: 0, tickFormatter: (bucket: string) => bucket.replace(/ days$/, '') }}
        gridAxis="y"
        barProps={{ radius: [4, 4, 0, 0] }}
        tooltipProps={{
          content: ({ payload }) => {
            const item = payload?.[0]?.payload as { bucket: string; label: string } | undefined;
            if (!item) return null;
            return (
              <div style={{ background: 'var(--mantine-color-body)', border: '1px solid var(--mantine-color-default-border)', borderRadius: 8, padding: '6px 10px' }}>
                <Text size="xs" c="dimmed">
                  {item.bucket}
                </Text>
                <Text size="sm" fw={600}>
                  {formatMoney(item.label, active)}
                </Text>
              </div>
            );
          },
        }}
      />
      <Text size="xs" c="dimmed" component="p" m={0}>
        Outstanding balances in {active}, grouped by days past the due date.
      </Text>
    </Stack>
  );
}
