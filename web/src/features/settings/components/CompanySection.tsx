import { Alert, Button, Group, Paper, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { zodResolver } from '@hookform/resolvers/zod';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import type { Account } from '@/api/types';
import { LIMITS, tooLong } from '@/lib/limits';
import { applyApiErrors } from '@/lib/forms';
import { currencyOptions, LOCALES, timezoneOptions } from '@/lib/options';
import { LogoField } from '@/features/documents/components/LogoField';
import { useUpdateAccount } from '../hooks/queries';

const schema = z.object({
  name: z.string().trim().min(1, 'Enter your business name').max(LIMITS.accountName, tooLong(LIMITS.accountName)),
  default_currency: z.string().length(3, 'Choose a currency'),
  timezone: z.string().min(1, 'Choose a timezone'),
  locale: z.string().min(1, 'Choose a language'),
  sender_name: z.string().trim().max(LIMITS.senderName, tooLong(LIMITS.senderName)),
  sender_email: z.union([z.literal(''), z.string().trim().email('Enter a valid email address')]),
  payment_instructions: z.string().max(LIMITS.paymentInstructions, tooLong(LIMITS.paymentInstructions)),
  address: z.string().max(LIMITS.address, tooLong(LIMITS.address)),
  tax_id: z.string().trim().max(LIMITS.taxId, tooLong(LIMITS.taxId)),
});
type Values = z.infer<typeof schema>;
const FIELDS = Object.keys(schema.shape) as (keyof Values)[];

function toValues(account: Account): Values {
  return {
    name: account.name,
    default_currency: account.default_currency,
    timezone: account.timezone,
    locale: account.locale,
    sender_name: account.sender_name ?? '',
    sender_email: account.sender_email ?? '',
    payment_instructions: account.payment_instructions ?? '',
    address: account.address ?? '',
    tax_id: account.tax_id ?? '',
  };
}

export function CompanySection({ account }: { account: Account }) {
  const update = useUpdateAccount();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: toValues(account) });
  const errors = form.formState.errors;
  const currencies = useMemo(() => currencyOptions(account.default_currency), [account.default_currency]);
  const zones = useMemo(() => timezoneOptions(account.timezone), [account.timezone]);
  const locales = useMemo(
    () => (LOCALES.some((l) => l.value === account.locale) ? LOCALES : [...LOCALES, { value: account.locale, label: account.locale }]),
    [account.locale],
  );

  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await update.mutateAsync({
        ...values,
        name: values.name.trim(),
        sender_name: values.sender_name.trim() || null,
        sender_email: values.sender_email.trim() || null,
        payment_instructions: values.payment_instructions.trim() || null,
        address: values.address.trim() || null,
        tax_id: values.tax_id.trim() || null,
      });
      form.reset(toValues(saved));
      notifications.show({ color: 'teal', message: 'Company settings saved.' });
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, FIELDS));
    }
  });

  const select = (name: 'default_currency' | 'timezone' | 'locale', label: string, data: Parameters<typeof Select>[0]['data'], description?: string) => (
    <Controller
      control={form.control}
      name={name}
      render={({ field, fieldState }) => (
        <Select
          label={label}
          description={description}
          data={data}
          searchable
          allowDeselect={false}
          value={field.value}
          onChange={(value) => field.onChange(value ?? '')}
          onBlur={field.onBlur}
          ref={field.ref}
          error={fieldState.error?.message}
          limit={name === 'timezone' ? 100 : undefined}
        />
      )}
    />
  );

  return (
    <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
      <form onSubmit={submit} noValidate aria-labelledby="company-heading">
        <Stack gap="lg">
          <div>
            <Text fw={600} id="company-heading">
              Company
            </Text>
            <Text size="sm" c="dimmed">
              How you appear to clients, and the defaults for new invoices and reminders.
            </Text>
          </div>
          {formError && (
            <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
              {formError}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <TextInput label="Business name" withAsterisk error={errors.name?.message} {...form.register('name')} />
            {select('default_currency', 'Default currency', currencies, 'Used for new invoices.')}
            {select('timezone', 'Timezone', zones, 'Reminders are scheduled in this timezone.')}
            {select('locale', 'Language', locales, 'Language of reminder emails.')}
          </SimpleGrid>
          <div>
            <Text fw={600} size="sm">
              Reminder emails
            </Text>
            <Text size="xs" c="dimmed" mb="sm">
              Replies from clients go to the sender email.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
              <TextInput label="Sender name" placeholder={account.name} error={errors.sender_name?.message} {...form.register('sender_name')} />
              <TextInput label="Sender email" type="email" placeholder="billing@yourcompany.com" error={errors.sender_email?.message} {...form.register('sender_email')} />
            </SimpleGrid>
          </div>
          <Textarea
            label="Payment instructions"
            description="Included in reminders, e.g. your IBAN or how to pay."
            autosize
            minRows={3}
            maxRows={10}
            error={errors.payment_instructions?.message}
            {...form.register('payment_instructions')}
          />
          <div>
            <Text fw={600} size="sm">
              On invoice PDFs
            </Text>
            <Text size="xs" c="dimmed" mb="sm">
              PDFs DueSpark generates for invoices without an uploaded one show these.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
              <Textarea
                label="Address"
                placeholder={'Street 1\nPostcode City\nCountry'}
                autosize
                minRows={3}
                maxRows={6}
                error={errors.address?.message}
                {...form.register('address')}
              />
              <Stack gap="md">
                <TextInput label="VAT or tax ID" placeholder="DE123456789" error={errors.tax_id?.message} {...form.register('tax_id')} />
                <LogoField hasLogo={account.has_logo} />
              </Stack>
            </SimpleGrid>
          </div>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => form.reset(toValues(account))} disabled={!form.formState.isDirty}>
              Discard
            </Button>
            <Button type="submit" loading={form.formState.isSubmitting} disabled={!form.formState.isDirty}>
              Save company
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
