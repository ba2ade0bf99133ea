import { Box, Group, Paper, Skeleton, Text, Title, VisuallyHidden } from '@mantine/core';
import dayjs from 'dayjs';
import type { InsightsTimeseries } from '@/api/types';
import { InlineError } from '@/components/ui/QueryStates';
import { formatMoney } from '@/lib/money';
import { compactMoney } from '../currencies';
import { useMonthlySeries } from '../hooks/queries';
import classes from './MonthlyChart.module.css';

type Point = InsightsTimeseries['series'][number]['points'][number];

const COLLECTED = 'var(--mantine-color-teal-6)';
const OUTSTANDING = 'var(--mantine-color-indigo-3)';
const OVERDUE = 'var(--mantine-color-red-6)';
const BAR_HEIGHT = 140;

/** How much of the outstanding bar is overdue, in percent (0 when nothing is outstanding). */
function overdueShare(p: Point): number {
  const outstanding = Number(p.outstanding ?? 0);
  return outstanding > 0 ? Math.min(100, (Number(p.overdue ?? 0) / outstanding) * 100) : 0;
}

function Legend({ color, label }: { color: string; label: string }) {
  return (
    <Group gap={6} wrap="nowrap">
      <span aria-hidden style={{ width: 10, height: 10, borderRadius: 2, background: color, display: 'inline-block' }} />
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Group>
  );
}

/**
 * Collected vs. still outstanding at month end (its overdue part in red), per month over the last 12 months
 * (6 on a phone), in one currency.
 * The bars are drawn for the eye; the same figures are in a table for screen readers.
 */
export function MonthlyChart({ currency }: { currency: string }) {
  const series = useMonthlySeries();
  const points: Point[] = series.data?.series.find((s) => s.currency === currency)?.points ?? [];
  const values = points.flatMap((p) => [Number(p.collected), Number(p.outstanding ?? 0)]);
  const max = Math.max(1, ...values);
  const month = (p: Point) => dayjs(p.period_start).format('MMM');
  const monthLong = (p: Point) => dayjs(p.period_start).format('MMMM YYYY');
  return (
    <Paper withBorder p="lg" component="figure" m={0} data-testid="monthly-chart">
      <Group justify="space-between" mb="md" align="flex-start">
        <Title order={2} fz="md" fw={600} component="figcaption">
          Collected vs. still outstanding, per month ({currency})
        </Title>
        <Group gap="md">
          <Legend color={COLLECTED} label="Collected" />
          <Legend color={OUTSTANDING} label="Outstanding at month end" />
          <Legend color={OVERDUE} label="of which overdue" />
        </Group>
      </Group>
      {series.isError ? (
        <InlineError error={series.error} onRetry={() => void series.refetch()} />
      ) : series.isPending ? (
        <Skeleton h={BAR_HEIGHT + 24} />
      ) : points.length === 0 ? (
        <Text size="sm" c="dimmed">
          No invoices or payments in {currency} in the last 12 months.
        </Text>
      ) : (
        <>
          <div className={classes.chart} aria-hidden>
            {points.map((p, index) => (
              <div key={p.period_start} className={classes.month} data-older={index < points.length - 6 || undefined}>
                <div className={classes.bars} style={{ height: BAR_HEIGHT }}>
                  <Box
                    className={classes.bar}
                    style={{ height: `${(Number(p.collected) / max) * 100}%`, background: COLLECTED }}
                    title={`${monthLong(p)}: ${formatMoney(p.collected, currency)} collected`}
                  />
                  <Box
                    className={classes.bar}
                    style={{
                      height: `${(Number(p.outstanding ?? 0) / max) * 100}%`,
                      background: `linear-gradient(to top, ${OVERDUE} ${overdueShare(p)}%, ${OUTSTANDING} ${overdueShare(p)}%)`,
                    }}
                    title={`${monthLong(p)}: ${formatMoney(p.outstanding ?? '0', currency)} outstanding at month end, ${formatMoney(p.overdue ?? '0', currency)} of it overdue`}
                  />
                </div>
                <Text size="xs" c="dimmed" ta="center" mt={4}>
                  {month(p)}
                </Text>
              </div>
            ))}
          </div>
          <Text size="xs" c="dimmed" mt={6}>
            Highest month: {compactMoney(String(max), currency)}
          </Text>
          <VisuallyHidden>
            <table>
              <caption>Collected and still outstanding per month in {currency}</caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Collected</th>
                  <th scope="col">Outstanding at month end</th>
                  <th scope="col">Of which overdue</th>
                </tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.period_start}>
                    <th scope="row">{monthLong(p)}</th>
                    <td>{formatMoney(p.collected, currency)}</td>
                    <td>{p.outstanding === null ? '—' : formatMoney(p.outstanding, currency)}</td>
                    <td>{p.overdue === null ? '—' : formatMoney(p.overdue, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </VisuallyHidden>
        </>
      )}
    </Paper>
  );
}
