import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

/**
 * Before the listener closes, takes the connections waiting in the kernel's accept queue and
 * reads their requests. Closing the listener resets them, yet they arrived before the shutdown
 * began; with the event loop busy (as PGlite keeps it under load) there can be dozens. Each turn
 * of the event loop accepts what is queued, and the next reads it; once a turn brings no new
 * connection, those requests are in and get an answer (the closing server's 503 with
 * Connection: close) instead of a reset.
 */
export function installAcceptQueueDrain(app: FastifyInstance, maxTurns = 100): void {
  app.addHook('preClose', async () => {
    if (!app.server.listening) return;
    let accepted = 0;
    const count = () => {
      accepted++;
    };
    app.server.on('connection', count);
    try {
      for (let turn = 0; turn < maxTurns; turn++) {
        const before = accepted;
        await nextTurn();
        await nextTurn();
        if (accepted === before) break;
      }
    } finally {
      app.server.off('connection', count);
    }
  });
}
