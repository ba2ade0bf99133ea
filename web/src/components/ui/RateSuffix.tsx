import { Text } from '@mantine/core';

/** Room for "% a year" inside an input, with padding, at any input size. */
export const RATE_SUFFIX_WIDTH = 76;

/** The "% a year" unit shown inside a rate input, never wrapping or spilling out of the field. */
export function RateSuffix({ size = 'sm' }: { size?: 'xs' | 'sm' }) {
  return (
    <Text size={size} c="dimmed" style={{ whiteSpace: 'nowrap' }}>
      % a year
    </Text>
  );
}
