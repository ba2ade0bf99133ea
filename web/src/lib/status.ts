import type { InvoiceStatus } from '@/api/types';

/** Label, colour and plain-language meaning of each invoice status. */
export const STATUS_META: Record<InvoiceStatus, { label: string; color: string; description: string }> = {
  draft: {
    label: 'Draft',
    color: 'gray',
    description: 'Not sent yet. No reminders go out for drafts.',
  },
  open: {
    label: 'Open',
    color: 'blue',
    description: 'Sent and awaiting payment. Reminders follow your schedule.',
  },
  partially_paid: {
    label: 'Partially paid',
    color: 'yellow',
    description: 'Some money has arrived; a balance is still due.',
  },
  overdue: {
    label: 'Overdue',
    color: 'red',
    description: 'Past its due date with a balance left. Overdue reminders are being sent.',
  },
  paid: {
    label: 'Paid',
    color: 'teal',
    description: 'Paid in full. Reminders have stopped.',
  },
  void: {
    label: 'Void',
    color: 'dark',
    description: 'Cancelled. It no longer counts toward what you are owed.',
  },
};
