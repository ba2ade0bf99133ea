import type { FeeKind, ReminderStep, StepFee } from '@/api/types';

export const TONES: { value: ReminderStep['template_key']; label: string }[] = [
  { value: 'friendly', label: 'Friendly' },
  { value: 'due_today', label: 'Due today' },
  { value: 'firm', label: 'Firm' },
  { value: 'urgent', label: 'Urgent' },
  { value: 'final', label: 'Final notice' },
];

export const FEE_KINDS: { value: FeeKind; label: string }[] = [
  { value: 'fixed', label: 'Fixed fee' },
  { value: 'percent', label: '% of unpaid' },
  { value: 'daily_interest', label: 'Interest per day' },
];

const FEE_FIELDS = ['kind', 'amount', 'currency', 'percent', 'annual_rate_percent'] as const;
type StepField = 'offset_days' | 'template_key' | 'fee' | `fee.${(typeof FEE_FIELDS)[number]}`;

/** The field paths the API may name in a 422 about steps ("steps.2.offset_days", "steps.2.fee.percent"). */
export function stepFieldPaths(count: number): `steps.${number}.${StepField}`[] {
  return Array.from({ length: count }, (_, i) => [
    `steps.${i}.offset_days` as const,
    `steps.${i}.template_key` as const,
    `steps.${i}.fee` as const,
    ...FEE_FIELDS.map((field) => `steps.${i}.fee.${field}` as const),
  ]).flat();
}

/** A step as the API answers it, as the form edits it (and sends it back). */
export function toStepInput(step: { offset_days: number; template_key: string; fee?: StepFee | null }): ReminderStep {
  return {
    offset_days: step.offset_days,
    template_key: step.template_key as ReminderStep['template_key'],
    fee: step.fee ? { ...step.fee } : null,
  };
}

/** A fee of a new kind: only the fields that kind reads. */
export function feeOfKind(kind: FeeKind | null): StepFee | null {
  if (kind === null) return null;
  if (kind === 'fixed') return { kind, amount: '', currency: null };
  if (kind === 'percent') return { kind, percent: '' };
  return { kind, annual_rate_percent: null };
}

/** What a step's fee means, in a few words ("Fixed fee 40.00 EUR", "5% of unpaid", ...). */
export function describeFee(fee: StepFee | null | undefined): string | null {
  if (!fee) return null;
  if (fee.kind === 'fixed') return `Late fee ${fee.amount ?? ''}${fee.currency ? ` ${fee.currency}` : ''}`.trim();
  if (fee.kind === 'percent') return `Late fee ${fee.percent ?? ''}% of unpaid`;
  return fee.annual_rate_percent ? `Interest ${fee.annual_rate_percent}% a year` : 'Interest at your statutory rate';
}

/** The steps as the API takes them: a fee only after the due date (the editor hides it before), blanks as none. */
export function stepsForApi(steps: readonly ReminderStep[]): ReminderStep[] {
  return steps.map((step) => {
    const fee = step.fee && step.offset_days > 0 ? step.fee : null;
    if (fee === null) return { ...step, fee: null };
    const blankToNull = (value: string | number | null | undefined) => (value === '' || value === undefined ? null : value);
    return {
      ...step,
      fee: {
        ...fee,
        amount: blankToNull(fee.amount),
        percent: blankToNull(fee.percent),
        annual_rate_percent: blankToNull(fee.annual_rate_percent),
      },
    };
  });
}
