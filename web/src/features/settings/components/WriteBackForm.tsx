import { Button, Group, Switch, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import type { components } from '@/api/schema';
import { useAccountingSettings } from '../hooks/accounting';

type Integration = components['schemas']['IntegrationOut'];

/** Xero must be told which bank account the money lands in; QuickBooks puts it in Undeposited Funds otherwise. */
const ACCOUNT_FIELD: Record<string, { label: string; description: string; required: boolean }> = {
  xero: { label: 'Xero bank account code', description: 'The account Stripe pays out to, e.g. 090', required: true },
  quickbooks: {
    label: 'QuickBooks deposit account id (optional)',
    description: 'Empty: the payments go to Undeposited Funds',
    required: false,
  },
};

export function WriteBackForm({ item }: { item: Integration }) {
  const save = useAccountingSettings();
  const [writeBack, setWriteBack] = useState(item.write_back_payments);
  const [account, setAccount] = useState(item.payment_account ?? '');
  const field = ACCOUNT_FIELD[item.provider] ?? ACCOUNT_FIELD.quickbooks;
  const changed = writeBack !== item.write_back_payments || account.trim() !== (item.payment_account ?? '');
  const missing = writeBack && field.required && !account.trim();

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(
          { provider: item.provider, writeBack, account: account.trim() || null },
          {
            onSuccess: () => notifications.show({ color: 'teal', message: `${item.label} settings saved` }),
            onError: (error) => notifications.show({ color: 'red', title: 'Not saved', message: errorMessage(error) }),
          },
        );
      }}
    >
      <Switch
        checked={writeBack}
        onChange={(event) => setWriteBack(event.currentTarget.checked)}
        label={`Write card payments back to ${item.label}`}
        description={`Each payment a client makes through DueSpark's pay link from now on is recorded against the invoice in ${item.label}, once, with its Stripe reference.`}
      />
      {writeBack && (
        <TextInput
          mt="sm"
          maw={360}
          label={field.label}
          description={field.description}
          value={account}
          onChange={(event) => setAccount(event.currentTarget.value)}
          maxLength={64}
          required={field.required}
          error={missing ? `Needed: ${item.label} records a payment into a bank account` : undefined}
        />
      )}
      {changed && (
        <Group mt="sm">
          <Button type="submit" size="xs" loading={save.isPending} disabled={missing}>
            Save
          </Button>
          <Text size="xs" c="dimmed">
            Applies from the next sync.
          </Text>
        </Group>
      )}
    </form>
  );
}
