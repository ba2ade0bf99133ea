import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { INVOICE_STATUSES } from '@/api/types';
import { STATUS_META } from '@/lib/status';
import { renderWithProviders } from '@/test/render';
import { StatusBadge } from './StatusBadge';

describe('StatusBadge', () => {
  it.each(INVOICE_STATUSES)('labels %s and explains it', (status) => {
    renderWithProviders(<StatusBadge status={status} />);
    const badge = screen.getByText(STATUS_META[status].label);
    expect(badge.closest('[data-status]')).toHaveAttribute('data-status', status);
    expect(badge.closest('[aria-label]')).toHaveAttribute('aria-label', expect.stringContaining(STATUS_META[status].description));
  });

  it('shows the explanation in a tooltip on hover', async () => {
    renderWithProviders(<StatusBadge status="overdue" />);
    await userEvent.hover(screen.getByText('Overdue'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(STATUS_META.overdue.description);
  });

  it('has a distinct label and colour for every status', () => {
    const labels = new Set(INVOICE_STATUSES.map((s) => STATUS_META[s].label));
    expect(labels.size).toBe(INVOICE_STATUSES.length);
  });
});
