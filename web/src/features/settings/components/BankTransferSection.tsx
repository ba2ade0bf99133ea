import { Alert, Badge, Button, Checkbox, Group, Paper, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBuildingBank, IconPlus, IconQrcode } from '@tabler/icons-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { errorMessage } from '@/api/errors';
import type { BankAccount, BankAccountInput, Id } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { InlineError } from '@/components/ui/QueryStates';
import { applyApiErrors } from '@/lib/forms';
import { useBankAccounts, useDeleteBankAccount, useSaveBankAccount } from '../hooks/bankAccounts';

type Kind = 'iban' | 'sort_code' | 'routing_number';

interface FormValues {
  currency: string;
  payee_name: string;
  iban: string;
  bic: string;
  account_number: string;
  sort_code: string;
  routing_number: string;
  reference_format: string;
  structured_reference: boolean;
  payee_street: string;
  payee_house_number: string;
  payee_postcode: string;
  payee_town: string;
  payee_country: string;
}

const FIELDS = [
  'currency',
  'payee_name',
  'iban',
  'bic',
  'account_number',
  'sort_code',
  'routing_number',
  'reference_format',
  'structured_reference',
  'payee_street',
  'payee_house_number',
  'payee_postcode',
  'payee_town',
  'payee_country',
] as const;

function valuesOf(bank: BankAccount | null): FormValues {
  return {
    currency: bank?.currency ?? 'EUR',
    payee_name: bank?.payee_name ?? '',
    iban: bank?.iban_formatted ?? '',
    bic: bank?.bic ?? '',
    account_number: bank?.account_number ?? '',
    sort_code: bank?.sort_code ?? '',
    routing_number: bank?.routing_number ?? '',
    reference_format: bank?.reference_format ?? '{invoice_number}',
    structured_reference: bank?.structured_reference ?? false,
    payee_street: bank?.payee_street ?? '',
    payee_house_number: bank?.payee_house_number ?? '',
    payee_postcode: bank?.payee_postcode ?? '',
    payee_town: bank?.payee_town ?? '',
    payee_country: bank?.payee_country ?? '',
  };
}

function kindOf(bank: BankAccount | null): Kind {
  if (bank?.sort_code) return 'sort_code';
  if (bank?.routing_number) return 'routing_number';
  return 'iban';
}

/** Only the fields of the chosen kind go to the API: an IBAN, or an account number with a sort code or routing number. */
function toInput(values: FormValues, kind: Kind): BankAccountInput {
  const blank = (value: string) => value.trim() || null;
  return {
    currency: values.currency.trim().toUpperCase(),
    payee_name: values.payee_name.trim(),
    iban: kind === 'iban' ? blank(values.iban) : null,
    bic: kind === 'iban' ? blank(values.bic) : null,
    account_number: kind === 'iban' ? null : blank(values.account_number),
    sort_code: kind === 'sort_code' ? blank(values.sort_code) : null,
    routing_number: kind === 'routing_number' ? blank(values.routing_number) : null,
    reference_format: values.reference_format.trim() || '{invoice_number}',
    structured_reference: kind === 'iban' && values.structured_reference,
    payee_street: blank(values.payee_street),
    payee_house_number: blank(values.payee_house_number),
    payee_postcode: blank(values.payee_postcode),
    payee_town: blank(values.payee_town),
    payee_country: blank(values.payee_country)?.toUpperCase() ?? null,
  };
}

function BankAccountForm({ bank, onDone }: { bank: BankAccount | null; onDone: () => void }) {
  const save = useSaveBankAccount();
  const [kind, setKind] = useState<Kind>(kindOf(bank));
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<FormValues>({ defaultValues: valuesOf(bank) });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await save.mutateAsync({ id: bank?.id ?? null, body: toInput(values, kind) });
      notifications.show({ color: 'teal', message: 'Bank account saved. Pay pages and reminders show it for invoices in its currency.' });
      onDone();
    } catch (error) {
      setFormError(applyApiErrors(error, setError, FIELDS));
    }
  });
  const errors = formState.errors;

  return (
    <Stack gap="sm" component="form" onSubmit={onSubmit} aria-label={bank ? `Edit the ${bank.currency} bank account` : 'Add a bank account'}>
      {formError && <Alert color="red">{formError}</Alert>}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="Currency" description="Invoices in this currency are paid here" maxLength={3} {...register('currency', { required: 'Give the currency, such as EUR.' })} error={errors.currency?.message} />
        <TextInput label="Payee name" description="The account holder, as the bank knows it" maxLength={70} {...register('payee_name', { required: 'Give the account holder’s name.' })} error={errors.payee_name?.message} />
      </SimpleGrid>
      <SegmentedControl
        value={kind}
        onChange={(value) => setKind(value as Kind)}
        aria-label="Kind of bank account"
        data={[
          { value: 'iban', label: 'IBAN' },
          { value: 'sort_code', label: 'UK sort code' },
          { value: 'routing_number', label: 'US routing number' },
        ]}
      />
      {kind === 'iban' ? (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="IBAN" placeholder="DE89 3704 0044 0532 0130 00" autoComplete="off" {...register('iban')} error={errors.iban?.message} />
          <TextInput label="BIC (optional inside SEPA)" placeholder="COBADEFFXXX" autoComplete="off" {...register('bic')} error={errors.bic?.message} />
        </SimpleGrid>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Account number" autoComplete="off" {...register('account_number')} error={errors.account_number?.message} />
          {kind === 'sort_code' ? (
            <TextInput label="Sort code" placeholder="20-00-00" autoComplete="off" {...register('sort_code')} error={errors.sort_code?.message} />
          ) : (
            <TextInput label="Routing number" placeholder="021000021" autoComplete="off" {...register('routing_number')} error={errors.routing_number?.message} />
          )}
        </SimpleGrid>
      )}
      <TextInput
        label="Payment reference"
        description="What clients write on the transfer. {invoice_number} is replaced by the invoice’s number."
        {...register('reference_format')}
        error={errors.reference_format?.message}
      />
      {kind === 'iban' && (
        <Checkbox
          label="Use a structured creditor reference (RF…) so your bank can match payments automatically"
          {...register('structured_reference')}
          error={errors.structured_reference?.message}
        />
      )}
      <Text size="sm" fw={500}>
        Payee’s address (needed for a Swiss QR-bill: CHF to a QR-IBAN)
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 5 }}>
        <TextInput label="Street" maxLength={70} {...register('payee_street')} error={errors.payee_street?.message} />
        <TextInput label="Number" maxLength={16} {...register('payee_house_number')} error={errors.payee_house_number?.message} />
        <TextInput label="Postcode" maxLength={16} {...register('payee_postcode')} error={errors.payee_postcode?.message} />
        <TextInput label="Town" maxLength={35} {...register('payee_town')} error={errors.payee_town?.message} />
        <TextInput label="Country" placeholder="CH" maxLength={2} {...register('payee_country')} error={errors.payee_country?.message} />
      </SimpleGrid>
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={save.isPending}>
          Save bank account
        </Button>
      </Group>
    </Stack>
  );
}

