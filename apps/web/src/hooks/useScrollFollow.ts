import { type RefObject, useEffect, useRef } from 'react';

/** How close to the bottom (px) still counts as "at the bottom". */
export const NEAR_BOTTOM = 80;

const atBottom = () =>
  window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - NEAR_BOTTOM;

export const scrollToBottom = () =>
  window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' });

/**
 * Keep the page scrolled to the bottom of `content` while it grows (a streaming answer, lazy
 * markdown arriving, a chat opened after a reload) unless the reader scrolled up to read.
 * Only the reader's own gestures stop following (our programmatic scrolls fire scroll events
 * too); reaching the bottom again, or a change of `resetKey` (another chat, a new message),
 * resumes it. Returns the follow flag for tests and callers.
 */
export function useScrollFollow(
  content: RefObject<HTMLElement | null>,
  resetKey: string,
  /** The sticky composer: when it grows (attachments, a long draft) the end stays in view. */
  footer?: RefObject<HTMLElement | null>,
): RefObject<boolean> {
  const follow = useRef(true);

  useEffect(() => {
    // Following resumes when the reader brings the page back to the bottom with a gesture
    // downwards (wheel, keys, touch). A scroll event alone is not intent: the first frames of
    // a smooth scroll up, scroll anchoring, and our own jump to the end (which can land just
    // before the wheel event that scrolled up reaches this thread) all end near the bottom.
    let goingDown = false;
    const onScroll = () => {
      if (goingDown && atBottom()) follow.current = true;
    };
    const onWheel = (e: WheelEvent) => {
      goingDown = e.deltaY > 0;
      if (e.deltaY < 0) follow.current = false;
    };
    const onTouchMove = () => {
      goingDown = true;
      follow.current = atBottom();
    };
    const onKey = (e: KeyboardEvent) => {
      const typing =
        e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLInputElement;
      if (typing) return;
      if (['PageUp', 'ArrowUp', 'Home'].includes(e.key)) {
        goingDown = false;
        follow.current = false;
      } else if (['PageDown', 'ArrowDown', 'End', ' '].includes(e.key)) goingDown = true;
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('wheel', onWheel, { passive: true });
    window.addEventListener('touchmove', onTouchMove, { passive: true });
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('wheel', onWheel);
      window.removeEventListener('touchmove', onTouchMove);
      window.removeEventListener('keydown', onKey);
    };
  }, []);

  // The content's size changes after layout: follow it there, without forcing extra layouts.
  useEffect(() => {
    const el = content.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (follow.current) scrollToBottom();
    });
    observer.observe(el);
    if (footer?.current) observer.observe(footer.current);
    return () => observer.disconnect();
  }, [content, footer]);

  useEffect(() => {
    follow.current = true;
    scrollToBottom();
  }, [resetKey]);

  return follow;
}
