import { Button, Checkbox, Group, Paper, Stack, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useRef } from 'react';
import type { TemplateCatalog } from '@/api/types';
import { conditionLabel, insertAt, placeholder, placeholderLabel, type FriendlyPart, type FriendlyTemplate } from '../friendly';

type Field = 'subject' | number;
type Editable = HTMLInputElement | HTMLTextAreaElement;

/** The email as plain text with placeholder chips, and each optional paragraph behind a checkbox. */
export function SimpleTemplateEditor({
  value,
  onChange,
  variables,
  subjectError,
}: {
  value: FriendlyTemplate;
  onChange: (next: FriendlyTemplate) => void;
  variables: TemplateCatalog['variables'];
  subjectError?: string;
}) {
  const last = useRef<{ field: Field; element: Editable } | null>(null);
  const track = (field: Field) => (event: { currentTarget: Editable }) => {
    last.current = { field, element: event.currentTarget };
  };

  const setPart = (index: number, part: FriendlyPart) => onChange({ ...value, parts: value.parts.map((p, i) => (i === index ? part : p)) });
  const setText = (field: Field, text: string) => {
    if (field === 'subject') onChange({ ...value, subject: text });
    else setPart(field, { ...value.parts[field]!, text });
  };

  const insert = (name: string) => {
    const target = last.current ?? { field: value.parts.findIndex((p) => p.kind === 'text'), element: null };
    if (target.field === -1) return;
    const current = target.field === 'subject' ? value.subject : value.parts[target.field]!.text;
    const start = target.element?.selectionStart ?? current.length;
    const end = target.element?.selectionEnd ?? current.length;
    const next = insertAt(current, start, end, placeholder(name));
    setText(target.field, next.value);
    const element = target.element;
    if (element) {
      requestAnimationFrame(() => {
        element.focus();
        element.setSelectionRange(next.caret, next.caret);
      });
    }
  };

  const chips = variables.filter((v) => /^[a-z][a-z0-9_]*$/.test(v.name));

  return (
    <Stack gap="md" data-testid="simple-editor">
      <div>
        <Text size="sm" fw={500} mb={6} id="template-chips">
          Insert a detail where the cursor is
        </Text>
        <Group gap={6} role="group" aria-labelledby="template-chips">
          {chips.map((variable) => (
            <Tooltip key={variable.name} label={`${variable.description}${variable.example ? ` (e.g. ${variable.example})` : ''}`} multiline w={260} openDelay={400}>
              <Button
                size="compact-xs"
                radius="xl"
                variant="light"
                leftSection={<IconPlus size={12} />}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => insert(variable.name)}
              >
                {placeholderLabel(variable.name)}
              </Button>
            </Tooltip>
          ))}
        </Group>
      </div>
      <TextInput
        label="Subject"
        value={value.subject}
        onChange={(event) => setText('subject', event.currentTarget.value)}
        onFocus={track('subject')}
        onSelect={track('subject')}
        error={subjectError}
      />
      <Stack gap="xs" aria-label="Email text">
        <Text size="sm" fw={500}>
          Email
        </Text>
        {value.parts.map((part, index) =>
          part.kind === 'text' ? (
            <Textarea
              key={index}
              aria-label={index === 0 ? 'Email text' : 'Email text, continued'}
              autosize
              minRows={2}
              value={part.text}
              onChange={(event) => setText(index, event.currentTarget.value)}
              onFocus={track(index)}
              onSelect={track(index)}
            />
          ) : (
            <Paper key={index} withBorder p="sm" bg={part.included ? undefined : 'var(--mantine-color-default-hover)'}>
              <Checkbox
                label={conditionLabel(part.condition)}
                checked={part.included}
                onChange={(event) => setPart(index, { ...part, included: event.currentTarget.checked })}
                mb={part.included ? 'xs' : 0}
              />
              {part.included && (
                <Textarea
                  aria-label={`Text for: ${conditionLabel(part.condition)}`}
                  autosize
                  minRows={1}
                  value={part.text}
                  onChange={(event) => setText(index, event.currentTarget.value)}
                  onFocus={track(index)}
                  onSelect={track(index)}
                />
              )}
            </Paper>
          ),
        )}
      </Stack>
      <Text size="xs" c="dimmed">
        Words in braces, like {placeholder('client_name')}, are filled in for each invoice. **Bold** and [link text](address) work as
        in Markdown.
      </Text>
    </Stack>
  );
}
