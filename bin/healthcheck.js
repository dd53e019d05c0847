#!/usr/bin/env node
// The container's HEALTHCHECK: GET /livez on this container's server, exit 0 on 200, else 1.
//
// Deliberately tiny: it imports only node:http, so a probe costs one bare Node.js start (about
// 0.1 s of CPU), where `slipway healthcheck` loads the whole CLI (every command, the app
// registry, the database layer: seconds of CPU per probe on a small machine). It reads PORT as
// the server does and nothing else; `slipway healthcheck --url ...` stays for humans.
//
//   node bin/healthcheck.js            # http://127.0.0.1:$PORT/livez, 2 s timeout
import { get } from 'node:http';

const port = Number(process.env.PORT) || 8000;
const url = `http://127.0.0.1:${port}/livez`;

const request = get(url, { timeout: 2000 }, (response) => {
  response.resume();
  if (response.statusCode === 200) process.exit(0);
  console.error(`unhealthy: ${url} answered ${response.statusCode}`);
  process.exit(1);
});
request.on('timeout', () => request.destroy(new Error('no answer within 2 s')));
request.on('error', (error) => {
  console.error(`unhealthy: ${url}: ${error.message}`);
  process.exit(1);
});
