import { randomBytes } from 'node:crypto';

/**
 * Z.AI's business codes (docs.z.ai/api-reference/api-code, docs.bigmodel.cn/cn/api/api-code),
 * each with the HTTP status the simulator answers it with. The statuses are limited to the ones
 * Z.AI's HTTP table documents (400, 401, 404, 429, 434, 500); where the table is silent, the
 * status that field reports show (1308–1313 all come back as 429) or the nearest documented one.
 * The messages follow the published templates (Chinese, as the mainland docs print them),
 * except 1308, 1310 and 1312, whose English wording is what the international service sends and
 * what clients parse (the reset time, the suggested model).
 */
export interface BusinessCode {
  status: number;
  /** The published message; `${…}` placeholders are filled by `businessError`. */
  message: string;
  /** Z.AI's table says the same request may succeed later (before the first byte only). */
  retryable: boolean;
}

export const BUSINESS_CODES = {
  '500': { status: 500, message: '内部错误', retryable: true },
  // Authentication
  '1000': { status: 401, message: '身份验证失败', retryable: false },
  '1001': {
    status: 401,
    message: 'Header 中未收到 Authentication 参数,无法进行身份验证',
    retryable: false,
  },
  '1002': {
    status: 401,
    message: 'Authentication Token 非法,请确认 Authentication Token 正确传递',
    retryable: false,
  },
  '1003': { status: 401, message: 'Authentication Token 已过期,请重新生成/获取', retryable: false },
  '1004': { status: 401, message: '通过 Authentication Token 的验证失败', retryable: false },
  // Account: Z.AI documents balance and account anomalies as 429; read/write and
  // "cannot reach your account, retry later" are server-side trouble, hence 500.
  '1100': { status: 500, message: '账户读写', retryable: false },
  '1110': {
    status: 429,
    message: '您的账户当前处于非活动状态。请检查账户信息',
    retryable: false,
  },
  '1111': { status: 429, message: '您的账户不存在', retryable: false },
  '1112': { status: 429, message: '您的账户已被锁定,请联系客服解锁', retryable: false },
  '1113': { status: 429, message: '您的账户已欠费,请充值后重试', retryable: false },
  '1120': { status: 500, message: '无法成功访问您的账户,请稍后重试', retryable: true },
  '1121': { status: 429, message: '账户存违规行为,账号已被锁定', retryable: false },
  // API call
  '1200': { status: 400, message: 'API 调用错误', retryable: false },
  '1210': { status: 400, message: 'API 调用参数有误,请检查文档', retryable: false },
  '1211': { status: 400, message: '模型不存在,请检查模型代码', retryable: false },
  '1212': { status: 400, message: '当前模型不支持 ${method} 调用方式', retryable: false },
  '1213': { status: 400, message: '未正常接收到 ${field} 参数', retryable: false },
  '1214': { status: 400, message: '${field} 参数非法。请检查文档', retryable: false },
  '1215': {
    status: 400,
    message: '${field1} 与 ${field2} 不能同时设置,请检查文档',
    retryable: false,
  },
  '1220': { status: 434, message: '您无权访问 ${API_name}', retryable: false },
  '1221': { status: 404, message: 'API ${API_name} 已下线', retryable: false },
  '1222': { status: 404, message: 'API ${API_name} 不存在', retryable: false },
  '1230': { status: 500, message: 'API 调用流程出错', retryable: false },
  '1231': { status: 400, message: '您已有请求:${request_id}', retryable: false },
  '1234': {
    status: 500,
    message: '网络错误,错误id:${error_id},请联系客服',
    retryable: true,
  },
  '1261': { status: 400, message: 'Prompt 超长', retryable: false },
  // Policy
  '1300': { status: 400, message: 'API 调用被策略阻止', retryable: false },
  '1301': {
    status: 400,
    message:
      '系统检测到输入或生成内容可能包含不安全或敏感内容,请您避免输入易产生敏感内容的提示语,感谢您的配合',
    retryable: false,
  },
  '1302': {
    status: 429,
    message: '您当前使用该 API 的并发数过高,请降低并发,或联系客服增加限额',
    retryable: true,
  },
  '1303': {
    status: 429,
    message: '您当前使用该 API 的频率过高,请降低频率,或联系客服增加限额',
    retryable: true,
  },
  '1304': {
    status: 429,
    message: '该 API 已达今日调用次数限额,如有更多需求,请联系客服购买',
    retryable: false,
  },
  '1305': { status: 429, message: '该 API 已触发流量限制', retryable: true },
  '1308': {
    status: 429,
    message: 'Usage limit reached for 5 hour. Your limit will reset at ${next_flush_time}',
    retryable: false,
  },
  '1309': {
    status: 429,
    message:
      '您的 GLM Coding Plan 套餐已到期,暂无法使用,前往官方续订后即可恢复 https://bigmodel.cn/claude-code',
    retryable: false,
  },
  '1310': {
    status: 429,
    message: 'Weekly/Monthly Limit Exhausted. Your limit will reset at ${next_flush_time}',
    retryable: false,
  },
  '1311': { status: 429, message: '当前订阅套餐暂未开放${model_name}权限', retryable: false },
  '1312': {
    status: 429,
    message: 'The model ${model} is currently overloaded, please try ${model_name}',
    retryable: true,
  },
  '1313': {
    status: 429,
    message:
      '您的账户当前使用模式不符合公平使用策略,请求频率已受到限制。详情请参阅《条款与协议-订阅服务协议》',
    retryable: false,
  },
} as const satisfies Record<string, BusinessCode>;

