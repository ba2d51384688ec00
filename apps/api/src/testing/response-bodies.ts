import type request from 'supertest';

// supertest's parser type names superagent's Response, which at run time is the node response stream.
type BodyParser = Parameters<ReturnType<ReturnType<typeof request.agent>['get']>['parse']>[0];

/** A supertest body parser that keeps the raw bytes (`.buffer(true).parse(binaryBody)`), for PDFs. */
export const binaryBody = ((res: NodeJS.ReadableStream, cb: (e: Error | null, b: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}) as unknown as BodyParser;

/** The middle value (the upper one of an even count) of a non-empty list of timings. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('median of no values');
  return middle;
}
