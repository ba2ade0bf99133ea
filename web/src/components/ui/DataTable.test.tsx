import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createColumnHelper } from '@tanstack/react-table';
import { Button } from '@mantine/core';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/errors';
import { renderWithProviders } from '@/test/render';
import { DataTable } from './DataTable';

interface Row {
  id: string;
  name: string;
  amount: string;
}
const column = createColumnHelper<Row>();
const columns = [
  column.accessor('name', { header: 'Name', enableSorting: true }),
  column.accessor('amount', { header: 'Amount' }),
];
const empty = { icon: <span>i</span>, title: 'No rows yet', action: <Button>Add a row</Button> };

describe('DataTable', () => {
  it('shows a loading skeleton while loading', () => {
    renderWithProviders(<DataTable label="Things" columns={columns} data={undefined} isLoading empty={empty} />);
    expect(screen.getByRole('table', { name: 'Things' })).toHaveAttribute('aria-busy', 'true');
    expect(screen.getAllByTestId('skeleton-row')).toHaveLength(6);
  });

  it('shows the empty state with its next-step action', () => {
    renderWithProviders(<DataTable label="Things" columns={columns} data={[]} empty={empty} />);
    expect(screen.getByText('No rows yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Add a row' })).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows an error with a retry button that calls onRetry', async () => {
    const onRetry = vi.fn();
    renderWithProviders(
      <DataTable label="Things" columns={columns} data={undefined} error={new ApiError(500, { error: 'Boom' })} onRetry={onRetry} empty={empty} />,
    );
    expect(screen.getByText("Couldn't load this")).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /try again/i }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('shows the not-allowed state on a 403', () => {
    renderWithProviders(
      <DataTable label="Things" columns={columns} data={undefined} error={new ApiError(403, { error: 'PermissionDenied' })} empty={empty} />,
    );
    expect(screen.getByText("You don't have access")).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /try again/i })).not.toBeInTheDocument();
  });

  it('renders rows, reports sort changes and paginates', async () => {
    const onSortChange = vi.fn();
    const onPageChange = vi.fn();
    renderWithProviders(
      <DataTable
        label="Things"
        columns={columns}
        data={[
          { id: '1', name: 'Alpha', amount: '10.00' },
          { id: '2', name: 'Beta', amount: '20.00' },
        ]}
        getRowId={(row) => row.id}
        sort={{ id: 'name', desc: false }}
        onSortChange={onSortChange}
        pagination={{ page: 1, pageSize: 2, total: 5, onPageChange }}
        empty={empty}
      />,
    );
    expect(screen.getAllByRole('row')).toHaveLength(3);
    const header = screen.getByRole('columnheader', { name: /name/i });
    expect(header).toHaveAttribute('aria-sort', 'ascending');
    await userEvent.click(screen.getByRole('button', { name: /name/i }));
    expect(onSortChange).toHaveBeenCalledWith({ id: 'name', desc: true });
    expect(screen.getByText('1–2 of 5')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(onPageChange).toHaveBeenCalledWith(2);
  });
});
