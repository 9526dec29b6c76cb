import { type Locator, type Page, expect } from '@playwright/test';

export const answers = (page: Page): Locator =>
  page.locator('[data-testid="message"][data-role="assistant"]');
export const lastAnswer = (page: Page): Locator => answers(page).last();
export const contentOf = (message: Locator): Locator => message.getByTestId('message-content');

/** Open the app, wait until it has loaded its chats and reached the API. */
export async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online');
  await expect(page.getByLabel('Message')).toBeEnabled();
}

export async function send(page: Page, text: string): Promise<void> {
  const input = page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

export async function textLength(locator: Locator): Promise<number> {
  return (await locator.innerText()).length;
}
