export { startSimulator, DEFAULT_SIM_API_KEY, SIM_BASE_PATH } from './server';
export type { Simulator, SimulatorOptions, RecordedRequest } from './server';
export { SCENARIOS, chooseScenario, parseDirective } from './scenarios';
export type { Scenario, ScenarioName, ScenarioParams } from './scenarios';
export { markdownAnswer, prng } from './answers';
