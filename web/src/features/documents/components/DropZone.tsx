import { Box, FileButton, Group, Text, UnstyledButton } from '@mantine/core';
import { IconFileUpload } from '@tabler/icons-react';
import { useState, type DragEvent, type ReactNode } from 'react';

interface DropZoneProps {
  onFiles: (files: File[]) => void;
  multiple?: boolean;
  disabled?: boolean;
  label: ReactNode;
  hint?: ReactNode;
  /** File types the picker offers (PDFs unless said). */
  accept?: string;
  testId?: string;
}

/** Drop PDFs here, or press it to choose them; the server checks each file by its content. */
export function DropZone({
  onFiles,
  multiple = false,
  disabled = false,
  label,
  hint,
  accept = 'application/pdf,.pdf',
  testId = 'document-dropzone',
}: DropZoneProps) {
  const [over, setOver] = useState(false);
  const take = (list: FileList | File[] | null) => {
    const files = Array.from(list ?? []);
    if (files.length > 0 && !disabled) onFiles(multiple ? files : files.slice(0, 1));
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    take(event.dataTransfer.files);
  };
  return (
    <FileButton onChange={(value) => take(value === null ? null : Array.isArray(value) ? value : [value])} accept={accept} multiple={multiple} disabled={disabled}>
      {(props) => (
        <UnstyledButton
          {...props}
          w="100%"
          onDragOver={(event: DragEvent) => {
            event.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          aria-label={typeof label === 'string' ? label : undefined}
          data-testid={testId}
        >
          <Box
            p="md"
            style={{
              border: `1px dashed var(--mantine-color-${over ? 'blue-6' : 'gray-4'})`,
              borderRadius: 'var(--mantine-radius-md)',
              background: over ? 'var(--mantine-color-blue-0)' : undefined,
              opacity: disabled ? 0.6 : 1,
            }}
          >
            <Group gap="sm" wrap="nowrap">
              <IconFileUpload size={22} stroke={1.5} aria-hidden />
              <div>
                <Text size="sm" fw={500}>
                  {label}
                </Text>
                {hint && (
                  <Text size="xs" c="dimmed">
                    {hint}
                  </Text>
                )}
              </div>
            </Group>
          </Box>
        </UnstyledButton>
      )}
    </FileButton>
  );
}
