import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { zodResolver } from '@hookform/resolvers/zod';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import type { Invoice } from '@/api/types';
import { todayISO } from '@/lib/dates';
import { LIMITS, tooLong } from '@/lib/limits';
import { applyApiErrors } from '@/lib/forms';
import { compareMoney, currencyDigits, formatMoney, isDecimalString, toMinorUnits } from '@/lib/money';
import { useRecordPayment } from '../hooks/queries';
import { paymentMethodLabel } from '@/lib/display';

function makeSchema(invoice: Invoice) {
  return z
    .object({
      amount: z.string().trim().min(1, 'Enter the amount received'),
      paid_at: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose the date'),
      method: z.enum(['manual', 'other']),
      reference: z.string().max(LIMITS.paymentReference, tooLong(LIMITS.paymentReference)),
      note: z.string().max(LIMITS.paymentNote, tooLong(LIMITS.paymentNote)),
    })
    .superRefine((values, ctx) => {
      const amount = values.amount.replace(/,/g, '');
      if (!isDecimalString(amount)) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: 'Use numbers only, like 250.00' });
        return;
      }
      const fraction = amount.split('.')[1] ?? '';
      if (fraction.length > currencyDigits(invoice.currency)) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: `${invoice.currency} allows ${currencyDigits(invoice.currency)} decimal places` });
      } else if (toMinorUnits(amount, invoice.currency) <= 0n) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: 'The amount must be more than zero' });
      } else if (compareMoney(amount, invoice.balance, invoice.currency) > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['amount'],
          message: `That’s more than the ${formatMoney(invoice.balance, invoice.currency)} still due`,
        });
      }
      if (values.paid_at > todayISO()) {
        ctx.addIssue({ code: 'custom', path: ['paid_at'], message: 'A payment can’t be in the future' });
      }
    });
}
type Values = z.infer<ReturnType<typeof makeSchema>>;
const FIELDS = ['amount', 'paid_at', 'method', 'reference', 'note'] as const;

/** Payment date as a timestamp: now if it's today, otherwise noon that day (local time). */
function paidAtTimestamp(date: string): string {
  if (date === todayISO()) return new Date().toISOString();
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 12, 0, 0).toISOString();
}

export function RecordPaymentModal({ invoice, opened, onClose }: { invoice: Invoice; opened: boolean; onClose: () => void }) {
  const record = useRecordPayment(invoice.id);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<Values>({
    resolver: zodResolver(makeSchema(invoice)),
    defaultValues: { amount: invoice.balance, paid_at: todayISO(), method: 'manual', reference: '', note: '' },
  });
  const errors = form.formState.errors;

  useEffect(() => {
    if (opened) {
      form.reset({ amount: invoice.balance, paid_at: todayISO(), method: 'manual', reference: '', note: '' });
      setFormError(null);
    }
  }, [opened, invoice.balance, form]);

  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      const updated = await record.mutateAsync({
        amount: values.amount.replace(/,/g, ''),
        paid_at: paidAtTimestamp(values.paid_at),
        method: values.method,
        reference: values.reference.trim() || null,
        note: values.note.trim() || null,
      });
      notifications.show({
        color: 'teal',
        title: updated.status === 'paid' ? `Invoice ${invoice.number} is paid` : 'Payment recorded',
        message:
          updated.status === 'paid'
            ? 'Reminders have stopped.'
            : `${formatMoney(updated.balance, updated.currency)} is still due.`,
      });
      onClose();
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, FIELDS));
    }
  });

  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Record a payment</Text>} size="md">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Invoice {invoice.number} · {formatMoney(invoice.balance, invoice.currency)} due
          </Text>
          {formError && (
            <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
              {formError}
            </Alert>
          )}
          <Group grow align="flex-start" gap="sm">
            <TextInput
              label={`Amount (${invoice.currency})`}
              withAsterisk
              inputMode="decimal"
              autoComplete="off"
              data-autofocus
              error={errors.amount?.message}
              styles={{ input: { fontVariantNumeric: 'tabular-nums' } }}
              {...form.register('amount')}
            />
            <Controller
              control={form.control}
              name="paid_at"
              render={({ field, fieldState }) => (
                <DateInput
                  label="Received on"
                  withAsterisk
                  valueFormat="MMM D, YYYY"
                  maxDate={new Date()}
                  value={field.value || null}
                  onChange={(value) => field.onChange(value ?? '')}
                  error={fieldState.error?.message}
                  popoverProps={{ withinPortal: true }}
                />
              )}
            />
          </Group>
          <Group grow align="flex-start" gap="sm">
            <Controller
              control={form.control}
              name="method"
              render={({ field }) => (
                <Select
                  label="Method"
                  data={[
                    { value: 'manual', label: paymentMethodLabel('manual') },
                    { value: 'other', label: paymentMethodLabel('other') },
                  ]}
                  allowDeselect={false}
                  value={field.value}
                  onChange={(value) => field.onChange(value ?? 'manual')}
                  comboboxProps={{ withinPortal: true }}
                />
              )}
            />
            <TextInput label="Reference" description="Optional" error={errors.reference?.message} {...form.register('reference')} />
          </Group>
          <Textarea label="Note" description="Optional, only you see it." autosize minRows={2} error={errors.note?.message} {...form.register('note')} />
          <Group justify="flex-end" gap="sm" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={form.formState.isSubmitting}>
              Record payment
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
