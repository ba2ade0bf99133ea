/**
 * What the web app shows each role, mirroring the server's policy (backend teams/policy.py), which
 * alone decides: hiding a screen here only spares the user a 403.
 */
export type RoleName = 'owner' | 'admin' | 'member' | 'viewer';

export const ROLE_LABELS: Record<RoleName, string> = {
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
  viewer: 'Viewer',
};

export const ROLE_DESCRIPTIONS: Record<RoleName, string> = {
  owner: 'Everything, including ownership and the data export',
  admin: 'Everything but ownership and the data export',
  member: 'Clients, invoices, payments, reminders and templates; no integrations, team or audit',
  viewer: 'Reads everything, changes nothing',
};

/** Team, integrations (Stripe, webhooks), the audit trail, going live: owners and admins. */
export function canManage(role: string | undefined): boolean {
  return role === 'owner' || role === 'admin';
}
