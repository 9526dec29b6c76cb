import type { RequestHandler } from 'express';
import { sendError } from '../http/errors';
import { identityOf } from './identify';
import type { Counters } from './counters';

export const DAY_MS = 24 * 3600_000;

/**
 * Tokens per identity per UTC day. Checked before the upstream is called (an identity over
 * budget costs nothing more), recorded after each exchange from the usage Z.AI reports, or
 * an estimate when the answer ended before its usage arrived (see `estimateTokens`).
 */
export class TokenBudgets {
  constructor(
    private readonly counters: Counters,
    /** Default tokens per identity per day; 0 means no budget. */
    private readonly tokensPerDay: number,
    private readonly now: () => number = Date.now,
  ) {}

  private limitFor(perKey: number | undefined): number {
    return perKey ?? this.tokensPerDay;
  }

  /** Middleware: 429 `budget_exceeded` with the reset time when today's tokens are spent. */
  check(onRefused: () => void = () => undefined): RequestHandler {
    return (req, res, next) => {
      const identity = identityOf(res);
      const limit = this.limitFor(identity?.limits?.tokensPerDay);
      if (!identity || limit === 0) return next();
      this.counters.peek(`tokens:${identity.id}`, DAY_MS).then(({ count, resetAt }) => {
        if (count < limit) return next();
        onRefused();
        const retryAfter = Math.max(1, Math.ceil((resetAt - this.now()) / 1000));
        sendError(req, res, 'budget_exceeded', { retryAfter });
      }, next);
    };
  }

  async record(identity: string, tokens: number): Promise<void> {
    if (tokens > 0) await this.counters.add(`tokens:${identity}`, tokens, DAY_MS);
  }
}

/**
 * Tokens of an exchange whose usage never arrived (the client left, the stream broke): about
 * four characters per token for the prompt and for what was relayed, rounded up. GLM's
 * tokenizer averages a little more than that per token for English and less for Chinese, so
 * this is an estimate, documented as one, and errs towards counting.
 */
export function estimateTokens(promptChars: number, relayedChars: number): number {
  return Math.ceil(promptChars / 4) + Math.ceil(relayedChars / 4);
}
