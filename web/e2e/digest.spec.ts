import { expect, test } from '@playwright/test';
import { Api, DESKTOP, PHONE, expectAccessible, shot, uniqueEmail } from './support';

test('the daily digest switch and hour in Settings → Profile', async ({ page }) => {
  const api = await Api.signUp(page.request, { email: uniqueEmail('digest'), name: 'Ada Lind', company_name: 'Studio Nord' });
  await page.setViewportSize(DESKTOP);
  await page.goto('/settings');
  const toggle = page.getByRole('switch', { name: 'Email me a daily digest' });
  await expect(toggle).toBeChecked();
  await expect(page.getByRole('textbox', { name: 'Digest hour' })).toHaveValue('07:00');
  await shot(page, 'desktop-digest-settings');
  await expectAccessible(page, 'digest-settings');

  await page.getByRole('textbox', { name: 'Digest hour' }).click();
  await page.getByRole('option', { name: '06:00' }).click();
  await expect(page.getByText('Daily digest saved.')).toBeVisible();
  await toggle.click();
  await expect(page.getByText('Daily digest turned off.')).toBeVisible();
  expect(await api.get('/api/me/digest')).toMatchObject({ enabled: false, send_hour: 6 });

  await page.reload();
  await expect(page.getByRole('switch', { name: 'Email me a daily digest' })).not.toBeChecked();
  await expect(page.getByRole('textbox', { name: 'Digest hour' })).toHaveValue('06:00');
  await page.setViewportSize(PHONE);
  await shot(page, 'phone-digest-settings');
});
