import { businessError, statusFor, type UpstreamError } from './business-codes';
import type { ScenarioName } from './scenarios';

export type { UpstreamError } from './business-codes';

/**
 * Z.AI's error answers: `{"error":{"code":"<business code>","message":"…"}}`. The named
 * scenarios' messages carry account-like details on purpose, so tests can prove the API never
 * echoes them raw. Their statuses come from the one business-code table.
 */
export const ERROR_SCENARIOS: Partial<Record<ScenarioName, UpstreamError>> = {
  auth: {
    status: statusFor('1001'),
    code: '1001',
    message: '令牌已过期或验证不正确 (account acct_sim_4242)',
  },
  'rate-limit': {
    status: statusFor('1302'),
    code: '1302',
    message: '您当前使用该API的并发数过高 (account acct_sim_4242)',
    retryAfterSeconds: 1,
  },
  balance: {
    status: statusFor('1113'),
    code: '1113',
    message: '您的账户已欠费 (account acct_sim_4242, balance -3.20)',
  },
  'server-error': {
    status: statusFor('500'),
    code: '500',
    message: 'Internal error on node sim-7 (account acct_sim_4242)',
  },
  'unknown-model': {
    status: statusFor('1211'),
    code: '1211',
    message: '模型不存在 (account acct_sim_4242)',
  },
  'too-long': {
    status: statusFor('1261'),
    code: '1261',
    message: 'Prompt 超长 (account acct_sim_4242)',
  },
  unsafe: {
    status: statusFor('1301'),
    code: '1301',
    message: '系统检测到输入不安全 (account acct_sim_4242)',
  },
};

/** No `Authorization` header at all. */
export const missingKeyError: UpstreamError = businessError('1001');
/** A key or token that is not the simulator's. */
export const badKeyError: UpstreamError = businessError('1002');
/** A JWT signed with the right secret whose `exp` has passed. */
export const expiredTokenError: UpstreamError = businessError('1003');

export const errorJson = (e: UpstreamError): string =>
  JSON.stringify({ error: { code: e.code, message: e.message } });
