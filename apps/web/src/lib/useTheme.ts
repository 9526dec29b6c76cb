import { useEffect, useState } from 'react';

export type Theme = 'light' | 'dark';
const KEY = 'zai-chat:theme';

const systemTheme = (): Theme =>
  matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';

/** Follows the OS until the user picks a theme; the pick is remembered. */
export function useTheme(): [Theme, () => void] {
  const [chosen, setChosen] = useState<Theme | undefined>(() => {
    const saved = localStorage.getItem(KEY);
    return saved === 'light' || saved === 'dark' ? saved : undefined;
  });
  const [system, setSystem] = useState<Theme>(systemTheme);
  useEffect(() => {
    const query = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setSystem(query.matches ? 'dark' : 'light');
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  const theme = chosen ?? system;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, next);
    setChosen(next);
  };
  return [theme, toggle];
}
