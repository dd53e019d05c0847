// The ceiling of this machine: a bare Fastify route that runs one SELECT through the same
// database facade and driver as the app. Started as its own process by bench/app-bench.ts.
import Fastify from 'fastify';
import { loadConfig } from '../src/core/config/index.js';
import { openDatabase } from '../src/core/db/open-database.js';
import { createLogger } from '../src/core/log.js';

const config = loadConfig({ requireSecretKey: false });
const log = createLogger({ logLevel: 'warn' }, 2);
const database = await openDatabase(config.database, { log, role: 'server', command: 'bench-ceiling' });
const app = Fastify({ keepAliveTimeout: 95_000 });
app.get('/ceiling', async () => (await database.query<{ n: number }>('SELECT 1 AS n'))[0]);
await app.listen({ host: '127.0.0.1', port: config.port });
process.stdout.write('listening\n');
const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
