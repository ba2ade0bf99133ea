import { ScrollArea, Tabs } from '@mantine/core';

/** A list's filter tabs in one scrollable row (phones scroll it sideways); `alert` is drawn in red. */
export function ListTabs({ tabs, alert }: { tabs: readonly { value: string; label: string }[]; alert?: string }) {
  return (
    <ScrollArea type="never" mb="md">
      <Tabs.List style={{ flexWrap: 'nowrap' }}>
        {tabs.map((t) => (
          <Tabs.Tab key={t.value} value={t.value} color={t.value === alert ? 'red' : undefined}>
            {t.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
    </ScrollArea>
  );
}
