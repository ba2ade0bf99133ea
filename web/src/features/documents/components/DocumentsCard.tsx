import { ActionIcon, Anchor, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconFileTypePdf, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import type { Id } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { InlineError } from '@/components/ui/QueryStates';
import { formatDate } from '@/lib/dates';
import {
  downloadDocument,
  formatBytes,
  openInvoicePdf,
  useDeleteDocument,
  useDocumentLimits,
  useInvoiceDocuments,
  useUploadDocument,
} from '../hooks/queries';
import { DropZone } from './DropZone';

/** The invoice's PDFs: the newest goes with reminders; without one, DueSpark generates it from the invoice. */
export function DocumentsCard({ invoiceId }: { invoiceId: Id }) {
  const documents = useInvoiceDocuments(invoiceId);
  const limits = useDocumentLimits();
  const upload = useUploadDocument(invoiceId);
  const remove = useDeleteDocument(invoiceId);
  const [deleting, setDeleting] = useState<{ id: Id; name: string } | null>(null);
  const maxFile = limits.data ? formatBytes(limits.data.max_file_bytes) : '10 MB';

  const onFiles = async ([file]: File[]) => {
    try {
      await upload.mutateAsync(file);
      notifications.show({ color: 'teal', message: `${file.name} added to the invoice.` });
    } catch (error) {
      notifications.show({ color: 'red', title: `${file.name} was not added`, message: errorMessage(error) });
    }
  };
  const fail = (error: unknown) => notifications.show({ color: 'red', message: errorMessage(error) });

  return (
    <Paper withBorder p="lg" aria-labelledby="documents-heading">
      <Group justify="space-between" mb="xs">
        <Title order={2} fz="md" fw={600} id="documents-heading">
          Invoice PDF
        </Title>
        <Anchor component="button" type="button" size="sm" onClick={() => void openInvoicePdf(invoiceId).catch(fail)}>
          Preview what the client gets
        </Anchor>
      </Group>
      {documents.isError ? (
        <InlineError error={documents.error} onRetry={() => void documents.refetch()} />
      ) : (
        <Stack gap="sm">
          {documents.data?.length === 0 && (
            <Text size="sm" c="dimmed">
              No PDF uploaded: reminders attach one generated from this invoice.
            </Text>
          )}
          {documents.data?.map((document, index) => (
            <Group key={document.id} justify="space-between" wrap="nowrap" gap="xs">
              <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
                <IconFileTypePdf size={20} stroke={1.5} aria-hidden />
                <div style={{ minWidth: 0 }}>
                  <Text size="sm" truncate="end">
                    {document.file_name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatBytes(document.size_bytes)} · {formatDate(document.created_at)}
                    {index === 0 ? ' · sent with reminders' : ''}
                  </Text>
                </div>
              </Group>
              <Group gap={4} wrap="nowrap">
                <Tooltip label="Download">
                  <ActionIcon
                    variant="subtle"
                    aria-label={`Download ${document.file_name}`}
                    onClick={() => void downloadDocument(document.id, document.file_name).catch(fail)}
                  >
                    <IconDownload size={18} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label="Delete">
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Delete ${document.file_name}`}
                    onClick={() => setDeleting({ id: document.id, name: document.file_name })}
                  >
                    <IconTrash size={18} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            </Group>
          ))}
          <DropZone
            onFiles={(files) => void onFiles(files)}
            disabled={upload.isPending}
            label={upload.isPending ? 'Uploading…' : 'Drop the invoice PDF here, or choose a file'}
            hint={`PDF only, at most ${maxFile}.`}
          />
        </Stack>
      )}
      <ConfirmModal
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title="Delete this PDF?"
        confirmLabel="Delete PDF"
        loading={remove.isPending}
        onConfirm={async () => {
          if (!deleting) return;
          try {
            await remove.mutateAsync(deleting.id);
            setDeleting(null);
          } catch (error) {
            fail(error);
          }
        }}
      >
        {`${deleting?.name ?? 'The PDF'} will be deleted. Reminders then attach the next newest PDF, or a generated one.`}
      </ConfirmModal>
    </Paper>
  );
}
