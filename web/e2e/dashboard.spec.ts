import { expect, test, type Page, type Request } from '@playwright/test';
import { DESKTOP, PHONE, expectAccessible, shot } from './support';

/**
 * The dashboard with the demo data (`duespark demo`, run by scripts/e2e.sh): what leads, the charts,
 * the grouped next reminders, the mode indicator, and how many requests in series come before the
 * first figure.
 */

const DEMO = { email: 'demo@example.com', password: 'duespark-demo-password' };

async function signIn(page: Page) {
  // Leaves the refresh cookie in the browser: the app restores the session as on a reload.
  const response = await page.request.post('/api/auth/login', { data: DEMO });
  expect(response.status(), await response.text()).toBe(200);
}

interface Timed {
  url: string;
  start: number;
  end: number;
}

/** Longest chain of requests one after another (each starting after the previous one ended) up to `last`. */
function seriesBefore(requests: Timed[], last: Timed): Timed[] {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  const best = new Map<Timed, Timed[]>();
  for (const request of sorted) {
    let chain: Timed[] = [];
    for (const earlier of sorted) {
      if (earlier.end <= request.start && (best.get(earlier)?.length ?? 0) > chain.length) chain = best.get(earlier)!;
    }
    best.set(request, [...chain, request]);
  }
  return best.get(last) ?? [];
}

test('the first figures come one round trip after the sign-in is known', async ({ page }) => {
  await signIn(page);
  const timed = new Map<Request, Timed>();
  const t0 = Date.now();
  page.on('request', (request) => timed.set(request, { url: request.url(), start: Date.now() - t0, end: Infinity }));
  const finish = (request: Request) => {
    const entry = timed.get(request);
    if (entry) entry.end = Date.now() - t0;
  };
  page.on('requestfinished', finish);
  page.on('requestfailed', finish);

  await page.setViewportSize(DESKTOP);
  await page.goto('/');
  // The machine running the tests may be busy: the assertion is about the order of requests, not speed.
  await expect(page.locator('[data-testid^="overview-"]').first()).toBeVisible({ timeout: 30_000 });
  const firstFigureMs = Date.now() - t0;

  const all = [...timed.values()];
  const path = (entry: Timed) => new URL(entry.url).pathname;
  const refresh = all.find((entry) => path(entry) === '/api/auth/refresh');
  const summary = all.find((entry) => path(entry) === '/api/insights/summary');
  expect(refresh, 'the session is restored from the cookie').toBeDefined();
  expect(summary, 'the dashboard asks for the summary').toBeDefined();
  const series = seriesBefore(all, summary!);
  // Requests that waited for the sign-in and held the summary back: started after the refresh answered, ended before the summary was asked.
  const inBetween = all.filter((entry) => entry.start >= refresh!.end && entry.end <= summary!.start);
  const report =
    `first figure after ${firstFigureMs} ms (refresh answered at ${refresh!.end} ms, summary asked at ${summary!.start} ms, answered at ${summary!.end} ms); ` +
    `requests between the refresh and the summary: ${inBetween.map(path).join(', ') || 'none'}; ` +
    `longest chain of requests in series before the summary: ${series.map(path).join(' → ')}`;
  console.log(report);
  test.info().annotations.push({ type: 'first-figure', description: report });
  // Sign-in state known (the refresh answered) → the summary is asked at once: the figures are one round trip away.
  expect(inBetween.map(path), report).toEqual([]);
  expect(summary!.start).toBeGreaterThanOrEqual(refresh!.end);
});

test('dashboard with the demo data at desktop and phone width', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.goto('/');

    // The account's default currency (EUR for the demo) leads, labelled, near the top even on a phone.
    const main = page.getByTestId('overview-EUR');
    await expect(main.getByRole('heading', { name: 'In EUR', level: 2 })).toBeVisible({ timeout: 30_000 });
    // What reminders brought in, this month, in the main currency.
    await expect(page.getByTestId('brought-in-EUR')).toContainText(/^Reminders brought in €[\d,.]+ this month/);
    const box = await main.boundingBox();
    expect(box!.y, `${device}: the main figures start high on the page`).toBeLessThan(device === 'phone' ? 420 : 300);
    // The other currencies: one line, expandable.
    const others = page.getByTestId('other-currencies-toggle');
    await expect(others).toHaveText(/^\+ £[\d.,K]+, \$[\d.,K]+ outstanding in 2 other currencies$|^\+ \$[\d.,K]+, £[\d.,K]+ outstanding in 2 other currencies$/);
    await expect(page.getByTestId('overview-GBP')).toBeHidden();

    // The chart from /api/insights/timeseries, in the main currency.
    const chart = page.getByTestId('monthly-chart');
    await expect(chart.getByText('Collected vs. still outstanding, per month (EUR)')).toBeVisible();
    await expect(chart.locator('tbody tr')).toHaveCount(12, { timeout: 30_000 });

    // Next reminders per client, never a past moment.
    const next = page.getByRole('list', { name: 'Next reminders per client' });
    await expect(next.getByRole('listitem').first()).toBeVisible({ timeout: 30_000 });
    await expect(next).not.toContainText('ago');
    await expect(next.getByRole('listitem').first()).toContainText(/\d+ (statement|reminder)s?/);

    // The mode, in view without opening the menu.
    const mode = page.getByTestId('mode-indicator').filter({ visible: true });
    await expect(mode).toHaveCount(1);
    await expect(mode).toHaveText(/^(Test mode: emails go to you|Live)$/);

    await shot(page, `dashboard-${device}`);
    await expectAccessible(page, `dashboard-${device}`);

    await others.click();
    await expect(others).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId('overview-GBP').getByRole('heading', { name: 'In GBP' })).toBeVisible();
    await shot(page, `dashboard-${device}-expanded`);
    await expectAccessible(page, `dashboard-${device}-expanded`);
  }
});

test('an aging segment opens the invoice list filtered to it', async ({ page }) => {
  await signIn(page);
  await page.setViewportSize(DESKTOP);
  await page.goto('/');
  const main = page.getByTestId('overview-EUR');
  await expect(main).toBeVisible({ timeout: 30_000 });
  await main.getByRole('link', { name: /^1–30 days late/ }).first().click();
  await expect(page).toHaveURL(/\/invoices\?tab=overdue&sort=due_date&due_from=\d{4}-\d{2}-\d{2}&due_to=\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByText(/^Due .+ – .+$/).first()).toBeVisible();
});

test('"Reminders brought in" lists exactly the invoices it counts', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.goto('/');
    const figure = page.getByTestId('brought-in-EUR');
    await expect(figure).toBeVisible({ timeout: 30_000 });
    const amount = (await page.getByTestId('brought-in-amount-EUR').textContent()) ?? '';
    const link = figure.getByRole('link', { name: 'See these invoices' });
    const counted = (await link.count()) > 0;
    if (counted) {
      await link.click();
    } else {
      // Early in a month the demo may have no payment after a reminder yet: the list is then empty.
      await expect(figure).toContainText('No payment has followed a reminder yet');
      await page.goto('/invoices?recovered=this_month');
    }
    await expect(page).toHaveURL(/\/invoices\?recovered=this_month$/);
    const badge = page.getByTestId('recovered-filter');
    await expect(badge).toContainText('Paid within 7 days of a reminder this month');
    if (counted) await expect(badge).toContainText(amount.trim());
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    await expectAccessible(page, `recovered invoices ${device}`);
    await shot(page, `recovered-invoices-${device}`);
  }
});
