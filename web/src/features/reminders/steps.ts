import type { ReminderStep } from '@/api/types';

export const TONES: { value: ReminderStep['template_key']; label: string }[] = [
  { value: 'friendly', label: 'Friendly' },
  { value: 'due_today', label: 'Due today' },
  { value: 'firm', label: 'Firm' },
  { value: 'urgent', label: 'Urgent' },
  { value: 'final', label: 'Final notice' },
];

/** The field paths the API may name in a 422 about steps ("steps.2.offset_days"). */
export function stepFieldPaths(count: number): `steps.${number}.${'offset_days' | 'template_key'}`[] {
  return Array.from({ length: count }, (_, i) => [`steps.${i}.offset_days` as const, `steps.${i}.template_key` as const]).flat();
}

