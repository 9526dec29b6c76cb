import { createApiClient } from '@zai-chat/contract';

/** Same-origin `/api` unless the build sets VITE_API_URL (an API on another origin). */
export const API_BASE_URL: string =
  (import.meta.env.VITE_API_URL as string | undefined)?.replace(/\/$/, '') ?? '';

export const api = createApiClient({ baseUrl: API_BASE_URL });
