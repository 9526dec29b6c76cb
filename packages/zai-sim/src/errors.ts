import type { ScenarioName } from './scenarios';

/**
 * Z.AI's error answers: `{"error":{"code":"<business code>","message":"…"}}`. The messages
 * carry account-like details on purpose, so tests can prove the API never echoes them raw.
 */
export interface UpstreamError {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export const ERROR_SCENARIOS: Partial<Record<ScenarioName, UpstreamError>> = {
  auth: { status: 401, code: '1001', message: '令牌已过期或验证不正确 (account acct_sim_4242)' },
  'rate-limit': {
    status: 429,
    code: '1302',
    message: '您当前使用该API的并发数过高 (account acct_sim_4242)',
    retryAfterSeconds: 1,
  },
  balance: {
    status: 429,
    code: '1113',
    message: '您的账户已欠费 (account acct_sim_4242, balance -3.20)',
  },
  'server-error': {
    status: 500,
    code: '500',
    message: 'Internal error on node sim-7 (account acct_sim_4242)',
  },
  'unknown-model': { status: 400, code: '1211', message: '模型不存在 (account acct_sim_4242)' },
  'too-long': { status: 400, code: '1261', message: 'Prompt 超长 (account acct_sim_4242)' },
  unsafe: { status: 400, code: '1301', message: '系统检测到输入不安全 (account acct_sim_4242)' },
};

export const missingKeyError: UpstreamError = {
  status: 401,
  code: '1000',
  message: '身份验证失败 (no Authorization header)',
};
export const badKeyError: UpstreamError = {
  status: 401,
  code: '1002',
  message: 'Authorization Token非法，请确认Authorization Token正确传递',
};

export const errorJson = (e: UpstreamError): string =>
  JSON.stringify({ error: { code: e.code, message: e.message } });
