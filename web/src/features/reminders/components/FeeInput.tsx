import { Group, Select, TextInput } from '@mantine/core';
import type { FieldError, Merge, FieldErrorsImpl } from 'react-hook-form';
import type { FeeKind, StepFee } from '@/api/types';
import { FEE_KINDS, feeOfKind } from '../steps';
import { RATE_SUFFIX_WIDTH, RateSuffix } from '@/components/ui/RateSuffix';

type FeeErrors = Merge<FieldError, FieldErrorsImpl<StepFee>> | undefined;

const NONE = 'none';

/** A step's late fee: none, a fixed amount, a share of the unpaid amount, or interest per day late. */
export function FeeInput({
  label,
  value,
  onChange,
  errors,
}: {
  label: string;
  value: StepFee | null | undefined;
  onChange: (fee: StepFee | null) => void;
  errors: FeeErrors;
}) {
  const kind = value?.kind ?? null;
  const text = (field: 'amount' | 'percent' | 'annual_rate_percent') => {
    const raw = value?.[field];
    return raw === null || raw === undefined ? '' : String(raw);
  };
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <Select
        aria-label={`${label} late fee`}
        data={[{ value: NONE, label: 'No late fee' }, ...FEE_KINDS]}
        value={kind ?? NONE}
        onChange={(next) => onChange(feeOfKind(next === null || next === NONE ? null : (next as FeeKind)))}
        allowDeselect={false}
        w={150}
        size="xs"
        error={errors?.kind?.message ?? errors?.message}
      />
      {kind === 'fixed' && (
        <TextInput
          aria-label={`${label} fee amount`}
          placeholder="40.00"
          w={130}
          size="xs"
          value={text('amount')}
          onChange={(event) => onChange({ ...value!, amount: event.currentTarget.value })}
          rightSection={value?.currency ?? undefined}
          rightSectionWidth={value?.currency ? 44 : undefined}
          description={value?.currency ? undefined : 'in your default currency'}
          inputWrapperOrder={['input', 'description', 'error']}
          error={errors?.amount?.message ?? errors?.currency?.message}
        />
      )}
      {kind === 'percent' && (
        <TextInput
          aria-label={`${label} fee percent`}
          placeholder="5"
          w={110}
          size="xs"
          value={text('percent')}
          onChange={(event) => onChange({ ...value!, percent: event.currentTarget.value })}
          rightSection="%"
          error={errors?.percent?.message}
        />
      )}
      {kind === 'daily_interest' && (
        <TextInput
          aria-label={`${label} annual interest rate`}
          placeholder="statutory rate"
          w={170}
          size="xs"
          value={text('annual_rate_percent')}
          onChange={(event) => onChange({ ...value!, annual_rate_percent: event.currentTarget.value || null })}
          rightSection={<RateSuffix size="xs" />}
          rightSectionWidth={RATE_SUFFIX_WIDTH}
          rightSectionPointerEvents="none"
          description="empty: your statutory rate"
          inputWrapperOrder={['input', 'description', 'error']}
          error={errors?.annual_rate_percent?.message}
        />
      )}
    </Group>
  );
}
