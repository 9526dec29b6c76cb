export { startSimulator, DEFAULT_SIM_API_KEY, SIM_BASE_PATH } from './server';
export type { Simulator, SimulatorOptions, RecordedRequest } from './server';
export { SCENARIOS, chooseScenario, parseDirective } from './scenarios';
export type { Scenario, ScenarioName, ScenarioParams } from './scenarios';
export { markdownAnswer, prng } from './answers';
export {
  BUSINESS_CODES,
  beijingTime,
  businessError,
  isBusinessCode,
  statusFor,
  zaiRequestId,
} from './business-codes';
export type { BusinessCode, BusinessCodeName, UpstreamError } from './business-codes';
export { ERROR_SCENARIOS, errorJson } from './errors';
export { checkAuth, signZaiJwt } from './auth';
export { PARAMETER_LIMITS } from './validation';
export { DEFAULT_TOOL, sampleArguments } from './tools';
export { hostileWebSearchResults, webSearchResults } from './websearch';
export type { WebSearchResult } from './websearch';
export { SPLIT_TEXT_PREFIX } from './plan';
export { splitsACharacter } from './split';
