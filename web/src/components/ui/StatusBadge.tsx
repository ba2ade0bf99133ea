import { Badge, Tooltip } from '@mantine/core';
import type { InvoiceStatus } from '@/api/types';
import { STATUS_META } from '@/lib/status';

export function StatusBadge({ status, size = 'sm' }: { status: InvoiceStatus; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  const meta = STATUS_META[status] ?? { label: status, color: 'gray', description: status };
  return (
    <Tooltip label={meta.description} withArrow multiline w={240} openDelay={150} events={{ hover: true, focus: true, touch: true }}>
      <Badge
        color={meta.color}
        variant="light"
        size={size}
        radius="sm"
        tabIndex={0}
        data-status={status}
        style={{ cursor: 'help', textTransform: 'none', minWidth: 'max-content' }}
        aria-label={`Status: ${meta.label}. ${meta.description}`}
      >
        {meta.label}
      </Badge>
    </Tooltip>
  );
}
