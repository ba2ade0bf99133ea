import type { ReactNode } from 'react';
import { Box, Group, Stack, Text, ThemeIcon } from '@mantine/core';
import { RelativeTime } from './RelativeTime';
import classes from './Timeline.module.css';

export interface TimelineEvent {
  id: string;
  icon: ReactNode;
  color?: string;
  /** Who did it: "You", "DueSpark", a client's name. */
  actor: string;
  /** What happened: "recorded a payment of €200.00". */
  action: ReactNode;
  /** ISO timestamp. */
  at: string;
  detail?: ReactNode;
  /** Buttons for this entry (e.g. "Send now" on a planned reminder). */
  actions?: ReactNode;
  /** Exposed as data-kind, for styling and tests. */
  kind?: string;
}

/** Activity feed: icon, actor, action, relative time (exact time on hover/focus). */
export function Timeline({ events, emptyLabel = 'No activity yet.', label = 'Activity' }: { events: TimelineEvent[]; emptyLabel?: string; label?: string }) {
  if (events.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        {emptyLabel}
      </Text>
    );
  }
  return (
    <Stack component="ol" gap={0} className={classes.list} aria-label={label}>
      {events.map((event) => (
        <Box component="li" key={event.id} className={classes.item} data-kind={event.kind}>
          <ThemeIcon size={28} radius="xl" variant="light" color={event.color ?? 'gray'} className={classes.icon} aria-hidden>
            {event.icon}
          </ThemeIcon>
          <Box className={classes.body}>
            <Group gap={6} wrap="wrap" align="baseline">
              <Text size="sm" fw={600}>
                {event.actor}
              </Text>
              <Text size="sm" c="dimmed" component="span">
                {event.action}
              </Text>
              <Text size="xs" c="dimmed" component="span">
                · <RelativeTime value={event.at} />
              </Text>
            </Group>
            {event.detail &&
              (typeof event.detail === 'string' ? (
                <Text size="sm" mt={2}>
                  {event.detail}
                </Text>
              ) : (
                <Box mt={4}>{event.detail}</Box>
              ))}
            {event.actions && (
              <Group gap="xs" mt={6}>
                {event.actions}
              </Group>
            )}
          </Box>
        </Box>
      ))}
    </Stack>
  );
}
