import { expect, test } from 'vitest';
import { backendLabel, parseApiBases } from './backends';

test('VITE_API_URL: unset is the same origin; a list keeps its order; / is the same origin', () => {
  expect(parseApiBases(undefined)).toEqual(['']);
  expect(parseApiBases('')).toEqual(['']);
  expect(parseApiBases('https://api.example.com/')).toEqual(['https://api.example.com']);
  expect(parseApiBases('/, https://a.example.com , https://b.example.com/chat/')).toEqual([
    '',
    'https://a.example.com',
    'https://b.example.com/chat',
  ]);
  expect(parseApiBases('https://a.example.com,,https://a.example.com')).toEqual([
    'https://a.example.com',
  ]);
});

test('a backend is named by its host, the same origin by this page’s', () => {
  expect(backendLabel('', 'chat.example.com')).toBe('chat.example.com');
  expect(backendLabel('http://127.0.0.1:8001', 'x')).toBe('127.0.0.1:8001');
  expect(backendLabel('https://b.example.com/chat', 'x')).toBe('b.example.com/chat');
});
