import { Alert, Button, Group, Paper, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconAlertTriangle,
  IconBan,
  IconCash,
  IconChecks,
  IconCircleCheck,
  IconClock,
  IconCornerUpLeft,
  IconFilePlus,
  IconMessageCircle,
  IconMessageCircleOff,
  IconMail,
  IconMailCheck,
  IconMailOff,
  IconPlayerPause,
  IconPlayerPlay,
  IconPointer,
  IconSend,
} from '@tabler/icons-react';
import { useMemo, useState, type ReactNode } from 'react';
import { errorMessage } from '@/api/errors';
import type { Invoice, Payment, PaymentLink, Reminder } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { InlineError } from '@/components/ui/QueryStates';
import { Timeline, type TimelineEvent } from '@/components/ui/Timeline';
import { useInvoiceAnswers } from '@/features/answers/hooks/queries';
import { buildActivity, finalBeforeDue, lastSentAt, TONE_LABELS, type ActivityKind } from '@/features/invoices/activity';
import { ReplyDetail } from '@/features/replies/components/ReplyDetail';
import { useInvoiceReplies } from '@/features/replies/hooks/queries';
import { formatDate, formatDateTime, fromNow } from '@/lib/dates';
import {
  useCancelReminder,
  useInvoiceMessages,
  useInvoicePause,
  useInvoiceReminders,
  useSendReminderNow,
} from '../hooks/queries';

const KIND_LOOK: Record<ActivityKind, { icon: ReactNode; color: string }> = {
  created: { icon: <IconFilePlus size={15} />, color: 'gray' },
  payment: { icon: <IconCash size={15} />, color: 'teal' },
  paid: { icon: <IconCircleCheck size={15} />, color: 'teal' },
  void: { icon: <IconBan size={15} />, color: 'red' },
  'reminder-planned': { icon: <IconClock size={15} />, color: 'indigo' },
  'reminder-sent': { icon: <IconSend size={15} />, color: 'blue' },
  'reminder-stopped': { icon: <IconMailOff size={15} />, color: 'gray' },
  'reminder-failed': { icon: <IconAlertTriangle size={15} />, color: 'red' },
  delivery: { icon: <IconMailCheck size={15} />, color: 'blue' },
  'delivery-problem': { icon: <IconMail size={15} />, color: 'orange' },
  click: { icon: <IconPointer size={15} />, color: 'grape' },
  reply: { icon: <IconMessageCircle size={15} />, color: 'orange' },
  'auto-reply': { icon: <IconMessageCircleOff size={15} />, color: 'gray' },
  'reply-answer': { icon: <IconCornerUpLeft size={15} />, color: 'blue' },
  answer: { icon: <IconMessageCircle size={15} />, color: 'orange' },
  'answer-decided': { icon: <IconChecks size={15} />, color: 'teal' },
};

const CHASING = new Set(['open', 'partially_paid', 'overdue']);

