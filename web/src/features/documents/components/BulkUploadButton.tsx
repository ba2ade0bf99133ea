import { Button, FileButton, List, Modal, Stack, Text, ThemeIcon } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconFileUpload, IconX } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import { useBulkUpload } from '../hooks/queries';

type Report = Awaited<ReturnType<ReturnType<typeof useBulkUpload>['mutateAsync']>>;

/** Upload many invoice PDFs at once: each goes to the invoice whose number is in its file name. */
export function BulkUploadButton() {
  const upload = useBulkUpload();
  const [report, setReport] = useState<Report | null>(null);
  const onFiles = async (files: File[]) => {
    if (files.length === 0) return;
    try {
      setReport(await upload.mutateAsync(files));
    } catch (error) {
      notifications.show({ color: 'red', title: 'The PDFs were not uploaded', message: errorMessage(error) });
    }
  };
  return (
    <>
      <FileButton onChange={(files) => void onFiles(files)} accept="application/pdf,.pdf" multiple>
        {(props) => (
          <Button {...props} variant="default" leftSection={<IconFileUpload size={16} />} loading={upload.isPending}>
            Upload PDFs
          </Button>
        )}
      </FileButton>
      <Modal opened={report !== null} onClose={() => setReport(null)} title={<Text fw={600}>PDFs uploaded</Text>} size="lg">
        {report && (
          <Stack gap="md">
            <Text size="sm" c="dimmed">
              Each file went to the invoice whose number is in its name.
            </Text>
            {report.matched.length > 0 && (
              <List spacing="xs" size="sm" icon={<ThemeIcon color="teal" size={20} radius="xl"><IconCheck size={14} /></ThemeIcon>} aria-label="Matched files">
                {report.matched.map((item) => (
                  <List.Item key={item.document.id}>
                    {item.file_name} → <Link to={`/invoices/${item.invoice_id}`}>{item.invoice_number}</Link>
                  </List.Item>
                ))}
              </List>
            )}
            {report.unmatched.length > 0 && (
              <>
                <Text size="sm" fw={600}>
                  Not uploaded ({report.unmatched.length})
                </Text>
                <List spacing="xs" size="sm" icon={<ThemeIcon color="red" size={20} radius="xl"><IconX size={14} /></ThemeIcon>} aria-label="Files not uploaded">
                  {report.unmatched.map((item) => (
                    <List.Item key={item.file_name}>
                      {item.file_name}: {item.reason}
                    </List.Item>
                  ))}
                </List>
              </>
            )}
            <Button onClick={() => setReport(null)} style={{ alignSelf: 'flex-end' }}>
              Done
            </Button>
          </Stack>
        )}
      </Modal>
    </>
  );
}
