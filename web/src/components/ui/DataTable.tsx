import type { ReactNode } from 'react';
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowData,
  type SortingState,
} from '@tanstack/react-table';
import { Box, Group, Pagination, Paper, Skeleton, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconArrowsSort } from '@tabler/icons-react';
import { Link, type LinkProps } from 'react-router';
import { isApiError } from '@/api/errors';
import { EmptyState, type EmptyStateProps } from './EmptyState';
import { ErrorState, ForbiddenState } from './QueryStates';
import classes from './DataTable.module.css';

declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    align?: 'left' | 'right' | 'center';
    /** Hide the column below this breakpoint (phones). */
    visibleFrom?: 'xs' | 'sm' | 'md' | 'lg';
    width?: number | string;
  }
}

export interface SortValue {
  id: string;
  desc: boolean;
}

export interface DataTablePagination {
  page: number;
  pageSize: number;
  total: number;
  onPageChange: (page: number) => void;
}

export interface DataTableProps<T> {
  /** Accessible name of the table, e.g. "Invoices". */
  label: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<T, any>[];
  data: T[] | undefined;
  isLoading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  /** Shown when there are no rows: headline, explanation, one next-step action. */
  empty: Omit<EmptyStateProps, 'compact'>;
  /** Explicitly not allowed, even without an error (a 403 error also shows this state). */
  forbidden?: boolean;
  getRowId?: (row: T) => string | number;
  sort?: SortValue | null;
  onSortChange?: (sort: SortValue | null) => void;
  pagination?: DataTablePagination;
  skeletonRows?: number;
  /** Rendered above the table inside the frame (filters, tabs). */
  toolbar?: ReactNode;
  /** At phone width, each row as a card (a list) instead of a table scrolled sideways. */
  renderCard?: (row: T) => ReactNode;
}

/**
 * The one table of the app (TanStack Table + Mantine) with its four states built in:
 * loading skeleton, empty with a next step, error with retry, and not allowed (403).
 * Sorting and pagination are "manual": the server sorts and pages, the URL keeps the state.
 */
