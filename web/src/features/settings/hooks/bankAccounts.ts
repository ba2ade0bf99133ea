import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { BankAccountInput, Id } from '@/api/types';
import { setupKeys } from './paymentSetup';

export const bankKeys = { all: ['bank-accounts'] as const };

export function useBankAccounts() {
  return useQuery({
    queryKey: bankKeys.all,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/bank-accounts', { signal })),
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: bankKeys.all });
    // A bank account is a way to pay: going live and the warnings depend on it.
    void queryClient.invalidateQueries({ queryKey: setupKeys.paymentSetup });
  };
}

export function useSaveBankAccount() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, body }: { id: Id | null; body: BankAccountInput }) =>
      unwrap(
        id === null
          ? await api.POST('/api/bank-accounts', { body })
          : await api.PUT('/api/bank-accounts/{bank_account_id}', { params: { path: { bank_account_id: id } }, body }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteBankAccount() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: Id) =>
      unwrap(await api.DELETE('/api/bank-accounts/{bank_account_id}', { params: { path: { bank_account_id: id } } })),
    onSuccess: invalidate,
  });
}
