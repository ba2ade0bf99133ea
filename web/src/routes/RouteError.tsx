import { Button, Center } from '@mantine/core';
import { IconBug } from '@tabler/icons-react';
import { isRouteErrorResponse, useRouteError } from 'react-router';
import { EmptyState } from '@/components/ui/EmptyState';

export default function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unexpected error';
  return (
    <Center mih="80dvh" component="main">
      <EmptyState
        icon={<IconBug size={26} />}
        color="red"
        title="Something broke on this page"
        description={`${message}. Reloading usually helps; if it doesn't, tell us what you were doing.`}
        action={<Button onClick={() => window.location.reload()}>Reload</Button>}
      />
    </Center>
  );
}
