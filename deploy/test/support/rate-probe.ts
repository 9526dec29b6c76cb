/**
 * A client of its own for the rate-limit check: a node script run inside a container on the
 * compose network (the simulator's, which has node), so nginx sees another client address
 * than the test's and the API counts it as another identity. Through nginx (`web:8080`) it
 * sends LIMIT chats, four at a time, then more until every one of REPLICAS replicas has
 * answered at least once (at most 30), and prints what each answer said as one JSON line.
 */
export const RATE_LIMIT_PROBE = `
const { URL: url, PROMPT: prompt } = process.env;
const limit = Number(process.env.LIMIT);
const replicas = Number(process.env.REPLICAS);
async function ask() {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: prompt }], stream: false }),
  });
  const text = await response.text();
  let code;
  try {
    code = JSON.parse(text).error?.code;
  } catch {}
  const remaining = /remaining=(\\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1];
  return {
    status: response.status,
    instance: response.headers.get('x-instance-id'),
    remaining: remaining === undefined ? undefined : Number(remaining),
    retryAfter: response.headers.get('retry-after'),
    code,
  };
}
(async () => {
  const within = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (sent < limit) {
        sent += 1;
        within.push(await ask());
      }
    }),
  );
  const over = [];
  const answeredBy = new Set();
  while (over.length < 30 && answeredBy.size < replicas) {
    const answer = await ask();
    over.push(answer);
    answeredBy.add(answer.instance);
  }
  console.log(JSON.stringify({ within, over }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

export interface ProbeAnswer {
  status: number;
  instance: string | null;
  /** From the draft-7 `RateLimit` header. */
  remaining?: number;
  retryAfter: string | null;
  code?: string;
}

export interface ProbeResult {
  /** The first LIMIT chats. */
  within: ProbeAnswer[];
  /** Those after, until every replica answered one. */
  over: ProbeAnswer[];
}
