import type { ApiConfig } from '@zai-chat/contract';
import { Menu, Moon, Settings, Sun } from 'lucide-react';
import type { RefObject } from 'react';
import type { Connection } from '../lib/useHealth';
import type { Theme } from '../lib/useTheme';
import { IconButton } from './IconButton';
import { ModelPicker } from './ModelPicker';

interface Props {
  menuButton: RefObject<HTMLButtonElement | null>;
  sidebarOpen: boolean;
  onToggleSidebar: () => void;
  model: string;
  config: ApiConfig | undefined;
  onModel: (model: string) => void;
  connection: Connection;
  /** With several backends: which one takes requests now. */
  backendNote?: string;
  theme: Theme;
  onToggleTheme: () => void;
  onSettings: () => void;
}

const CONNECTION_TEXT: Record<Connection, string> = {
  online: 'Online',
  offline: 'Offline',
  checking: 'Connecting…',
};

/** One line at every width: chat list (phone), name, model, connection, settings, theme. */
export function Header({
  menuButton,
  sidebarOpen,
  onToggleSidebar,
  model,
  config,
  onModel,
  connection,
  backendNote,
  theme,
  onToggleTheme,
  onSettings,
}: Props) {
  return (
    <header className="topbar">
      <IconButton
        ref={menuButton}
        icon={Menu}
        label="Show chats"
        className="topbar__menu"
        aria-expanded={sidebarOpen}
        aria-controls="sidebar"
        onClick={onToggleSidebar}
      />
      <h1 className="brand">zai-chat</h1>
      <ModelPicker value={model} config={config} onChange={onModel} />
      <span className="topbar__spacer" />
      <span
        className="connection"
        data-testid="connection"
        data-state={connection}
        data-backend={backendNote}
        title={`API: ${CONNECTION_TEXT[connection]}${backendNote ? ` · ${backendNote}` : ''}`}
      >
        <span className="connection__dot" aria-hidden="true" />
        <span className="connection__text">{CONNECTION_TEXT[connection]}</span>
      </span>
      <IconButton icon={Settings} label="Settings" onClick={onSettings} />
      <IconButton
        icon={theme === 'dark' ? Sun : Moon}
        label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        onClick={onToggleTheme}
      />
    </header>
  );
}
