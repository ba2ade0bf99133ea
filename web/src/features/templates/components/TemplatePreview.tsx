import { Alert, Box, Group, Paper, SegmentedControl, Skeleton, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import type { Preview } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { previewProblems } from '../templates';

/** The rendered email: envelope, subject, then text or HTML (HTML in a sandboxed frame, no scripts). */
export function TemplatePreview({ preview, error, loading }: { preview: Preview | undefined; error: unknown; loading: boolean }) {
  const [view, setView] = useState<'html' | 'text'>('html');
  const problems = previewProblems(error);
  return (
    <Stack gap="sm" data-testid="template-preview">
      {problems.length > 0 && (
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title="The template doesn’t render" data-testid="preview-errors">
          <Stack gap={2}>
            {problems.map((problem) => (
              <Text size="sm" key={problem}>
                {problem}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
      {!preview ? (
        loading ? <Skeleton h={320} /> : null
      ) : (
        <Paper withBorder p="md" style={{ opacity: loading || problems.length ? 0.6 : 1 }}>
          <Stack gap={4} mb="sm">
            <Text size="xs" c="dimmed">
              From {preview.from} · To {preview.to}
              {preview.reply_to ? ` · Reply to ${preview.reply_to}` : ''}
            </Text>
            <Text fw={600} data-testid="preview-subject">
              {preview.subject}
            </Text>
            {preview.late_fee && (
              <Text size="xs" c="orange.9">
                Sending it adds a late fee of <Money amount={preview.late_fee.amount} currency={preview.late_fee.currency} />:{' '}
                {preview.late_fee.description}
              </Text>
            )}
          </Stack>
          <Group justify="space-between" mb="xs">
            <SegmentedControl
              size="xs"
              value={view}
              onChange={(value) => setView(value as 'html' | 'text')}
              data={[
                { value: 'html', label: 'HTML' },
                { value: 'text', label: 'Plain text' },
              ]}
            />
            <Text size="xs" c="dimmed">
              Language: {preview.locale}
            </Text>
          </Group>
          {view === 'html' ? (
            <Box
              component="iframe"
              title="HTML preview of the email"
              sandbox=""
              srcDoc={preview.html}
              w="100%"
              h={420}
              style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 6, background: 'white' }}
            />
          ) : (
            <Box
              component="pre"
              data-testid="preview-text"
              p="sm"
              style={{ whiteSpace: 'pre-wrap', fontSize: 13, margin: 0, maxHeight: 420, overflow: 'auto', background: 'var(--mantine-color-default-hover)', borderRadius: 6 }}
            >
              {preview.text}
            </Box>
          )}
        </Paper>
      )}
    </Stack>
  );
}
