/**
 * Why a place in the queue was not given: it was full, the wait would take longer than the
 * limit (estimated from how long the slots have been held), or it did.
 */
export class QueueRefusal extends Error {
  constructor(
    readonly reason: 'full' | 'slow' | 'timeout',
    /** The estimated wait at the time, in ms. */
    readonly expectedWaitMs = 0,
  ) {
    super(
      reason === 'full'
        ? 'the queue is full'
        : reason === 'slow'
          ? 'the wait would be too long'
          : 'waited too long in the queue',
    );
  }
}

/** A place that was given: call `release` once, when done (a second call does nothing). */
export interface Turn {
  release(): void;
}

/**
 * A first-come, first-served semaphore with a bounded waiting line and a waiting time limit: at
 * most `slots` holders at once, at most `maxWaiting` waiting, each for at most `timeoutMs`.
 *
 * 1. `acquire()` resolves at once while a slot is free, else joins the end of the line;
 * 2. a released slot goes to the first in line (arrival order, never to a newcomer);
 * 3. a full line rejects at once, and so does a line whose expected wait (those ahead × the
 *    average time a slot is held, over the slots) exceeds `timeoutMs`: better an immediate
 *    refusal than one after `timeoutMs` of waiting for nothing; a wait past `timeoutMs` rejects
 *    then (QueueRefusal), and an aborted wait (`signal`) leaves the line without taking a slot.
 *
 * @example
 *   const queue = new FairQueue({ slots: 1, maxWaiting: 256, timeoutMs: 5000 });
 *   const turn = await queue.acquire();
 *   try { await work(); } finally { turn.release(); }
 */
export class FairQueue {
  private active = 0;
  /** How long a slot is held, in ms: a moving average over the last releases (about 20). */
  private holdMs = 0;
  private readonly waiting: { grant: (turn: Turn) => void; fail: (e: Error) => void }[] = [];

  constructor(readonly options: { slots: number; maxWaiting: number; timeoutMs: number }) {}

  /** How many hold a slot and how many wait, for logs and tests. */
  get size(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /** How long a newcomer would wait for a slot, in ms, from the average time a slot is held. */
  get expectedWaitMs(): number {
    const ahead = this.waiting.length + this.active - this.options.slots + 1;
    return ahead <= 0 ? 0 : Math.round((ahead * this.holdMs) / this.options.slots);
  }

  acquire(signal?: AbortSignal): Promise<Turn> {
    if (this.active < this.options.slots && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve(this.turn());
    }
    if (this.waiting.length >= this.options.maxWaiting)
      return Promise.reject(new QueueRefusal('full', this.expectedWaitMs));
    const expected = this.expectedWaitMs;
    if (expected > this.options.timeoutMs) return Promise.reject(new QueueRefusal('slow', expected));
    return new Promise<Turn>((resolve, reject) => {
      const entry = {
        grant: (turn: Turn) => {
          cleanup();
          resolve(turn);
        },
        fail: (error: Error) => {
          cleanup();
          reject(error);
        },
      };
      const leave = (error: Error) => {
        const i = this.waiting.indexOf(entry);
        if (i !== -1) this.waiting.splice(i, 1);
        entry.fail(error);
      };
      const timer = setTimeout(
        () => leave(new QueueRefusal('timeout', this.expectedWaitMs)),
        this.options.timeoutMs,
      );
      const onAbort = () => leave(new Error('aborted while waiting'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.waiting.push(entry);
    });
  }

  private turn(): Turn {
    let released = false;
    const granted = performance.now();
    return {
      release: () => {
        if (released) return;
        released = true;
        const held = performance.now() - granted;
        // One stall (a collection, a checkpoint) moves the average by a fifth at most, so that
        // it does not turn a short line into refusals.
        const sample = this.holdMs === 0 ? held : Math.min(held, 5 * this.holdMs);
        this.holdMs = this.holdMs === 0 ? held : this.holdMs + (sample - this.holdMs) / 20;
        const next = this.waiting.shift();
        if (next) next.grant(this.turn());
        else this.active--;
      },
    };
  }
}
