import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { Api, expectAccessible, shot, uniqueEmail } from './support';

/**
 * A team, end to end, in two browsers: the owner invites a member in Settings → Team; the invited person opens
 * the emailed link in another browser, signs up through it and lands in the owner's account, where Settings
 * shows no Team, Webhooks, Audit log or Stripe integration (the server refuses them to a member too).
 */

/** The link of the newest invitation email queued to `to`, read from the outbox in the server's database. */
function invitationLink(to: string): string {
  const python = join(dirname(process.env.E2E_DUESPARK!), 'python');
  const script = [
    'import json, sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1].removeprefix("sqlite:///"))',
    'row = db.execute("SELECT content FROM messages WHERE kind = \'invitation\' AND to_email = ? ORDER BY id DESC", (sys.argv[2],)).fetchone()',
    'print(json.loads(row[0])["text"])',
  ].join('\n');
  const text = execFileSync(python, ['-c', script, process.env.E2E_DATABASE_URL!, to], { encoding: 'utf8' });
  const match = /\/invite\/([A-Za-z0-9_.%-]+)/.exec(text);
  expect(match, text).not.toBeNull();
  return `/invite/${match![1]}`;
}

test('the owner invites a member, who joins in another browser and sees no integrations', async ({ browser, page }) => {
  test.skip(!process.env.E2E_DUESPARK, 'needs web/scripts/e2e.sh (the invitation link is read from the server database)');
  const memberEmail = uniqueEmail('member');
  await Api.signUp(page.request, { email: uniqueEmail('owner'), name: 'Olivia Owner', company_name: 'Teamwork Studio' });

  await page.goto('/settings?tab=team');
  const invite = page.getByRole('form', { name: 'Invite a team member' });
  await invite.getByLabel('Email address').fill(memberEmail);
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${memberEmail}.`)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Open invitations' })).toContainText(memberEmail);
  await expect(page.getByRole('table', { name: 'Team members' })).toContainText('Olivia Owner');
  await expectAccessible(page, 'settings team');
  await shot(page, 'teams-settings');

  const other = await browser.newContext();
  try {
    const memberPage = await other.newPage();
    await memberPage.goto(invitationLink(memberEmail));
    await expect(memberPage.getByRole('heading', { name: 'Join Teamwork Studio' })).toBeVisible();
    await expect(memberPage.getByLabel('Email')).toHaveValue(memberEmail);
    await expectAccessible(memberPage, 'invite');
    await memberPage.getByLabel('Your name').fill('Max Member');
    await memberPage.getByLabel('Password').fill('correct-horse-battery');
    await memberPage.getByRole('button', { name: 'Create account and join' }).click();
    await expect(memberPage).toHaveURL(/\/$/);

    await memberPage.goto('/settings');
    const tabs = memberPage.getByRole('tablist');
    await expect(tabs.getByRole('tab', { name: 'Profile' })).toBeVisible();
    for (const hidden of ['Team', 'Webhooks', 'Audit log']) {
      await expect(tabs.getByRole('tab', { name: hidden })).toHaveCount(0);
    }
    await tabs.getByRole('tab', { name: 'Payments' }).click();
    await expect(memberPage.getByRole('heading', { name: 'Stripe' })).toHaveCount(0);
    // Opening the integrations by address shows the profile instead.
    await memberPage.goto('/settings?tab=webhooks');
    await expect(tabs.getByRole('tab', { name: 'Profile' })).toHaveAttribute('aria-selected', 'true');
  } finally {
    await other.close();
  }

  // The owner sees the member in the team, and the invitation is no longer open.
  await page.reload();
  await expect(page.getByRole('table', { name: 'Team members' })).toContainText('Max Member');
  await expect(page.getByText('No open invitations')).toBeVisible();
});
