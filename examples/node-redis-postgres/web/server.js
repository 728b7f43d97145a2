// A page counter: PostgreSQL holds the count (it survives `down`/`up`), Redis caches the latest
// value for cheap reads (GET /count).
const express = require('express');
const { Pool } = require('pg');
const { createClient } = require('redis');

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const cache = createClient({ url: process.env.REDIS_URL });
cache.on('error', (err) => console.error('redis:', err.message));

const app = express();

app.get('/healthz', (_req, res) => res.send('ok\n'));

app.get('/', async (_req, res, next) => {
  try {
    const { rows } = await pool.query('UPDATE counter SET hits = hits + 1 WHERE id = 1 RETURNING hits');
    const hits = rows[0].hits;
    await cache.set('hits', String(hits));
    res.send(`Hello from Express! This page has been viewed ${hits} times.\n`);
  } catch (err) {
    next(err);
  }
});

app.get('/count', async (_req, res, next) => {
  try {
    let hits = await cache.get('hits');
    let source = 'redis';
    if (hits === null) {
      const { rows } = await pool.query('SELECT hits FROM counter WHERE id = 1');
      hits = String(rows[0].hits);
      source = 'postgres';
      await cache.set('hits', hits);
    }
    res.json({ hits: Number(hits), source });
  } catch (err) {
    next(err);
  }
});

async function main() {
  await pool.query('CREATE TABLE IF NOT EXISTS counter (id integer PRIMARY KEY, hits integer NOT NULL)');
  await pool.query('INSERT INTO counter (id, hits) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
  await cache.connect();
  const server = app.listen(3000, '0.0.0.0', () => console.log('web listening on :3000'));
  // node as PID 1 has no default SIGTERM handler: close everything so `down` is immediate.
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      server.close();
      Promise.allSettled([pool.end(), cache.quit()]).then(() => process.exit(0));
    });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