function BankAccountCard({ bank, onEdit, onDelete }: { bank: BankAccount; onEdit: () => void; onDelete: () => void }) {
  const rows: [string, string | null][] = [
    ['Payee', bank.payee_name],
    ['IBAN', bank.iban_formatted],
    ['BIC', bank.bic],
    ['Account number', bank.account_number],
    ['Sort code', bank.sort_code],
    ['Routing number', bank.routing_number],
    ['Reference, e.g.', bank.example_reference],
  ];
  return (
    <Paper withBorder p="md" radius="md" data-testid={`bank-account-${bank.currency}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Badge variant="light">{bank.currency}</Badge>
          {bank.epc_qr && (
            <Badge variant="light" color="teal" leftSection={<IconQrcode size={12} aria-hidden />}>
              SEPA QR code
            </Badge>
          )}
          {bank.swiss_qr_bill && (
            <Badge variant="light" color="red" leftSection={<IconQrcode size={12} aria-hidden />}>
              Swiss QR-bill
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <Button size="xs" variant="subtle" color="red" onClick={onDelete}>
            Remove
          </Button>
          <Button size="xs" variant="default" onClick={onEdit}>
            Edit
          </Button>
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing={4} verticalSpacing={2}>
        {rows
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <Text size="sm" key={label}>
              <Text span c="dimmed">
                {label}:
              </Text>{' '}
              {value}
            </Text>
          ))}
      </SimpleGrid>
    </Paper>
  );
}

export function BankTransferSection() {
  const accounts = useBankAccounts();
  const remove = useDeleteBankAccount();
  const [editing, setEditing] = useState<Id | 'new' | null>(null);
  const [removing, setRemoving] = useState<BankAccount | null>(null);
  const list = accounts.data ?? [];

  return (
    <Paper withBorder p="lg">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <IconBuildingBank size={20} aria-hidden />
          <Title order={2} fz="md" fw={600}>
            Bank transfer
          </Title>
        </Group>
        {editing === null && (
          <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
            Add bank account
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        One account per currency. Reminders, pay pages and the client portal show these details for invoices in that currency; EUR
        invoices to a SEPA IBAN also get a QR code that banking apps scan to fill in the whole transfer.
      </Text>
      {accounts.isError ? (
        <InlineError error={accounts.error} onRetry={() => void accounts.refetch()} />
      ) : accounts.isPending ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : (
        <Stack gap="sm">
          {editing === 'new' && <BankAccountForm bank={null} onDone={() => setEditing(null)} />}
          {list.map((bank) =>
            editing === bank.id ? (
              <BankAccountForm key={bank.id} bank={bank} onDone={() => setEditing(null)} />
            ) : (
              <BankAccountCard key={bank.id} bank={bank} onEdit={() => setEditing(bank.id)} onDelete={() => setRemoving(bank)} />
            ),
          )}
          {list.length === 0 && editing === null && (
            <Text size="sm">No bank account yet: clients can pay by card (if Stripe is connected) or follow your payment instructions.</Text>
          )}
        </Stack>
      )}
      <ConfirmModal
        opened={removing !== null}
        onClose={() => setRemoving(null)}
        loading={remove.isPending}
        title={`Remove the ${removing?.currency ?? ''} bank account?`}
        confirmLabel="Remove"
        onConfirm={async () => {
          if (!removing) return;
          try {
            await remove.mutateAsync(removing.id);
            setRemoving(null);
          } catch (error) {
            notifications.show({ color: 'red', title: 'Couldn’t remove it', message: errorMessage(error) });
          }
        }}
      >
        Reminders and pay pages stop showing these bank details. Payments already recorded stay.
      </ConfirmModal>
    </Paper>
  );
}