export function DataTable<T>({
  label,
  columns,
  data,
  isLoading,
  error,
  onRetry,
  empty,
  forbidden,
  getRowId,
  sort,
  onSortChange,
  pagination,
  skeletonRows = 6,
  toolbar,
  renderCard,
}: DataTableProps<T>) {
  const sorting: SortingState = sort ? [sort] : [];
  const table = useReactTable<T>({
    data: data ?? [],
    columns,
    getRowId: getRowId ? (row) => String(getRowId(row)) : undefined,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    enableSortingRemoval: false,
    state: { sorting },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      onSortChange?.(next[0] ? { id: next[0].id, desc: next[0].desc } : null);
    },
    defaultColumn: { enableSorting: false },
  });

  const isForbidden = forbidden || (isApiError(error) && error.isForbidden);
  const hasError = !isForbidden && error !== undefined && error !== null;
  const rows = table.getRowModel().rows;
  const showSkeleton = !!isLoading && !isForbidden && !hasError && rows.length === 0;
  const isEmpty = !isLoading && !isForbidden && !hasError && rows.length === 0;
  const headerGroups = table.getHeaderGroups();

  let state: ReactNode = null;
  if (isForbidden) state = <ForbiddenState />;
  else if (hasError) state = <ErrorState error={error} onRetry={onRetry} />;
  else if (isEmpty) state = <EmptyState {...empty} />;

  return (
    <Paper withBorder radius="md" className={classes.frame}>
      {toolbar && <div className={classes.toolbar}>{toolbar}</div>}
      {state ? (
        <div role="status" aria-label={label}>
          {state}
        </div>
      ) : (
        <>
        {renderCard && (
          <Box hiddenFrom="sm" component="ul" aria-label={label} aria-busy={showSkeleton || undefined} className={classes.cards}>
            {showSkeleton
              ? Array.from({ length: 3 }, (_, index) => (
                  <li key={`skeleton-${index}`} className={classes.card}>
                    <Skeleton height={12} radius="sm" width="70%" mb={8} />
                    <Skeleton height={12} radius="sm" width="40%" />
                  </li>
                ))
              : rows.map((row) => (
                  <li key={row.id} className={classes.card}>
                    {renderCard(row.original)}
                  </li>
                ))}
          </Box>
        )}
        <Table.ScrollContainer minWidth={0} type="native" visibleFrom={renderCard ? 'sm' : undefined}>
          <Table
            aria-label={label}
            aria-busy={showSkeleton || undefined}
            verticalSpacing="sm"
            highlightOnHover={!showSkeleton}
            className={classes.table}
          >
            <Table.Thead>
              {headerGroups.map((group) => (
                <Table.Tr key={group.id}>
                  {group.headers.map((header) => {
                    const meta = header.column.columnDef.meta;
                    const sortable = header.column.getCanSort() && !!onSortChange;
                    const direction = header.column.getIsSorted();
                    const content = header.isPlaceholder
                      ? null
                      : flexRender(header.column.columnDef.header, header.getContext());
                    return (
                      <Table.Th
                        key={header.id}
                        ta={meta?.align}
                        w={meta?.width}
                        visibleFrom={meta?.visibleFrom}
                        className={classes.th}
                        aria-sort={
                          sortable ? (direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : 'none') : undefined
                        }
                      >
                        {sortable ? (
                          <UnstyledButton
                            onClick={() =>
                              onSortChange?.({ id: header.column.id, desc: direction === 'asc' })
                            }
                            className={classes.sortButton}
                            data-align={meta?.align}
                          >
                            <span>{content}</span>
                            {direction === 'asc' ? (
                              <IconArrowUp size={14} aria-hidden />
                            ) : direction === 'desc' ? (
                              <IconArrowDown size={14} aria-hidden />
                            ) : (
                              <IconArrowsSort size={14} aria-hidden className={classes.sortIdle} />
                            )}
                            <VisuallyHidden>
                              {direction ? `sorted ${direction === 'asc' ? 'ascending' : 'descending'}` : 'sort'}
                            </VisuallyHidden>
                          </UnstyledButton>
                        ) : (
                          content
                        )}
                      </Table.Th>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Thead>
            <Table.Tbody>
              {showSkeleton
                ? Array.from({ length: skeletonRows }, (_, index) => (
                    <Table.Tr key={`skeleton-${index}`} data-testid="skeleton-row">
                      {headerGroups[0]?.headers.map((header) => (
                        <Table.Td key={header.id} visibleFrom={header.column.columnDef.meta?.visibleFrom}>
                          <Skeleton height={12} radius="sm" width={`${50 + ((index * 17 + header.index * 13) % 45)}%`} />
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))
                : rows.map((row) => (
                    <Table.Tr key={row.id} className={classes.row}>
                      {row.getVisibleCells().map((cell) => {
                        const meta = cell.column.columnDef.meta;
                        return (
                          <Table.Td key={cell.id} ta={meta?.align} visibleFrom={meta?.visibleFrom}>
                            {flexRender(cell.column.columnDef.cell, cell.getContext())}
                          </Table.Td>
                        );
                      })}
                    </Table.Tr>
                  ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        </>
      )}
      {pagination && !state && pagination.total > 0 && (
        <Group justify="space-between" className={classes.footer} gap="sm">
          <Text size="sm" c="dimmed">
            {pageSummary(pagination)}
          </Text>
          {pagination.total > pagination.pageSize && (
            <Pagination
              size="sm"
              total={Math.ceil(pagination.total / pagination.pageSize)}
              value={pagination.page}
              onChange={pagination.onPageChange}
              siblings={1}
              boundaries={1}
              getControlProps={(control) => ({
                'aria-label': control === 'previous' ? 'Previous page' : control === 'next' ? 'Next page' : control,
              })}
              getItemProps={(page) => ({ 'aria-label': `Page ${page}` })}
            />
          )}
        </Group>
      )}
    </Paper>
  );
}

function pageSummary({ page, pageSize, total }: DataTablePagination) {
  const from = (page - 1) * pageSize + 1;
  const to = Math.min(page * pageSize, total);
  if (from > total) return `${total.toLocaleString()} total`;
  return `${from.toLocaleString()}–${to.toLocaleString()} of ${total.toLocaleString()}`;
}

/** A link that makes its whole table row clickable while staying a real, focusable link. */
export function RowLink({ className, ...props }: LinkProps) {
  return <Link {...props} className={[classes.rowLink, className].filter(Boolean).join(' ')} />;
}
