export * from './errors';
export * from './schemas';
export * from './contract';
export * from './sse';
export * from './client';
export * from './openai';
