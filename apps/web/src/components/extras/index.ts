// One lazy chunk for what only some answers have: tool-call cards and web-search sources.
export { Sources } from './Sources';
export { ToolCalls } from './ToolCalls';
