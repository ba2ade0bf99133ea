import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'screenshots');
mkdirSync(screenshotDir, { recursive: true });

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** A full-page screenshot, without the toasts of earlier steps and without animations. */
export async function shot(page: Page, name: string) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await page.screenshot({
    path: join(screenshotDir, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
    style: '.mantine-Notifications-root { display: none !important; }',
  });
}

/** Axe (WCAG 2.1 A and AA rules) finds no serious or critical problem on the page as it is now (sandboxed frames aside). */
export async function expectAccessible(page: Page, screen: string) {
  // Axe can't run inside a frame sandboxed without scripts (the email preview) and waits for it forever.
  // Colours are measured as painted: mid-fade (a page's entrance, a segmented control's indicator) text is
  // paler than it will be, and axe reported contrast failures that no settled screen has.
  // Endless ones (a loader) are left alone.
  // A transition can start a frame after the check, so the page must be still twice, 300 ms apart.
  const settled = () =>
    page.waitForFunction(() =>
      document
        .getAnimations()
        .every((animation) => animation.playState !== 'running' || animation.effect?.getComputedTiming().endTime === Infinity),
    );
  await settled();
  await page.waitForTimeout(300);
  await settled();
  const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if ((await page.locator('iframe[sandbox=""]').count()) > 0) builder.exclude('iframe[sandbox=""]');
  const results = await builder.analyze();
  const problems = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help}\n    ${violation.nodes
          .slice(0, 3)
          .map((node) => `${node.target.join(' ')} ${JSON.stringify(node.any[0]?.data ?? '')}`)
          .join('\n    ')}`,
    );
  expect(problems, `${screen}:\n  ${problems.join('\n  ')}`).toEqual([]);
}

/** A calendar date relative to today, as YYYY-MM-DD in the browser's (and the account's) timezone. */
export function isoDate(daysFromToday: number): string {
  const d = new Date();
  d.setDate(d.getDate() + daysFromToday);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Mantine DateInput: type the date in its display format ("MMM D, YYYY") and leave the field (Enter would submit). */
export async function fillDate(page: Page, label: string, iso: string) {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const text = new Date(y, m - 1, d).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
  const input = page.getByRole('textbox', { name: label });
  await input.fill(text);
  await input.blur();
  await expect(input).toHaveValue(text);
}

export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/**
 * The API as a script would use it, sharing the browser context's cookies: signing up here
 * leaves the HttpOnly refresh cookie in the browser, so the web app restores that session.
 */
export class Api {
  private constructor(
    private readonly request: APIRequestContext,
    private readonly accessToken: string,
  ) {}

  static async signUp(request: APIRequestContext, data: { email: string; name: string; company_name?: string }) {
    const response = await request.post('/api/auth/register', {
      data: { password: 'correct-horse-battery', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, ...data },
    });
    expect(response.status(), await response.text()).toBe(201);
    const pair = (await response.json()) as { access_token: string };
    return new Api(request, pair.access_token);
  }

  /**
   * A fresh connection per call: specs that wait between calls (a worker run with --now) would otherwise
   * send on a keep-alive connection the server is closing after 5 idle seconds (ECONNRESET).
   */
  private get headers() {
    return { Authorization: `Bearer ${this.accessToken}`, Connection: 'close' };
  }

  async get<T>(path: string): Promise<T> {
    const response = await this.request.get(path, { headers: this.headers });
    expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
    return (await response.json()) as T;
  }

  async patch<T = unknown>(path: string, data: unknown): Promise<T> {
    const response = await this.request.patch(path, { data, headers: this.headers });
    expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
    return (await response.json()) as T;
  }

  async put<T = unknown>(path: string, data: unknown): Promise<T> {
    const response = await this.request.put(path, { data, headers: this.headers });
    expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
    return (await response.json()) as T;
  }

  async post<T = { id: number }>(path: string, data: unknown): Promise<T> {
    const response = await this.request.post(path, { data, headers: this.headers });
    expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
    return (await response.json()) as T;
  }
}
