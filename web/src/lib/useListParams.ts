import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { DataTablePagination } from '@/components/ui/DataTable';

export interface ListParams {
  q: string;
  sort: string;
  page: number;
  pageSize: number;
}

/**
 * List state (search, sort, page and any extra filters) kept in the URL so a view
 * can be shared and survives a reload. Changing a filter resets the page to 1.
 */
export function useListParams(defaults: { sort: string; pageSize?: number }) {
  const [searchParams, setSearchParams] = useSearchParams();

  const params: ListParams = useMemo(() => {
    const page = Number.parseInt(searchParams.get('page') ?? '1', 10);
    const pageSize = Number.parseInt(searchParams.get('page_size') ?? String(defaults.pageSize ?? 25), 10);
    return {
      q: searchParams.get('q') ?? '',
      sort: searchParams.get('sort') ?? defaults.sort,
      page: Number.isFinite(page) && page > 0 ? page : 1,
      pageSize: Number.isFinite(pageSize) && pageSize > 0 ? Math.min(pageSize, 200) : 25,
    };
  }, [searchParams, defaults.sort, defaults.pageSize]);

  const update = useCallback(
    (changes: Record<string, string | string[] | number | null | undefined>, opts: { keepPage?: boolean } = {}) => {
      setSearchParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(changes)) {
            next.delete(key);
            if (value === null || value === undefined || value === '') continue;
            if (Array.isArray(value)) value.forEach((v) => next.append(key, v));
            else next.set(key, String(value));
          }
          if (!opts.keepPage && !('page' in changes)) next.delete('page');
          if (next.get('sort') === defaults.sort) next.delete('sort');
          if (next.get('page') === '1') next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setSearchParams, defaults.sort],
  );

  /** The table's pager for a list of `total` rows (none until the first page has loaded). */
  const pagination = useCallback(
    (total: number | undefined): DataTablePagination | undefined =>
      total === undefined ? undefined : { page: params.page, pageSize: params.pageSize, total, onPageChange: (page) => update({ page }) },
    [params.page, params.pageSize, update],
  );

  return { params, searchParams, update, pagination };
}

/** "-due_date" <-> {id: "due_date", desc: true} */
export function parseSort(sort: string): { id: string; desc: boolean } {
  return sort.startsWith('-') ? { id: sort.slice(1), desc: true } : { id: sort, desc: false };
}

export function formatSort(sort: { id: string; desc: boolean } | null): string | null {
  return sort ? `${sort.desc ? '-' : ''}${sort.id}` : null;
}

/** The sort from the URL if the list supports it, else the list's default. */
export function allowedSort<S extends string>(sort: string, allowed: readonly S[], fallback: S): S {
  return (allowed as readonly string[]).includes(sort) ? (sort as S) : fallback;
}
