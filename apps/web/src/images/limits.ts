/**
 * The API's words for its image limits (apps/api's `checkLimits`), so a refusal the browser
 * makes before sending reads exactly like the one the API would have answered with. A unit
 * test holds the two together.
 */
export const formatBytes = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;

export const imageTooLargeText = (bytes: number, max: number): string =>
  `This image is ${formatBytes(bytes)}; images may be at most ${formatBytes(max)}`;

export const tooManyImagesText = (max: number, count: number): string =>
  `At most ${max} images per request (this one has ${count})`;
