import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import { ApiError } from '@/api/errors';
import { API_BASE_URL, authFetch } from '@/api/http';
import type { Id } from '@/api/types';
import { settingsKeys } from '@/features/settings/hooks/queries';

export const documentKeys = {
  invoice: (invoiceId: Id) => ['documents', 'invoice', invoiceId] as const,
  limits: ['documents', 'limits'] as const,
};

/** A multipart body of `files` under one field name, for openapi-fetch (whose typed body is only a placeholder). */
function formOf(field: string, files: File[]) {
  return () => {
    const data = new FormData();
    for (const file of files) data.append(field, file);
    return data;
  };
}

export function useInvoiceDocuments(invoiceId: Id) {
  return useQuery({
    queryKey: documentKeys.invoice(invoiceId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/documents/invoices/{invoice_id}', { params: { path: { invoice_id: invoiceId } }, signal }))
        .items,
  });
}

export function useDocumentLimits() {
  return useQuery({
    queryKey: documentKeys.limits,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/documents/limits', { signal })),
    staleTime: 60_000,
  });
}

export function useUploadDocument(invoiceId: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (file: File) =>
      unwrap(
        await api.POST('/api/documents/invoices/{invoice_id}', {
          params: { path: { invoice_id: invoiceId } },
          body: { file: file as unknown as string },
          bodySerializer: formOf('file', [file]),
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: documentKeys.invoice(invoiceId) });
      void queryClient.invalidateQueries({ queryKey: documentKeys.limits });
    },
  });
}

export function useDeleteDocument(invoiceId: Id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (documentId: Id) =>
      unwrap(await api.DELETE('/api/documents/{document_id}', { params: { path: { document_id: documentId } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: documentKeys.invoice(invoiceId) });
      void queryClient.invalidateQueries({ queryKey: documentKeys.limits });
    },
  });
}

/** Several PDFs at once; the server matches each file name to an invoice number and reports the rest. */
export function useBulkUpload() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (files: File[]) =>
      unwrap(
        await api.POST('/api/documents/bulk', {
          body: { files: files as unknown as string[] },
          bodySerializer: formOf('files', files),
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['documents'] }),
  });
}

export function useUploadLogo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (file: File) =>
      unwrap(
        await api.PUT('/api/documents/logo', {
          body: { file: file as unknown as string },
          bodySerializer: formOf('file', [file]),
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.account }),
  });
}

export function useDeleteLogo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/documents/logo')),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.account }),
  });
}

/** A file from an authenticated endpoint as an object URL (the browser cannot send the bearer token itself). */
export async function fetchFileUrl(path: string): Promise<string> {
  const response = await authFetch(new Request(`${API_BASE_URL}${path}`));
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => undefined));
  return URL.createObjectURL(await response.blob());
}

/** Saves a stored document under its file name. */
export async function downloadDocument(documentId: Id, fileName: string): Promise<void> {
  const url = await fetchFileUrl(`/api/documents/${documentId}/content`);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Opens the PDF the client receives (the newest upload, else the generated one) in a new tab. */
export async function openInvoicePdf(invoiceId: Id): Promise<void> {
  const tab = window.open('', '_blank');
  const url = await fetchFileUrl(`/api/documents/invoices/${invoiceId}/pdf`);
  if (tab) tab.location.href = url;
  else window.location.assign(url);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function formatBytes(size: number): string {
  if (size >= 1024 * 1024) return `${(size / (1024 * 1024)).toFixed(1)} MB`;
  if (size >= 1024) return `${Math.round(size / 1024)} KB`;
  return `${size} B`;
}