/** The invoice's one feed: reminders (planned and past), deliveries, clicks and payments. */
export function InvoiceActivity({ invoice, payments, paymentLink, timeZone }: {
  invoice: Invoice;
  payments: Payment[] | undefined;
  paymentLink: PaymentLink | undefined;
  timeZone: string;
}) {
  const reminders = useInvoiceReminders(invoice.id);
  const messages = useInvoiceMessages(invoice.id);
  const replies = useInvoiceReplies(invoice.id);
  const answers = useInvoiceAnswers(invoice.id);
  const pause = useInvoicePause(invoice.id);
  const sendNow = useSendReminderNow(invoice.id);
  const cancel = useCancelReminder(invoice.id);
  const [confirmSend, setConfirmSend] = useState<Reminder | null>(null);
  const [confirmCancel, setConfirmCancel] = useState<Reminder | null>(null);

  const items = useMemo(
    () =>
      buildActivity({
        invoice,
        payments,
        reminders: reminders.data?.items,
        messages: messages.data,
        paymentLink,
        replies: replies.data,
        answers: answers.data,
        timeZone,
      }),
    [invoice, payments, reminders.data, messages.data, paymentLink, replies.data, answers.data, timeZone],
  );

  const chasing = CHASING.has(invoice.status);
  const timeline = reminders.data;
  const lastSent = timeline ? lastSentAt(timeline.items) : undefined;

  const events: TimelineEvent[] = items.map((item) => ({
    ...item,
    ...KIND_LOOK[item.kind],
    detail: item.reply ? (
      <ReplyDetail reply={item.reply} invoiceId={invoice.id} />
    ) : item.kind === 'answer' ? (
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {item.detail}
      </Text>
    ) : (
      item.detail
    ),
    actions:
      item.kind === 'reminder-planned' && item.reminder?.state === 'pending' && chasing ? (
        <>
          <Button size="compact-xs" variant="light" leftSection={<IconSend size={12} />} onClick={() => setConfirmSend(item.reminder!)}>
            Send now
          </Button>
          <Button size="compact-xs" variant="subtle" color="gray" onClick={() => setConfirmCancel(item.reminder!)}>
            Cancel
          </Button>
        </>
      ) : undefined,
  }));

  const act = async (run: () => Promise<unknown>, done: string, failed: string, close: () => void) => {
    try {
      await run();
      close();
      notifications.show({ color: 'teal', message: done });
    } catch (error) {
      notifications.show({ color: 'red', title: failed, message: errorMessage(error) });
    }
  };

  const paused = timeline && (timeline.paused || timeline.client_paused);

  return (
    <Paper withBorder p="lg">
      <Group justify="space-between" mb="md">
        <Title order={2} fz="md" fw={600}>
          Activity and reminders
        </Title>
        {chasing && timeline && !paused && (
          <Button
            size="xs"
            variant="default"
            leftSection={<IconPlayerPause size={14} />}
            loading={pause.isPending}
            onClick={() => act(() => pause.mutateAsync({ paused: true }), 'Reminders for this invoice are paused.', 'Couldn’t pause', () => {})}
          >
            Pause reminders
          </Button>
        )}
      </Group>
      {paused && chasing && (
        <Alert color="orange" icon={<IconPlayerPause size={18} />} mb="md" title="Chasing is paused" data-testid="paused-banner">
          <Group justify="space-between" gap="xs">
            <Text size="sm">
              {timeline.paused
                ? `No reminders go out for this invoice${timeline.paused_until ? ` until ${formatDate(timeline.paused_until)}` : ' until you resume'}.`
                : `Reminders to this client are paused${timeline.client_paused_until ? ` until ${formatDate(timeline.client_paused_until)}` : ''}; resume them on the client’s page.`}
            </Text>
            {timeline.paused && (
              <Button
                size="xs"
                color="orange"
                leftSection={<IconPlayerPlay size={14} />}
                loading={pause.isPending}
                onClick={() => act(() => pause.mutateAsync({ paused: false }), 'Reminders are back on.', 'Couldn’t resume', () => {})}
              >
                Resume
              </Button>
            )}
          </Group>
        </Alert>
      )}
      {reminders.isError && <InlineError error={reminders.error} onRetry={() => void reminders.refetch()} />}
      {messages.isError && <InlineError error={messages.error} onRetry={() => void messages.refetch()} />}
      {replies.isError && <InlineError error={replies.error} onRetry={() => void replies.refetch()} />}
      <Timeline events={events} label="Invoice activity" />

      <ConfirmModal
        opened={confirmSend !== null}
        onClose={() => setConfirmSend(null)}
        loading={sendNow.isPending}
        title="Send this reminder now?"
        danger={false}
        confirmLabel="Send now"
        onConfirm={() =>
          act(() => sendNow.mutateAsync(confirmSend!.id), 'The reminder is on its way.', 'Couldn’t send the reminder', () => setConfirmSend(null))
        }
      >
        <span data-testid="last-sent">
          {lastSent
            ? `The last reminder for this invoice went out ${fromNow(lastSent)} (${formatDateTime(lastSent)}).`
            : 'No reminder has gone out for this invoice yet.'}
        </span>{' '}
        The {TONE_LABELS[confirmSend?.template_key ?? ''] ?? ''} reminder goes to {invoice.client_name} at once instead of at its
        planned time.
        {confirmSend && finalBeforeDue(confirmSend, invoice.due_date) && (
          <Text span display="block" mt="sm" c="orange.9" fw={500} role="alert" data-testid="final-before-due">
            This is the final notice, and the invoice is not due until {formatDate(invoice.due_date)} (
            {fromNow(invoice.due_date)}). A final notice before the due date reads as a mistake to most clients.
          </Text>
        )}
      </ConfirmModal>
      <ConfirmModal
        opened={confirmCancel !== null}
        onClose={() => setConfirmCancel(null)}
        loading={cancel.isPending}
        title="Cancel this reminder?"
        confirmLabel="Cancel reminder"
        onConfirm={() =>
          act(() => cancel.mutateAsync(confirmCancel!.id), 'The reminder is canceled.', 'Couldn’t cancel the reminder', () => setConfirmCancel(null))
        }
      >
        This reminder won’t be sent. The other planned reminders stay as they are.
      </ConfirmModal>
    </Paper>
  );
}
