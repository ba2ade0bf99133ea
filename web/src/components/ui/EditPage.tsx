import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { PageHeader, type PageHeaderProps } from '@/components/ui/PageHeader';
import { PageLoader, QueryError } from '@/components/ui/QueryStates';

export interface NotFoundTarget {
  what: string;
  backTo: string;
  backLabel: string;
}

interface EditPageProps<T> {
  query: UseQueryResult<T>;
  notFound: NotFoundTarget;
  header: (item: T) => Pick<PageHeaderProps, 'title' | 'breadcrumbs'>;
  /** The form, given the loaded item. */
  children: (item: T) => ReactNode;
}

/** The edit screen of one object: loading and error states, then a header and its form. */
export function EditPage<T>({ query, notFound, header, children }: EditPageProps<T>) {
  if (query.isPending) return <PageLoader />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} notFound={notFound} />;
  return (
    <div style={{ maxWidth: 760 }}>
      <PageHeader {...header(query.data)} />
      {children(query.data)}
    </div>
  );
}
