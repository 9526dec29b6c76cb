// Self-hosted fonts (CSS and woff2 only, no JS): the same glyphs on every machine, so the
// design and its screenshot baselines do not depend on the fonts a system happens to have.
import '@fontsource-variable/inter/wght.css';
import '@fontsource/jetbrains-mono/latin-400.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadExtras } from './components/lazyExtras';
import { preloadMarkdown } from './markdown/load';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
preloadMarkdown([loadExtras]);
