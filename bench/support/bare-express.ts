/*
 * The baseline of the API benchmark: a bare Express 5 app in its own process answering one GET
 * with a JSON body of about the size of a request's status view. Prints {port} when listening.
 */
import express from 'express';

const body = {
  id: '00000000-0000-4000-8000-000000000000',
  status: 'active',
  statusReason: null,
  hostname: 'bench-0',
  steps: Array.from({ length: 11 }, (_, i) => ({
    key: `step-${i}`,
    status: 'done',
    attempt: 1,
    startedAt: null,
    finishedAt: null,
    detail: null,
  })),
};
const app = express();
app.get('/bare/:id', (_req, res) => {
  res.json(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
