import { Anchor, Button, Center, Group, Loader, Text } from '@mantine/core';
import { IconAlertTriangle, IconLock, IconRefresh, IconSearchOff } from '@tabler/icons-react';
import { Link } from 'react-router';
import { errorMessage, isApiError } from '@/api/errors';
import { EmptyState } from './EmptyState';

export function PageLoader() {
  return (
    <Center py={80} aria-busy="true" aria-live="polite">
      <Loader size="md" aria-label="Loading" />
    </Center>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <EmptyState
      icon={<IconAlertTriangle size={26} />}
      color="red"
      title="Couldn't load this"
      description={errorMessage(error)}
      action={
        onRetry && (
          <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={onRetry}>
            Try again
          </Button>
        )
      }
    />
  );
}

export function ForbiddenState() {
  return (
    <EmptyState
      icon={<IconLock size={26} />}
      color="gray"
      title="You don't have access"
      description="Your role in this account doesn't allow viewing this. Ask an account owner for access."
    />
  );
}

export function NotFoundState({ what = 'page', backTo, backLabel }: { what?: string; backTo: string; backLabel: string }) {
  return (
    <EmptyState
      icon={<IconSearchOff size={26} />}
      color="gray"
      title={`This ${what} doesn't exist`}
      description="It may have been deleted, or the link is wrong."
      action={
        <Button component={Link} to={backTo} variant="default">
          {backLabel}
        </Button>
      }
    />
  );
}

/** A failed section inside a page (a card, a side list): one line and a retry. */
export function InlineError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Group gap={6} py="xs" role="alert" wrap="wrap">
      <IconAlertTriangle size={16} color="var(--mantine-color-red-6)" aria-hidden />
      <Text size="sm" c="red.9">
        {isApiError(error) && error.isForbidden ? "You don't have access to this." : errorMessage(error)}
      </Text>
      {onRetry && (
        <Anchor component="button" type="button" size="sm" onClick={onRetry}>
          Try again
        </Anchor>
      )}
    </Group>
  );
}

/** Picks the right state for a failed query: 403, 404 or a retryable error. */
export function QueryError({
  error,
  onRetry,
  notFound,
}: {
  error: unknown;
  onRetry?: () => void;
  notFound?: { what: string; backTo: string; backLabel: string };
}) {
  if (isApiError(error) && error.isForbidden) return <ForbiddenState />;
  if (isApiError(error) && error.isNotFound && notFound) return <NotFoundState {...notFound} />;
  return <ErrorState error={error} onRetry={onRetry} />;
}
