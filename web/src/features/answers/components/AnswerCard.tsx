import { Anchor, Badge, Blockquote, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCalendarDue, IconCash, IconMessageQuestion } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { Answer, AnswerStatus } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { useAnswerAction, type AnswerAction } from '@/features/answers/hooks/queries';
import { formatDate } from '@/lib/dates';

const KIND = {
  promise: { label: 'Promise to pay', icon: IconCalendarDue, color: 'indigo' },
  dispute: { label: 'Dispute or question', icon: IconMessageQuestion, color: 'orange' },
  paid_claim: { label: 'Says it is paid', icon: IconCash, color: 'teal' },
} as const;

const STATUS: Record<AnswerStatus, { label: string; color: string }> = {
  open: { label: 'Open', color: 'blue' },
  kept: { label: 'Kept', color: 'teal' },
  missed: { label: 'Missed', color: 'red' },
  canceled: { label: 'Canceled', color: 'gray' },
  resolved: { label: 'Resolved', color: 'teal' },
  confirmed: { label: 'Payment confirmed', color: 'teal' },
  rejected: { label: 'Rejected', color: 'gray' },
};

const DONE: Record<AnswerAction['action'], string> = {
  resolve: 'Resolved. Reminders resume with only the latest step that was held back.',
  confirm: 'Payment recorded.',
  reject: 'Rejected. Reminders resume.',
  cancel: 'Promise canceled. Reminders resume.',
  extend: 'Promise extended. Reminders wait for the new date.',
};

/** What the client said, in their words (rendered as text, never as HTML). */
function Detail({ answer }: { answer: Answer }) {
  if (answer.kind === 'promise')
    return (
      <Text size="sm">
        {answer.status === 'open' ? 'Will pay by' : 'Promised to pay by'} <strong>{formatDate(answer.promised_date)}</strong>
      </Text>
    );
  if (answer.kind === 'paid_claim')
    return (
      <Text size="sm">
        Paid on <strong>{formatDate(answer.paid_on)}</strong>
        {answer.reference ? (
          <>
            {' '}
            · reference <strong style={{ overflowWrap: 'anywhere' }}>{answer.reference}</strong>
          </>
        ) : null}
      </Text>
    );
  return answer.disputed_amount ? (
    <Text size="sm">
      Amount in question: <Money amount={answer.disputed_amount} currency={answer.currency} fw={600} />
    </Text>
  ) : null;
}

function Actions({ answer }: { answer: Answer }) {
  const mutation = useAnswerAction(answer.id);
  const [date, setDate] = useState('');
  const run = (input: AnswerAction) =>
    mutation.mutate(input, {
      onSuccess: () => notifications.show({ color: 'teal', message: DONE[input.action] }),
      onError: (error) => notifications.show({ color: 'red', title: 'That didn’t work', message: errorMessage(error) }),
    });
  const busy = mutation.isPending;
  if (answer.status !== 'open') return null;
  if (answer.kind === 'dispute')
    return (
      <Group gap="xs">
        <Button size="xs" loading={busy} onClick={() => run({ action: 'resolve' })}>
          Mark resolved
        </Button>
      </Group>
    );
  if (answer.kind === 'paid_claim')
    return (
      <Group gap="xs">
        <Button size="xs" color="teal" loading={busy} onClick={() => run({ action: 'confirm' })}>
          Confirm payment received
        </Button>
        <Button size="xs" variant="default" disabled={busy} onClick={() => run({ action: 'reject' })}>
          Not received
        </Button>
      </Group>
    );
  return (
    <Group gap="xs" align="flex-end" wrap="wrap">
      <TextInput
        size="xs"
        type="date"
        label="New date"
        value={date}
        onChange={(event) => setDate(event.currentTarget.value)}
        w={160}
      />
      <Button size="xs" variant="light" disabled={!date} loading={busy} onClick={() => run({ action: 'extend', promised_date: date })}>
        Extend
      </Button>
      <Button size="xs" variant="default" disabled={busy} onClick={() => run({ action: 'cancel' })}>
        Stop waiting
      </Button>
    </Group>
  );
}

export function AnswerCard({ answer, showInvoice = true }: { answer: Answer; showInvoice?: boolean }) {
  const kind = KIND[answer.kind];
  const status = STATUS[answer.status];
  return (
    <Paper withBorder radius="md" p="md" data-testid="answer-card" data-kind={answer.kind}>
      <Stack gap={8}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap="xs" wrap="nowrap">
            <kind.icon size={18} color={`var(--mantine-color-${kind.color}-6)`} aria-hidden />
            <Text fw={600}>{kind.label}</Text>
            <Badge size="sm" variant="light" color={status.color}>
              {status.label}
            </Badge>
          </Group>
          <Text size="xs" c="dimmed">
            <RelativeTime value={answer.created_at} />
          </Text>
        </Group>
        {showInvoice && (
          <Text size="sm">
            <Anchor component={Link} to={`/invoices/${answer.invoice_id}`} fw={600}>
              {answer.invoice_number}
            </Anchor>{' '}
            · {answer.client_name} · <Money amount={answer.balance} currency={answer.currency} /> open
          </Text>
        )}
        <Detail answer={answer} />
        {answer.message && (
          <Blockquote p="xs" color="gray" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontSize: 14 }}>
            {answer.message}
          </Blockquote>
        )}
        {answer.resolution_note && (
          <Text size="xs" c="dimmed">
            {answer.resolution_note}
          </Text>
        )}
        <Actions answer={answer} />
      </Stack>
    </Paper>
  );
}
