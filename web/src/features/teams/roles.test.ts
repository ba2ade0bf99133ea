import { describe, expect, it } from 'vitest';
import { canManage } from './roles';

describe('roles', () => {
  it('shows team, integrations and audit to owners and admins only,', () => {
    expect(['owner', 'admin', 'member', 'viewer', undefined].map(canManage)).toEqual([true, true, false, false, false]);
  });
});
