import { Alert, Anchor, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { zodResolver } from '@hookform/resolvers/zod';
import { IconAlertCircle } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import { Link } from 'react-router';
import { FormActions } from '@/components/ui/FormActions';
import { errorMessage } from '@/api/errors';
import type { Id, Invoice, InvoiceCreate } from '@/api/types';
import { useClientOptions } from '@/features/clients/hooks/queries';
import { addDaysISO, todayISO } from '@/lib/dates';
import { LIMITS, tooLong } from '@/lib/limits';
import { applyApiErrors } from '@/lib/forms';
import { currencyDigits, isDecimalString, toMinorUnits } from '@/lib/money';
import { currencyOptions } from '@/lib/options';
import { useInvoices } from '../hooks/queries';
import { nextInvoiceNumber } from '../nextNumber';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const schema = z
  .object({
    client_id: z.string().min(1, 'Choose a client'),
    number: z.string().trim().min(1, 'Enter an invoice number').max(LIMITS.invoiceNumber, tooLong(LIMITS.invoiceNumber)),
    amount: z.string().trim().min(1, 'Enter the amount'),
    currency: z.string().length(3, 'Choose a currency'),
    issue_date: z.string().regex(DATE, 'Choose the issue date'),
    due_date: z.string().regex(DATE, 'Choose the due date'),
    description: z.string().max(LIMITS.invoiceDescription, tooLong(LIMITS.invoiceDescription)),
    status: z.enum(['draft', 'open']),
  })
  .superRefine((values, ctx) => {
    const amount = values.amount.replace(/,/g, '');
    if (values.amount && !isDecimalString(amount)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'Use numbers only, like 1250.00' });
    } else if (values.amount) {
      const digits = currencyDigits(values.currency || 'EUR');
      const fraction = amount.split('.')[1] ?? '';
      if (fraction.length > digits) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: `${values.currency} allows ${digits} decimal places` });
      } else if (toMinorUnits(amount, values.currency || 'EUR') <= 0n) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: 'The amount must be more than zero' });
      }
    }
    if (DATE.test(values.issue_date) && DATE.test(values.due_date) && values.due_date < values.issue_date) {
      ctx.addIssue({ code: 'custom', path: ['due_date'], message: 'The due date can’t be before the issue date' });
    }
  });
export type InvoiceFormValues = z.infer<typeof schema>;
const FIELDS = ['client_id', 'number', 'amount', 'currency', 'issue_date', 'due_date', 'description', 'status'] as const;

export interface InvoiceFormProps {
  invoice?: Invoice;
  defaultClientId?: Id;
  defaultCurrency?: string;
  submitLabel: string;
  onSubmit: (payload: InvoiceCreate) => Promise<unknown>;
  onCancel: () => void;
}

