import { Tooltip, VisuallyHidden } from '@mantine/core';
import { formatDateTime, fromNow } from '@/lib/dates';

/** "3 hours ago", with the exact time in a tooltip (and for screen readers). */
export function RelativeTime({ value }: { value: string }) {
  const exact = formatDateTime(value);
  return (
    <Tooltip label={exact} withArrow openDelay={200}>
      <span style={{ cursor: 'default' }}>
        <time dateTime={value}>{fromNow(value)}</time>
        <VisuallyHidden> ({exact})</VisuallyHidden>
      </span>
    </Tooltip>
  );
}
