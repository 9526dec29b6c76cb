import type { Health } from '@zai-chat/contract';
import type { Connection } from '../lib/useHealth';

interface Props {
  health: Health | undefined;
  connection: Connection;
  storageError: string | undefined;
}

/** What the reader must know about the service: simulated answers, the API down, storage. */
export function Banners({ health, connection, storageError }: Props) {
  return (
    <div className="banners">
      {health?.upstream === 'simulator' && (
        <div className="banner" role="status">
          Demo mode: answers come from the Z.AI <strong>simulator</strong>. Set{' '}
          <code>ZAI_API_KEY</code> on the server to use GLM.
        </div>
      )}
      {connection === 'offline' && (
        <div className="banner banner--warn" role="status">
          The API cannot be reached. Your chats are safe in this browser; sending works again when
          it is back.
        </div>
      )}
      {storageError && (
        <div className="banner banner--warn" role="status">
          {storageError}
        </div>
      )}
    </div>
  );
}
