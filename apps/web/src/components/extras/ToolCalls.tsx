import { ChevronRight, Wrench } from 'lucide-react';
import { memo } from 'react';
import { type ToolCall, formatArguments } from '../../chat/toolCalls';

interface Props {
  calls: readonly ToolCall[];
  /** Fragments may still arrive (the answer streams and no finish reason came yet). */
  streaming: boolean;
  finishReason: string | undefined;
}

/** The tool calls of one answer, one collapsible card each, in index order. */
export function ToolCalls({ calls, streaming, finishReason }: Props) {
  return (
    <div className="tool-calls">
      {calls.map((call) => (
        <ToolCallCard
          key={call.index}
          call={call}
          streaming={streaming}
          finishReason={finishReason}
        />
      ))}
    </div>
  );
}

/**
 * A function the model wants called: its name, then its arguments, as text while they stream
 * and as indented JSON once they parse. Open by default; the reader can fold it.
 */
const ToolCallCard = memo(function ToolCallCard({
  call,
  streaming,
  finishReason,
}: {
  call: ToolCall;
  streaming: boolean;
  finishReason: string | undefined;
}) {
  const args = formatArguments(call.arguments);
  const name = call.name || 'unnamed function';
  return (
    <details
      className="tool-call"
      data-testid="tool-call"
      data-streaming={streaming || undefined}
      aria-busy={streaming}
      open
    >
      <summary>
        <ChevronRight className="tool-call__chevron" aria-hidden="true" size={16} />
        <Wrench aria-hidden="true" size={15} strokeWidth={1.75} />
        <span className="visually-hidden">Tool call: </span>
        <code className="tool-call__name">{name}</code>
        <span className="tool-call__state" data-testid="tool-call-state">
          {streaming ? 'Receiving arguments…' : 'Tool call'}
        </span>
      </summary>
      <div className="tool-call__body">
        <p className="tool-call__label">Arguments</p>
        <pre className="tool-call__args" data-testid="tool-call-arguments" data-json={args.json}>
          <code>{args.text || (streaming ? '…' : '(none)')}</code>
        </pre>
        <p className="tool-call__meta">
          {call.id && (
            <span data-testid="tool-call-id">
              id <code>{call.id}</code>
            </span>
          )}
          {finishReason && (
            <span data-testid="tool-call-finish">
              finish reason <code>{finishReason}</code>
            </span>
          )}
        </p>
      </div>
    </details>
  );
});
