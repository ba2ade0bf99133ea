import { CloseButton, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';

/** A search box that reports its value after the user pauses typing. */
export function SearchInput({
  value,
  onChange,
  label,
  placeholder,
  maw = 320,
}: {
  value: string;
  onChange: (value: string) => void;
  label: string;
  placeholder?: string;
  maw?: number;
}) {
  const [text, setText] = useState(value);
  const debounced = useDebouncedCallback(onChange, 300);

  useEffect(() => setText(value), [value]);

  return (
    <TextInput
      aria-label={label}
      placeholder={placeholder ?? label}
      leftSection={<IconSearch size={16} aria-hidden />}
      value={text}
      onChange={(event) => {
        setText(event.currentTarget.value);
        debounced(event.currentTarget.value.trim());
      }}
      rightSection={
        text ? (
          <CloseButton
            size="sm"
            aria-label="Clear search"
            onClick={() => {
              setText('');
              onChange('');
            }}
          />
        ) : null
      }
      style={{ flex: '1 1 220px' }}
      maw={maw}
    />
  );
}
