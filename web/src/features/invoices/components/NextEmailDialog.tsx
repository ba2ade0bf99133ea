import { Alert, Badge, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPencil, IconSend } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { Invoice } from '@/api/types';
import { invoiceKeys } from '@/features/invoices/hooks/queries';
import { describeOffset, finalBeforeDue, nextReminder, reminderTone } from '@/features/invoices/activity';
import { fetchPreview, useInvoiceReminders, useSendReminderNow } from '@/features/reminders/hooks/queries';
import { TemplatePreview } from '@/features/templates/components/TemplatePreview';
import { formatDate, formatInTimeZone, fromNow } from '@/lib/dates';

/**
 * "Preview email": the next email that will really go for this invoice (its pending reminder's tone, step,
 * language and late fee, rendered by the server exactly as it would be sent), with "Send now" and
 * "Edit template" for that template.
 */
export function NextEmailDialog({
  invoice,
  opened,
  onClose,
  timeZone,
}: {
  invoice: Invoice;
  opened: boolean;
  onClose: () => void;
  timeZone: string;
}) {
  const reminders = useInvoiceReminders(invoice.id);
  const next = reminders.data ? nextReminder(reminders.data.items) : undefined;
  const preview = useQuery({
    queryKey: [...invoiceKeys.detail(invoice.id), 'next-email', next?.id],
    queryFn: ({ signal }) => fetchPreview({ reminder_id: next!.id }, signal),
    enabled: opened && next !== undefined,
    retry: false,
  });
  const sendNow = useSendReminderNow(invoice.id);
  const [confirming, setConfirming] = useState(false);
  const warn = next !== undefined && finalBeforeDue(next, invoice.due_date);

  const send = async () => {
    if (!next) return;
    if (warn && !confirming) {
      setConfirming(true);
      return;
    }
    try {
      await sendNow.mutateAsync(next.id);
      notifications.show({ color: 'teal', message: 'The reminder is on its way.' });
      setConfirming(false);
      onClose();
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t send the reminder', message: errorMessage(error) });
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="The next email to go" size="xl">
      {reminders.isSuccess && !next ? (
        <Text size="sm" data-testid="no-next-email">
          No reminder is planned for this invoice, so no email will go on its own.
        </Text>
      ) : (
        <Stack gap="sm" data-testid="next-email">
          {next && (
            <Group gap="xs">
              <Badge variant="light" radius="sm" style={{ textTransform: 'none' }} data-testid="next-email-tone">
                {reminderTone(next)}
              </Badge>
              <Text size="sm" c="dimmed" data-testid="next-email-when">
                {formatInTimeZone(next.next_attempt_at ?? next.scheduled_for, timeZone)} ({fromNow(next.next_attempt_at ?? next.scheduled_for)}) ·{' '}
                {describeOffset(next.offset_days)}
                {preview.data ? ` · language ${preview.data.locale}` : ''}
              </Text>
            </Group>
          )}
          {warn && (
            <Alert color="orange" variant="light" title="Final notice before the due date" data-testid="final-before-due">
              The invoice is due {formatDate(invoice.due_date)} ({fromNow(invoice.due_date)}). Sent now, the final notice
              reaches {invoice.client_name} before the invoice is even due.
            </Alert>
          )}
          <TemplatePreview preview={preview.data} error={preview.error} loading={preview.isFetching || reminders.isPending} />
          <Group justify="flex-end" gap="sm">
            {next && (
              <Button
                component={Link}
                to={`/templates?key=${encodeURIComponent(next.template_key)}&invoice=${invoice.id}${preview.data ? `&locale=${encodeURIComponent(preview.data.locale)}` : ''}`}
                variant="default"
                leftSection={<IconPencil size={16} />}
              >
                Edit template
              </Button>
            )}
            {next && (
              <Button
                leftSection={<IconSend size={16} />}
                color={confirming ? 'orange' : undefined}
                loading={sendNow.isPending}
                onClick={() => void send()}
              >
                {confirming ? 'Send the final notice anyway' : 'Send now'}
              </Button>
            )}
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
