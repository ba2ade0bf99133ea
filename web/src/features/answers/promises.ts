import type { ClientPromiseRecord } from '@/api/types';

/** "2 kept · 1 missed · 1 open": how a client keeps their promises to pay, parts with none left out. */
export function describePromises(record: Pick<ClientPromiseRecord, 'kept' | 'missed' | 'open'>): string {
  const parts = [
    record.kept ? `${record.kept} kept` : '',
    record.missed ? `${record.missed} missed` : '',
    record.open ? `${record.open} open` : '',
  ].filter(Boolean);
  return parts.join(' · ') || 'None yet';
}
