import { Alert, Text } from '@mantine/core';
import { IconLinkOff } from '@tabler/icons-react';
import { publicUrlMismatch } from '../publicUrl';

/** Settings' warning when DUESPARK_PUBLIC_URL is not the address this browser opened the app at. */
export function PublicUrlWarning({ publicUrl }: { publicUrl: string | null | undefined }) {
  const warning = publicUrlMismatch(publicUrl, window.location.origin);
  if (!warning) return null;
  return (
    <Alert color="orange" variant="light" icon={<IconLinkOff size={18} />} title="Links in emails point elsewhere" mb="lg">
      <Text size="sm">{warning}</Text>
      <Text size="sm" mt={4}>
        Set <code>DUESPARK_PUBLIC_URL</code> on the server to the address your clients can reach, then restart DueSpark.
      </Text>
    </Alert>
  );
}
