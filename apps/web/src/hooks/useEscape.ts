import { useEffect, useRef } from 'react';

/**
 * Esc anywhere on the page, unless something nearer handled it first (an edit field, the
 * rename field, a dialog): those call preventDefault or stopPropagation.
 */
export function useEscape(onEscape: () => void): void {
  const latest = useRef(onEscape);
  useEffect(() => {
    latest.current = onEscape;
  }, [onEscape]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      // A modal dialog closes itself on Esc; that Esc is not also for the page behind it.
      if (e.target instanceof Element && e.target.closest('dialog[open]')) return;
      latest.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
