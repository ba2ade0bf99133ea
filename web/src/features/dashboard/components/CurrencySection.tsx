import { Collapse, Stack, UnstyledButton, Text, Group } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { InsightsSummary } from '@/api/types';
import { orderCurrencies, otherCurrenciesLine } from '../currencies';
import { CurrencyOverview } from './CurrencyOverview';

/** The default currency's figures first and open; the other currencies on one line that expands to their cards. */
export function CurrencySection({ summary, defaultCurrency }: { summary: InsightsSummary; defaultCurrency: string | undefined }) {
  const { main, others } = orderCurrencies(summary.currencies, defaultCurrency);
  const [opened, { toggle }] = useDisclosure(false);
  if (!main) return null;
  return (
    <Stack gap="sm">
      <CurrencyOverview row={main} asOf={summary.as_of} lead />
      {others.length > 0 && (
        <>
          <UnstyledButton onClick={toggle} aria-expanded={opened} aria-controls="other-currencies" data-testid="other-currencies-toggle" px="xs" py={4}>
            <Group gap={6} wrap="nowrap">
              {opened ? <IconChevronDown size={16} aria-hidden /> : <IconChevronRight size={16} aria-hidden />}
              <Text size="sm" fw={500}>
                {otherCurrenciesLine(others)}
              </Text>
            </Group>
          </UnstyledButton>
          <Collapse in={opened} id="other-currencies">
            <Stack gap="sm">
              {others.map((row) => (
                <CurrencyOverview key={row.currency} row={row} asOf={summary.as_of} />
              ))}
            </Stack>
          </Collapse>
        </>
      )}
    </Stack>
  );
}
