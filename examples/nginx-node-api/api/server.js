// The API behind nginx: nginx forwards /api/* here unchanged (http://api:3000/api/...).
const os = require('os');
const express = require('express');

const app = express();
const message = process.env.API_MESSAGE || 'Hello from the Express backend';

app.get('/healthz', (_req, res) => res.send('ok\n'));

app.get('/api/data', (_req, res) => {
  res.json({ message, host: os.hostname(), time: new Date().toISOString() });
});

const server = app.listen(3000, '0.0.0.0', () => console.log('api listening on :3000'));

// node as PID 1 has no default SIGTERM handler: close the server so `down` is immediate.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
