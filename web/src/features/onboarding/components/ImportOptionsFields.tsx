import { Checkbox, Group, NumberInput, Paper, Stack, Text } from '@mantine/core';
import type { ImportOptionsReport } from '@/api/types';
import { type ImportOptions, MAX_OLDER_THAN_DAYS, optionEffects, validOlderThanDays } from '../firstWave';

/** The two import options, and what each changes in this file (from the dry run's report). */
export function ImportOptionsFields({
  value,
  onChange,
  report,
}: {
  value: ImportOptions;
  onChange: (next: ImportOptions) => void;
  report?: ImportOptionsReport | null;
}) {
  const effects = report ? optionEffects(report) : [];
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Text fw={600} size="sm">
          When reminders start
        </Text>
        <Checkbox
          label="Start chasing from today"
          description="Nothing goes out today. Reminder steps whose day has passed are skipped; the first email goes at the next step."
          checked={value.startFromToday}
          onChange={(event) => onChange({ ...value, startFromToday: event.currentTarget.checked })}
        />
        <Group gap="xs" align="flex-start" wrap="nowrap">
          <Checkbox
            mt={6}
            aria-label="Don’t chase old invoices"
            checked={value.dontChaseOlder}
            onChange={(event) => onChange({ ...value, dontChaseOlder: event.currentTarget.checked })}
          />
          <div>
            <Group gap={6} wrap="nowrap">
              <Text size="sm">Don’t chase invoices more than</Text>
              <NumberInput
                aria-label="Days overdue"
                size="xs"
                w={90}
                min={1}
                max={MAX_OLDER_THAN_DAYS}
                allowDecimal={false}
                allowNegative={false}
                disabled={!value.dontChaseOlder}
                value={value.olderThanDays}
                error={value.dontChaseOlder && !validOlderThanDays(value.olderThanDays) ? `1 to ${MAX_OLDER_THAN_DAYS}` : undefined}
                onChange={(next) => onChange({ ...value, olderThanDays: typeof next === 'number' ? next : Number.NaN })}
              />
              <Text size="sm">days overdue</Text>
            </Group>
            <Text size="xs" c="dimmed">
              They are paused with the reason shown on the invoice, until you resume them.
            </Text>
          </div>
        </Group>
        {effects.length > 0 && (
          <Stack gap={2} data-testid="option-effects">
            {effects.map((line) => (
              <Text key={line} size="sm" c="dimmed">
                • {line}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
