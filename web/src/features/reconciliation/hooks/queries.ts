import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { BulkConfirmResult, Id } from '@/api/types';

export const MAX_BULK = 500;

export const reconcileKeys = {
  all: ['reconciliation'] as const,
  statements: ['reconciliation', 'statements'] as const,
  statement: (id: Id) => ['reconciliation', 'statement', id] as const,
};

export function useStatements() {
  return useQuery({
    queryKey: reconcileKeys.statements,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/reconciliation/statements', { signal })).items,
  });
}

export function useStatement(id: Id | null) {
  return useQuery({
    queryKey: reconcileKeys.statement(id ?? 0),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/reconciliation/statements/{statement_id}', {
          params: { path: { statement_id: id as Id } },
          signal,
        }),
      ),
    enabled: id !== null,
  });
}

/** Anything a confirm changes: the statement, and the invoices' balances and payments elsewhere in the app. */
function useSettle() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: reconcileKeys.all });
    void queryClient.invalidateQueries({ queryKey: ['invoices'] });
    void queryClient.invalidateQueries({ queryKey: ['insights'] });
  };
}

export function useUploadStatement() {
  const settle = useSettle();
  return useMutation({
    mutationFn: async (file: File) =>
      unwrap(
        await api.POST('/api/reconciliation/statements', {
          body: { file: file as unknown as string },
          bodySerializer: () => {
            const data = new FormData();
            data.append('file', file);
            return data;
          },
        }),
      ),
    onSuccess: settle,
  });
}

export function useConfirmEntry() {
  const settle = useSettle();
  return useMutation({
    mutationFn: async ({ entryId, invoiceId }: { entryId: Id; invoiceId?: Id }) =>
      unwrap(
        await api.POST('/api/reconciliation/entries/{entry_id}/confirm', {
          params: { path: { entry_id: entryId } },
          body: invoiceId ? { invoice_id: invoiceId } : {},
        }),
      ),
    onSuccess: settle,
  });
}

export function useRejectEntry() {
  const settle = useSettle();
  return useMutation({
    mutationFn: async (entryId: Id) =>
      unwrap(
        await api.POST('/api/reconciliation/entries/{entry_id}/reject', { params: { path: { entry_id: entryId } } }),
      ),
    onSuccess: settle,
  });
}

export function useBulkConfirm() {
  const settle = useSettle();
  return useMutation({
    // The API takes at most MAX_BULK entries a call: larger statements go in several calls, one after the other.
    mutationFn: async (items: { entry_id: Id; invoice_id?: Id }[]): Promise<BulkConfirmResult> => {
      const total: BulkConfirmResult = { confirmed: 0, failed: 0, results: [] };
      for (let start = 0; start < items.length; start += MAX_BULK) {
        const part = unwrap(
          await api.POST('/api/reconciliation/confirm', { body: { items: items.slice(start, start + MAX_BULK) } }),
        );
        total.confirmed += part.confirmed;
        total.failed += part.failed;
        total.results.push(...part.results);
      }
      return total;
    },
    onSuccess: settle,
  });
}
