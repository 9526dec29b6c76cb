export * from './nginx';
