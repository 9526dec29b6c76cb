// @vitest-environment node
import { ChatRequest } from '@zai-chat/contract';
import { expect, test } from 'vitest';
// The API's own check, read as source: the words below must be the ones it answers with.
import { checkLimits } from '@zai-chat/api/src/http/validation';
import { imageTooLargeText, tooManyImagesText } from './limits';

const limits = {
  maxMessages: 200,
  maxMessageChars: 100_000,
  maxTokensCeiling: 32_768,
  maxImageBytes: 20 * 1024,
  maxImagesPerRequest: 2,
};
const image = (bytes: number) => ({
  type: 'image_url' as const,
  image_url: { url: `data:image/png;base64,${Buffer.alloc(bytes).toString('base64')}` },
});

test('the browser’s pre-check words are the API’s', () => {
  const request = ChatRequest.parse({
    messages: [{ role: 'user', content: [image(30_000), image(100), image(100)] }],
  });
  const refusal = checkLimits(request, limits as never);
  expect(refusal?.code).toBe('image_too_large');
  expect(refusal?.issues).toEqual([
    { path: 'messages.0.content.0', message: imageTooLargeText(30_000, limits.maxImageBytes) },
    { path: 'messages', message: tooManyImagesText(2, 3) },
  ]);
  expect(imageTooLargeText(6 * 1024 * 1024 + 1, 5 * 1024 * 1024)).toBe(
    'This image is 6.0 MB; images may be at most 5.0 MB',
  );
});
