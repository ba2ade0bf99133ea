import { Button, FileButton, Group, Image, Input, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { errorMessage } from '@/api/errors';
import { fetchFileUrl, formatBytes, useDeleteLogo, useDocumentLimits, useUploadLogo } from '../hooks/queries';

/** The account's logo on generated PDFs: a PNG or JPEG, checked by the server. */
export function LogoField({ hasLogo }: { hasLogo: boolean }) {
  const upload = useUploadLogo();
  const remove = useDeleteLogo();
  const limits = useDocumentLimits();
  const [preview, setPreview] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (!hasLogo) {
      setPreview(null);
      return;
    }
    let url: string | null = null;
    let cancelled = false;
    void fetchFileUrl('/api/documents/logo')
      .then((made) => {
        url = made;
        if (!cancelled) setPreview(made);
      })
      .catch(() => setPreview(null));
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [hasLogo, version]);

  const choose = async (file: File | null) => {
    if (!file) return;
    try {
      await upload.mutateAsync(file);
      setVersion((v) => v + 1);
      notifications.show({ color: 'teal', message: 'Logo saved.' });
    } catch (error) {
      notifications.show({ color: 'red', title: 'The logo was not saved', message: errorMessage(error) });
    }
  };
  const maxLogo = limits.data ? formatBytes(limits.data.max_logo_bytes) : '1 MB';

  return (
    <Input.Wrapper label="Logo" description={`PNG or JPEG, at most ${maxLogo}.`}>
      <Group gap="sm" mt={6} wrap="nowrap">
        {preview ? (
          <Image src={preview} alt="Your logo" h={40} w="auto" maw={140} fit="contain" />
        ) : (
          <Text size="sm" c="dimmed">
            No logo
          </Text>
        )}
        <FileButton onChange={(file) => void choose(file)} accept="image/png,image/jpeg">
          {(props) => (
            <Button {...props} size="xs" variant="default" loading={upload.isPending}>
              {hasLogo ? 'Replace' : 'Upload logo'}
            </Button>
          )}
        </FileButton>
        {hasLogo && (
          <Button
            size="xs"
            variant="subtle"
            color="red"
            loading={remove.isPending}
            onClick={() =>
              void remove.mutateAsync().catch((error: unknown) => notifications.show({ color: 'red', message: errorMessage(error) }))
            }
          >
            Remove
          </Button>
        )}
      </Group>
    </Input.Wrapper>
  );
}