export function InvoiceForm({ invoice, defaultClientId, defaultCurrency = 'EUR', submitLabel, onSubmit, onCancel }: InvoiceFormProps) {
  const [formError, setFormError] = useState<string | null>(null);
  const clients = useClientOptions();
  const form = useForm<InvoiceFormValues>({
    resolver: zodResolver(schema),
    defaultValues: {
      client_id: String(invoice?.client_id ?? defaultClientId ?? ''),
      number: invoice?.number ?? '',
      amount: invoice?.amount ?? '',
      currency: invoice?.currency ?? defaultCurrency,
      issue_date: invoice?.issue_date ?? todayISO(),
      due_date: invoice?.due_date ?? addDaysISO(14),
      description: invoice?.description ?? '',
      status: invoice?.status === 'draft' ? 'draft' : 'open',
    },
  });
  const errors = form.formState.errors;
  // A new invoice starts with the number after the last one made (INV-041 -> INV-042): one row, newest first.
  const latest = useInvoices({ sort: '-created_at', page_size: 1 }, { enabled: !invoice });
  const lastNumber = invoice ? null : (latest.data?.items[0]?.number ?? null);
  const suggestedNumber = nextInvoiceNumber(lastNumber);
  useEffect(() => {
    if (suggestedNumber && !form.getFieldState('number').isDirty && !form.getValues('number')) {
      form.setValue('number', suggestedNumber);
    }
  }, [suggestedNumber, form]);
  const currency = form.watch('currency');
  const currencies = useMemo(() => currencyOptions(invoice?.currency ?? defaultCurrency), [invoice?.currency, defaultCurrency]);
  const currencyCodes = useMemo(() => currencies.map((c) => c.value), [currencies]);
  const clientData = useMemo(() => {
    const options = (clients.data?.items ?? []).map((c) => ({ value: String(c.id), label: c.company ? `${c.name} · ${c.company}` : c.name }));
    if (invoice && !options.some((o) => o.value === String(invoice.client_id))) {
      options.unshift({ value: String(invoice.client_id), label: invoice.client_name });
    }
    return options;
  }, [clients.data, invoice]);

  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    const payload: InvoiceCreate = {
      client_id: Number(values.client_id),
      number: values.number.trim(),
      amount: values.amount.replace(/,/g, '').trim(),
      currency: values.currency,
      issue_date: values.issue_date,
      due_date: values.due_date,
      description: values.description.trim() || null,
    };
    // Only drafts and new invoices can choose draft/open; sent invoices keep their status.
    if (!invoice || invoice.status === 'draft') payload.status = values.status;
    try {
      await onSubmit(payload);
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, FIELDS));
    }
  });

  const canChooseStatus = !invoice || invoice.status === 'draft';

  return (
    <form onSubmit={submit} noValidate aria-label="Invoice details">
      <Stack gap="lg">
        {formError && (
          <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert" title="Couldn’t save the invoice">
            {formError}
          </Alert>
        )}
        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Stack gap="md">
            <Controller
              control={form.control}
              name="client_id"
              render={({ field, fieldState }) => (
                <Select
                  label="Client"
                  withAsterisk
                  placeholder={clients.isPending ? 'Loading clients…' : 'Choose a client'}
                  data={clientData}
                  searchable
                  nothingFoundMessage="No client found — add one under Clients"
                  description={
                    clients.isError ? (
                      <Text span size="xs" c="red.9">
                        Couldn’t load your clients: {errorMessage(clients.error)}{' '}
                        <Anchor component="button" type="button" size="xs" onClick={() => void clients.refetch()}>
                          Try again
                        </Anchor>
                      </Text>
                    ) : clients.data?.total === 0 ? (
                      <>
                        You have no clients yet.{' '}
                        <Anchor component={Link} to="/clients/new" size="xs">
                          Add a client first
                        </Anchor>
                      </>
                    ) : undefined
                  }
                  value={field.value || null}
                  onChange={(value) => field.onChange(value ?? '')}
                  onBlur={field.onBlur}
                  ref={field.ref}
                  error={fieldState.error?.message}
                />
              )}
            />
            <Group grow align="flex-start" wrap="wrap" gap="md">
              <TextInput
                label="Invoice number"
                withAsterisk
                placeholder="INV-1042"
                description={suggestedNumber && lastNumber ? `Your last invoice was ${lastNumber}` : undefined}
                inputWrapperOrder={['label', 'input', 'description', 'error']}
                error={errors.number?.message}
                {...form.register('number')}
              />
              <Group gap="xs" align="flex-start" wrap="nowrap" style={{ flex: 1 }}>
                <TextInput
                  label="Amount"
                  withAsterisk
                  placeholder={currencyDigits(currency || 'EUR') ? '1250.00' : '1250'}
                  inputMode="decimal"
                  autoComplete="off"
                  error={errors.amount?.message}
                  style={{ flex: 1 }}
                  styles={{ input: { fontVariantNumeric: 'tabular-nums' } }}
                  {...form.register('amount')}
                />
                <Controller
                  control={form.control}
                  name="currency"
                  render={({ field, fieldState }) => (
                    <Select
                      label="Currency"
                      data={currencyCodes}
                      searchable
                      allowDeselect={false}
                      value={field.value}
                      onChange={(value) => field.onChange(value ?? defaultCurrency)}
                      onBlur={field.onBlur}
                      ref={field.ref}
                      error={fieldState.error?.message}
                      w={130}
                      comboboxProps={{ width: 260, position: 'bottom-end' }}
                      renderOption={({ option }) => (
                        <Text size="sm">{currencies.find((c) => c.value === option.value)?.label ?? option.value}</Text>
                      )}
                    />
                  )}
                />
              </Group>
            </Group>
            <Group grow align="flex-start" wrap="wrap" gap="md">
              <Controller
                control={form.control}
                name="issue_date"
                render={({ field, fieldState }) => (
                  <DateInput
                    label="Issue date"
                    withAsterisk
                    valueFormat="MMM D, YYYY"
                    value={field.value || null}
                    onChange={(value) => field.onChange(value ?? '')}
                    onBlur={field.onBlur}
                    error={fieldState.error?.message}
                  />
                )}
              />
              <Controller
                control={form.control}
                name="due_date"
                render={({ field, fieldState }) => (
                  <DateInput
                    label="Due date"
                    withAsterisk
                    valueFormat="MMM D, YYYY"
                    value={field.value || null}
                    onChange={(value) => field.onChange(value ?? '')}
                    onBlur={field.onBlur}
                    error={fieldState.error?.message}
                  />
                )}
              />
            </Group>
            <Textarea
              label="Description"
              description="Shown to your client in reminders."
              autosize
              minRows={2}
              maxRows={8}
              error={errors.description?.message}
              {...form.register('description')}
            />
            {canChooseStatus && (
              <Controller
                control={form.control}
                name="status"
                render={({ field }) => (
                  <Stack gap={4}>
                    <Text size="sm" fw={500} id="invoice-status-label">
                      Status
                    </Text>
                    <SegmentedControl
                      aria-labelledby="invoice-status-label"
                      value={field.value}
                      onChange={(value) => field.onChange(value)}
                      data={[
                        { value: 'open', label: 'Open — remind the client' },
                        { value: 'draft', label: 'Draft — not sent yet' },
                      ]}
                      style={{ alignSelf: 'flex-start' }}
                    />
                  </Stack>
                )}
              />
            )}
          </Stack>
        </Paper>
        <FormActions submitLabel={submitLabel} submitting={form.formState.isSubmitting} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
