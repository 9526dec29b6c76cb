import { renderHook } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { useScrollFollow } from './useScrollFollow';

// happy-dom has no layout: the page is given a height, and scrolling just moves scrollY.
let pageHeight = 5000;
const observers: (() => void)[] = [];

beforeEach(() => {
  pageHeight = 5000;
  observers.length = 0;
  Object.defineProperty(document.documentElement, 'scrollHeight', {
    configurable: true,
    get: () => pageHeight,
  });
  Object.defineProperty(window, 'innerHeight', { configurable: true, value: 800 });
  vi.spyOn(window, 'scrollTo').mockImplementation(((opts: ScrollToOptions) => {
    setScroll(Math.min(opts.top ?? 0, pageHeight - 800));
  }) as typeof window.scrollTo);
  vi.stubGlobal(
    'ResizeObserver',
    class {
      constructor(private readonly cb: () => void) {}
      observe() {
        observers.push(this.cb);
      }
      disconnect() {}
    },
  );
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

function setScroll(y: number) {
  Object.defineProperty(window, 'scrollY', { configurable: true, value: y });
  window.dispatchEvent(new Event('scroll'));
}
/** The content grew: the ResizeObserver callback runs, as after a layout. */
function grow(by: number) {
  pageHeight += by;
  for (const cb of observers) cb();
}

function mount(key = 'chat:1') {
  const content = { current: document.createElement('div') };
  return renderHook(({ k }) => useScrollFollow(content, k), { initialProps: { k: key } });
}

test('opening a chat scrolls to its end, and growing content is followed', () => {
  const { result } = mount();
  expect(window.scrollY).toBe(4200);
  grow(1000);
  expect(window.scrollY).toBe(5200);
  expect(result.current.current).toBe(true);
});

test('a wheel up stops following; the smooth scroll that follows does not resume it', () => {
  const { result } = mount();
  window.dispatchEvent(new WheelEvent('wheel', { deltaY: -300 }));
  setScroll(4150); // still within reach of the bottom, but moving up
  setScroll(3900);
  grow(1000);
  expect(window.scrollY).toBe(3900);
  expect(result.current.current).toBe(false);
  // Scrolling back down to the bottom resumes following.
  window.dispatchEvent(new WheelEvent('wheel', { deltaY: 300 }));
  setScroll(5200);
  expect(result.current.current).toBe(true);
  grow(500);
  expect(window.scrollY).toBe(5700);
});

test('PageUp outside a text field stops following; in the composer it does not', () => {
  const { result } = mount();
  const area = document.createElement('textarea');
  document.body.append(area);
  area.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageUp', bubbles: true }));
  expect(result.current.current).toBe(true);
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageUp' }));
  expect(result.current.current).toBe(false);
  area.remove();
});

test('a new message or another chat resumes following and scrolls to the end', () => {
  const { result, rerender } = mount();
  window.dispatchEvent(new WheelEvent('wheel', { deltaY: -300 }));
  setScroll(1000);
  expect(result.current.current).toBe(false);
  pageHeight = 6000;
  rerender({ k: 'chat:2' });
  expect(result.current.current).toBe(true);
  expect(window.scrollY).toBe(5200);
});

test('a scroll down without a gesture (anchoring) near the bottom does not resume; a wheel down does', () => {
  const { result } = mount();
  window.dispatchEvent(new WheelEvent('wheel', { deltaY: -300 }));
  setScroll(3800);
  setScroll(4150); // the browser moved the page down 350 px by itself: 50 px from the end
  expect(result.current.current).toBe(false);
  setScroll(4200); // or our own jump to the end landed just before the wheel event
  expect(result.current.current).toBe(false);
  window.dispatchEvent(new WheelEvent('wheel', { deltaY: 100 }));
  setScroll(4160);
  expect(result.current.current).toBe(true);
});
