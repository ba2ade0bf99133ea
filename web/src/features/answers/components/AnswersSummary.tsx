import { Anchor, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconInbox } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { Attention } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { useAttention } from '@/features/answers/hooks/queries';

function Amounts({ label, amounts, testId }: { label: string; amounts: Attention['disputed']; testId: string }) {
  return (
    <Stack gap={2} data-testid={testId}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      {amounts.length === 0 ? (
        <Text fw={650} fz="xl">
          —
        </Text>
      ) : (
        amounts.map((amount) => <Money key={amount.currency} amount={amount.amount} currency={amount.currency} fw={650} fz="xl" />)
      )}
    </Stack>
  );
}

/** The dashboard's line on clients' answers: what is disputed, what is promised, and what waits for the user. */
export function AnswersSummary() {
  const attention = useAttention();
  const data = attention.data;
  if (!data || (data.count === 0 && data.disputed.length === 0 && data.promised.length === 0)) return null;
  return (
    <Paper withBorder p="lg" data-testid="answers-summary">
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <IconInbox size={18} color="var(--mantine-color-orange-6)" aria-hidden />
          <Text fw={600}>What clients told you</Text>
        </Group>
        <Anchor component={Link} to="/attention" size="sm">
          {data.count > 0 ? `${data.count} need${data.count === 1 ? 's' : ''} attention` : 'Needs attention'}
        </Anchor>
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        <Amounts label="Disputed or in question" amounts={data.disputed} testId="answers-disputed" />
        <Amounts label="Promised to pay" amounts={data.promised} testId="answers-promised" />
      </SimpleGrid>
    </Paper>
  );
}
