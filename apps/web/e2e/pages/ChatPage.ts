import { type Locator, type Page, expect } from '@playwright/test';
import type { ChatRequestInput } from '@zai-chat/contract';

/** A stored chat as the app keeps it in IndexedDB (only what tests read). */
export interface StoredChat {
  id: string;
  title: string;
  messages: {
    role: string;
    content: string;
    status?: string;
    /** Saved with a streaming answer: where a reload resumes it. */
    stream?: { streamId: string; base: string; resumable: boolean; lastEventId?: string };
    error?: { code: string };
    attachments?: { id: string; name: string; mime: string; width: number; height: number }[];
    toolCalls?: { index: number; name: string; arguments: string }[];
    sources?: { title: string; link: string }[];
  }[];
}

/** An export file as the app writes it (only what tests read). */
export interface ExportedChats {
  format: string;
  version: number;
  chats: StoredChat[];
  /** Attached images by attachment id, as data URLs. */
  images: Record<string, string>;
}

/**
 * The chat app as a user sees it: its regions, controls and the actions people take.
 * Specs talk to this class, never to selectors, so a markup change is fixed in one place.
 */
export class ChatPage {
  readonly composer: Locator;
  readonly nav: Locator;
  readonly chatTitles: Locator;
  readonly answers: Locator;
  readonly questions: Locator;
  readonly announcer: Locator;
  readonly connection: Locator;
  readonly modelPicker: Locator;
  readonly settingsDialog: Locator;
  readonly showChats: Locator;
  readonly attachButton: Locator;
  readonly attachInput: Locator;
  readonly pending: Locator;
  readonly keyDialog: Locator;

  constructor(readonly page: Page) {
    this.composer = page.getByLabel('Message', { exact: true });
    this.nav = page.getByRole('navigation', { name: 'Chats' });
    this.chatTitles = this.nav.locator('.chat-row__title');
    this.answers = page.locator('[data-testid="message"][data-role="assistant"]');
    this.questions = page.locator('[data-testid="message"][data-role="user"]');
    this.announcer = page.getByTestId('announcer');
    this.connection = page.getByTestId('connection');
    this.modelPicker = page.getByRole('banner').getByLabel('Model', { exact: true });
    this.settingsDialog = page.getByRole('dialog', { name: 'Chat settings' });
    this.showChats = page.getByRole('button', { name: 'Show chats' });
    this.attachButton = page.getByRole('button', { name: 'Attach images' });
    this.attachInput = page.getByTestId('attach-input');
    this.pending = page.getByTestId('pending-attachment');
    this.keyDialog = page.getByRole('dialog', { name: 'Access key' });
  }

  /** Pick a model in the header by its display name. */
  async pickModel(name: string): Promise<void> {
    await this.modelPicker.selectOption({ label: name });
  }

  /** Attach files through the attach button's file picker, and wait until each is prepared. */
  async attach(...files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
    const before = await this.pending.count();
    const chooser = this.page.waitForEvent('filechooser');
    await this.attachButton.click();
    await (await chooser).setFiles(files);
    await expect(this.pending).toHaveCount(before + files.length);
    await expect(this.pending.and(this.page.locator('[data-status="preparing"]'))).toHaveCount(0);
  }

  /** The JSON body of the next chat request the page sends. */
  nextChatRequest(): Promise<ChatRequestInput> {
    return this.page
      .waitForRequest((r) => r.url().endsWith('/api/chat') && r.method() === 'POST')
      .then((r) => r.postDataJSON() as ChatRequestInput);
  }

  get lastAnswer(): Locator {
    return this.answers.last();
  }

  content(message: Locator): Locator {
    return message.getByTestId('message-content');
  }

  button(name: string, within: Locator | Page = this.page): Locator {
    return within.getByRole('button', { name, exact: true });
  }

  /**
   * Open the app and wait until it has loaded its chats, reached the API and fetched its
   * markdown renderer (which it preloads when idle): answers then render as markdown from
   * their first chunk, as they do for a person who takes a moment to type.
   */
  async open(path = '/'): Promise<void> {
    await this.page.goto(path);
    await expect(this.connection).toHaveAttribute('data-state', 'online');
    await expect(this.composer).toBeEnabled();
    await expect(this.page.locator('html')).toHaveAttribute('data-markdown', 'ready');
  }

  async send(text: string): Promise<void> {
    await this.composer.fill(text);
    await this.composer.press('Enter');
  }

  /** Send and wait for the answer to end with `status`; returns that answer. */
  async ask(text: string, status = 'done'): Promise<Locator> {
    const before = await this.answers.count();
    await this.send(text);
    await expect(this.answers).toHaveCount(before + 1);
    await expect(this.lastAnswer).toHaveAttribute('data-status', status);
    return this.lastAnswer;
  }

  /** Wait until the streaming answer shows more than `chars` characters. */
  async waitForText(message: Locator, chars: number): Promise<void> {
    await expect.poll(() => this.textLength(this.content(message))).toBeGreaterThan(chars);
  }

  async textLength(locator: Locator): Promise<number> {
    return (await locator.innerText()).length;
  }

  chatRow(title: string): Locator {
    return this.nav
      .locator('.chat-row')
      .filter({ has: this.page.getByTitle(title, { exact: true }) });
  }

  async renameChat(title: string, to: string): Promise<void> {
    await this.nav.getByRole('button', { name: `Rename chat “${title}”` }).click();
    const field = this.nav.getByLabel('Chat title');
    await field.fill(to);
    await field.press('Enter');
  }

  async openSettings(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(this.settingsDialog).toBeVisible();
    return this.settingsDialog;
  }

  /** What has focus, described by role-ish facts a test can compare. */
  async focused(): Promise<{ tag: string; label: string; id: string }> {
    return this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return {
        tag: el?.tagName ?? '',
        label: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '',
        id: el?.id ?? '',
      };
    });
  }

  /** The chats as saved in IndexedDB right now (database `zai-chat`, store `chats`). */
  async storedChats(): Promise<StoredChat[]> {
    return this.page.evaluate(
      () =>
        new Promise<StoredChat[]>((resolve, reject) => {
          const open = indexedDB.open('zai-chat');
          open.onerror = () => reject(open.error ?? new Error('IndexedDB could not be opened.'));
          open.onsuccess = () => {
            const db = open.result;
            const all = db.transaction('chats').objectStore('chats').getAll();
            all.onsuccess = () => {
              resolve(all.result as StoredChat[]);
              db.close();
            };
          };
        }),
    );
  }

  /** The last answer saved in IndexedDB (a page with one chat), once `ready` holds for it. */
  async storedAnswer(
    ready: (answer: StoredChat['messages'][number]) => boolean,
  ): Promise<StoredChat['messages'][number]> {
    let found: StoredChat['messages'][number] | undefined;
    await expect
      .poll(async () => {
        const chats = await this.storedChats();
        expect(chats.length).toBeLessThanOrEqual(1);
        found = chats[0]?.messages.filter((m) => m.role === 'assistant').at(-1);
        return found !== undefined && ready(found);
      })
      .toBe(true);
    return found!;
  }

  /** Pixels between the bottom of the viewport and the bottom of the page. */
  async distanceFromBottom(): Promise<number> {
    return this.page.evaluate(
      () => document.documentElement.scrollHeight - window.scrollY - window.innerHeight,
    );
  }
}
