import { lazy } from 'react';

/**
 * Tool-call cards and source lists are a lazy chunk (most answers have neither), fetched when
 * the page is idle like the markdown renderer, so a first tool call does not wait for it.
 */
const load = () => import('./extras');
let loading: ReturnType<typeof load> | undefined;
export const loadExtras = () => (loading ??= load());

export const ToolCalls = lazy(() => loadExtras().then((m) => ({ default: m.ToolCalls })));
export const Sources = lazy(() => loadExtras().then((m) => ({ default: m.Sources })));
