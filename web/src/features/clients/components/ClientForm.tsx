import { Alert, Group, Paper, SegmentedControl, Select, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { zodResolver } from '@hookform/resolvers/zod';
import { IconAlertCircle } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormActions } from '@/components/ui/FormActions';
import type { Client, ClientCreate } from '@/api/types';
import { LIMITS, tooLong } from '@/lib/limits';
import { applyApiErrors } from '@/lib/forms';
import { LOCALES, timezoneOptions } from '@/lib/options';


/** What each type changes, in the words of what DueSpark really does with it. */
const CLIENT_TYPE_HELP: Record<'individual' | 'business' | 'enterprise', string> = {
  individual: 'A person paying privately. Reminders use the standard, friendly wording.',
  business: 'A company or freelancer you bill. Reminders use the standard, friendly wording.',
  enterprise:
    'A large organisation with an accounts-payable team. With adaptive reminders on, the default templates use a more formal, professional wording.',
};

const schema = z.object({
  name: z.string().trim().min(1, 'Enter the client’s name').max(LIMITS.clientName, tooLong(LIMITS.clientName)),
  email: z.union([z.literal(''), z.string().trim().email('Enter a valid email address')]),
  company: z.string().trim().max(LIMITS.company, tooLong(LIMITS.company)),
  client_type: z.enum(['individual', 'business', 'enterprise']),
  timezone: z.string(),
  locale: z.string(),
  notes: z.string().max(LIMITS.clientNotes, tooLong(LIMITS.clientNotes)),
  reminders_paused: z.boolean(),
  reminders_paused_until: z.string().nullable(),
});
export type ClientFormValues = z.infer<typeof schema>;
const FIELDS = Object.keys(schema.shape) as (keyof ClientFormValues)[];

function toValues(client?: Client): ClientFormValues {
  return {
    name: client?.name ?? '',
    email: client?.email ?? '',
    company: client?.company ?? '',
    client_type: client?.client_type ?? 'business',
    timezone: client?.timezone ?? '',
    locale: client?.locale ?? '',
    notes: client?.notes ?? '',
    reminders_paused: client?.reminders_paused ?? false,
    reminders_paused_until: client?.reminders_paused_until ?? null,
  };
}

function toPayload(values: ClientFormValues): ClientCreate {
  return {
    name: values.name.trim(),
    email: values.email.trim() || null,
    company: values.company.trim() || null,
    client_type: values.client_type,
    timezone: values.timezone || null,
    locale: values.locale || null,
    notes: values.notes.trim() || null,
    reminders_paused: values.reminders_paused,
    reminders_paused_until: values.reminders_paused ? values.reminders_paused_until : null,
  };
}

export interface ClientFormProps {
  client?: Client;
  submitLabel: string;
  onSubmit: (payload: ClientCreate) => Promise<unknown>;
  onCancel: () => void;
}

export function ClientForm({ client, submitLabel, onSubmit, onCancel }: ClientFormProps) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<ClientFormValues>({ resolver: zodResolver(schema), defaultValues: toValues(client) });
  const errors = form.formState.errors;
  const paused = form.watch('reminders_paused');
  const zones = useMemo(() => timezoneOptions(client?.timezone), [client?.timezone]);

  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit(toPayload(values));
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, FIELDS));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Client details">
      <Stack gap="lg">
        {formError && (
          <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert" title="Couldn’t save the client">
            {formError}
          </Alert>
        )}
        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Stack gap="md">
            <Text fw={600}>Contact</Text>
            <TextInput label="Name" withAsterisk error={errors.name?.message} {...form.register('name')} />
            <Group grow align="flex-start" wrap="wrap" gap="md">
              <TextInput
                label="Email"
                type="email"
                description="Reminders are sent here."
                error={errors.email?.message}
                {...form.register('email')}
              />
              <TextInput label="Company" description="Optional" error={errors.company?.message} {...form.register('company')} />
            </Group>
            <Controller
              control={form.control}
              name="client_type"
              render={({ field }) => (
                <Stack gap={4}>
                  <Text size="sm" fw={500} id="client-type-label">
                    Type
                  </Text>
                  <SegmentedControl
                    aria-labelledby="client-type-label"
                    value={field.value}
                    onChange={(value) => field.onChange(value)}
                    data={[
                      { value: 'individual', label: 'Individual' },
                      { value: 'business', label: 'Business' },
                      { value: 'enterprise', label: 'Enterprise' },
                    ]}
                    style={{ alignSelf: 'flex-start' }}
                    aria-describedby="client-type-description"
                  />
                  <Text size="xs" c="dimmed" id="client-type-description">
                    {CLIENT_TYPE_HELP[field.value]}
                  </Text>
                  {errors.client_type && (
                    <Text size="xs" c="red">
                      {errors.client_type.message}
                    </Text>
                  )}
                </Stack>
              )}
            />
          </Stack>
        </Paper>

        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Stack gap="md">
            <div>
              <Text fw={600}>Reminders</Text>
              <Text size="sm" c="dimmed">
                Reminders are sent in the client’s timezone and language. Leave empty to use your account’s.
              </Text>
            </div>
            <Group grow align="flex-start" wrap="wrap" gap="md">
              <Controller
                control={form.control}
                name="timezone"
                render={({ field, fieldState }) => (
                  <Select
                    label="Timezone"
                    placeholder="Account default"
                    data={zones}
                    searchable
                    clearable
                    value={field.value || null}
                    onChange={(value) => field.onChange(value ?? '')}
                    onBlur={field.onBlur}
                    ref={field.ref}
                    error={fieldState.error?.message}
                    limit={100}
                  />
                )}
              />
              <Controller
                control={form.control}
                name="locale"
                render={({ field, fieldState }) => (
                  <Select
                    label="Language"
                    placeholder="Account default"
                    data={LOCALES}
                    clearable
                    value={field.value || null}
                    onChange={(value) => field.onChange(value ?? '')}
                    onBlur={field.onBlur}
                    ref={field.ref}
                    error={fieldState.error?.message}
                  />
                )}
              />
            </Group>
            <Controller
              control={form.control}
              name="reminders_paused"
              render={({ field }) => (
                <Switch
                  label="Pause reminders for this client"
                  description="No reminder emails go out while paused."
                  checked={field.value}
                  onChange={(event) => field.onChange(event.currentTarget.checked)}
                  onBlur={field.onBlur}
                  ref={field.ref}
                />
              )}
            />
            {paused && (
              <Controller
                control={form.control}
                name="reminders_paused_until"
                render={({ field, fieldState }) => (
                  <DateInput
                    label="Paused until"
                    description="Leave empty to pause until you resume."
                    placeholder="Until I resume"
                    valueFormat="MMM D, YYYY"
                    clearable
                    minDate={new Date()}
                    value={field.value}
                    onChange={(value) => field.onChange(value || null)}
                    error={fieldState.error?.message}
                    maw={280}
                  />
                )}
              />
            )}
          </Stack>
        </Paper>

        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Textarea
            label="Notes"
            description="Only you see these."
            autosize
            minRows={3}
            maxRows={10}
            error={errors.notes?.message}
            {...form.register('notes')}
          />
        </Paper>

        <FormActions submitLabel={submitLabel} submitting={form.formState.isSubmitting} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
