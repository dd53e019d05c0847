// The ceiling of this machine: bare Fastify routes over the same database facade and driver as
// the app, started as their own process by bench/app-bench.ts.
// - GET /ceiling: one `SELECT 1`. Every endpoint is compared with it.
// - GET /ceiling/detail/:id: the polls detail page's query (the same prepared statement), sent
//   back as JSON: what the query costs, with no framework around it.
import Fastify from 'fastify';
import { questionDetail } from '../src/apps/polls/service.js';
import { loadConfig } from '../src/core/config/index.js';
import { openDatabase } from '../src/core/db/open-database.js';
import { createLogger } from '../src/core/log.js';

const config = loadConfig({ requireSecretKey: false });
const log = createLogger({ logLevel: 'warn' }, 2);
const database = await openDatabase(config.database, { log, role: 'server', command: 'bench-ceiling' });
const app = Fastify({ keepAliveTimeout: 95_000 });
app.get('/ceiling', async () => (await database.query<{ n: number }>('SELECT 1 AS n'))[0]);
app.get<{ Params: { id: string } }>('/ceiling/detail/:id', async (request) =>
  questionDetail(database.db, Number(request.params.id), new Date()),
);
await app.listen({ host: '127.0.0.1', port: config.port });
process.stdout.write('listening\n');
const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
