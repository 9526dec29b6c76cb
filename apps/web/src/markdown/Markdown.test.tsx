import { render } from '@testing-library/react';
import { expect, test } from 'vitest';
import Markdown from './Markdown';

test('raw HTML is shown as text and javascript: links lose their href', () => {
  const { container } = render(
    <Markdown
      text={
        '<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) and <script>alert(2)</script>'
      }
      streaming={false}
    />,
  );
  expect(container.querySelector('img')).toBeNull();
  expect(container.querySelector('script')).toBeNull();
  expect(container.querySelector('[onerror]')).toBeNull();
  const link = container.querySelector('a');
  expect(link?.getAttribute('href') ?? '').not.toMatch(/^javascript:/i);
  expect(container.textContent).toContain('<img src=x onerror=alert(1)>');
});

test('GFM tables and task lists, links open safely in a new tab', () => {
  const { container } = render(
    <Markdown
      text={
        '| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] open\n\n[site](https://example.com)'
      }
      streaming={false}
    />,
  );
  expect(container.querySelectorAll('td')).toHaveLength(2);
  const boxes = [...container.querySelectorAll('input[type="checkbox"]')];
  // Each task's checkbox has a name (axe: label), and says whether it is done.
  expect(boxes.map((b) => [b.getAttribute('aria-label'), (b as HTMLInputElement).checked])).toEqual(
    [
      ['Done', true],
      ['Not done', false],
    ],
  );
  expect(container.querySelector('a')?.getAttribute('rel')).toContain('noopener');
});

test('a code block gets a copy button and shows its code while streaming', () => {
  const { getByRole, container } = render(
    <Markdown text={'```python\nprint("hi")\n```'} streaming={true} />,
  );
  expect(getByRole('button', { name: 'Copy code' })).toBeTruthy();
  expect(container.querySelector('pre code')?.textContent).toBe('print("hi")');
});