export type BusinessCodeName = keyof typeof BUSINESS_CODES;

export const isBusinessCode = (code: string): code is BusinessCodeName =>
  Object.hasOwn(BUSINESS_CODES, code);

/** The status the simulator answers `code` with; unknown codes are server errors. */
export const statusFor = (code: string): number =>
  isBusinessCode(code) ? BUSINESS_CODES[code].status : 500;

/** Models the 1312 message can suggest, in order of preference. */
const FALLBACK_SUGGESTIONS = ['glm-4.5-air', 'glm-4.5', 'glm-4.6', 'glm-4.5-flash'];

export interface BusinessErrorContext {
  /** The model asked for (1311, 1312). */
  model?: string;
  /** Models that must not be suggested by 1312 (the overloaded ones). */
  avoidModels?: readonly string[];
  /** The offending field (1213, 1214). */
  field?: string;
  requestId?: string;
  /** Seconds from `now` to the quota reset of 1308/1310; 3600 unless given. */
  resetInSeconds?: number;
  now?: number;
}

export interface UpstreamError {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

/**
 * The error Z.AI answers for `code`, with the placeholders of its message filled from
 * `context`. Reset times are Beijing wall-clock time without a zone, as the service writes them.
 */
export function businessError(code: string, context: BusinessErrorContext = {}): UpstreamError {
  const now = context.now ?? Date.now();
  const template = isBusinessCode(code) ? BUSINESS_CODES[code].message : 'Unknown error';
  const model = context.model ?? 'glm-4.6';
  const values: Record<string, string> = {
    method: 'sync',
    field: context.field ?? 'messages',
    field1: 'do_sample',
    field2: 'temperature',
    API_name: 'chat/completions',
    request_id: context.requestId ?? 'sim-request',
    error_id: randomBytes(8).toString('hex'),
    next_flush_time: beijingTime(now + (context.resetInSeconds ?? 3600) * 1000),
    model,
    model_name: code === '1312' ? suggestModel(model, context.avoidModels ?? []) : model,
  };
  const message = template.replace(/\$\{(\w+)\}/g, (_, key: string) => values[key] ?? key);
  return { status: statusFor(code), code, message };
}

function suggestModel(model: string, avoid: readonly string[]): string {
  return (
    FALLBACK_SUGGESTIONS.find((m) => m !== model && !avoid.includes(m)) ??
    FALLBACK_SUGGESTIONS.find((m) => m !== model) ??
    'glm-4.5-air'
  );
}

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** `YYYY-MM-DD HH:mm:ss` in Beijing time (UTC+8, no DST), no zone: Z.AI's reset-time format. */
export function beijingTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Z.AI-style request id: Beijing `YYYYMMDDHHmmss` then 16 hex digits. */
export function zaiRequestId(now = Date.now()): string {
  return beijingTime(now).replace(/\D/g, '') + randomBytes(8).toString('hex');
}
