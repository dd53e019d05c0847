/**
 * Benchmark: how long rendering one page takes, without HTTP or a database in the timed part.
 *
 * Renders the polls index, detail and results pages from fixed view models, and an admin
 * changelist (polls questions, 100 rows) and change form (a question with its 4 choices inline)
 * from view models loaded once from a fresh migrated test database (PGlite, or TEST_DATABASE_URL).
 * Each page is rendered WARMUP times, then ROUNDS rounds of BATCH renders are timed; prints the
 * median, p10 and p90 of the µs per render over the rounds, in CPU time (process.cpuUsage: on a
 * shared machine, the time the process ran, not the time it waited for a core) and in wall time,
 * and the page's size.
 *
 * Run: `npm run bench:render` (options: --rounds=N (40), --batch=N (200), --polls-only,
 * --dump=DIR: also write each page's HTML there, to compare two versions' output). Where the time
 * goes: `node --cpu-prof --import tsx bench/render.ts` writes a V8 CPU profile of the run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QuestionResults, QuestionWithChoices } from '../src/apps/polls/service.js';
import { detailPage } from '../src/apps/polls/templates/detail-page.js';
import { indexPage } from '../src/apps/polls/templates/index-page.js';
import { resultsPage } from '../src/apps/polls/templates/results-page.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const ROUNDS = Number(arg('rounds') ?? 40);
const BATCH = Number(arg('batch') ?? 200);
const WARMUP = 2_000;
const DUMP = arg('dump');

const pubDate = new Date('2026-03-03T14:05:00Z');
const questions = Array.from({ length: 5 }, (_, i) => ({
  id: 1000 + i,
  questionText: `What's your favourite <b>colour</b> & why, number ${i}?`,
  pubDate,
}));
const choices = ['Red', 'Green & blue', '"Ultraviolet"', "Octarine's shade"].map((text, i) => ({
  id: 4000 + i,
  questionId: 1000,
  choiceText: text,
  votes: 17 * (i + 1),
}));
const detail: QuestionWithChoices = { question: questions[0]!, choices };
const results: QuestionResults = { ...detail, totalVotes: choices.reduce((sum, c) => sum + c.votes, 0) };

function measure(name: string, render: () => string): void {
  let size = 0;
  if (DUMP) writeFileSync(join(DUMP, `${name.replace(/\W+/g, '-')}.html`), render());
  for (let i = 0; i < WARMUP; i++) size = render().length;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const startCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) render();
    wall.push(Number(process.hrtime.bigint() - start) / 1000 / BATCH);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / BATCH);
  }
  const at = (xs: number[], p: number) =>
    xs
      .sort((a, b) => a - b)
      [Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(1)
      .padStart(7);
  console.log(
    `${name.padEnd(34)} CPU median ${at(cpu, 0.5)} µs  p10 ${at(cpu, 0.1)}  p90 ${at(cpu, 0.9)}   wall median ${at(wall, 0.5)} µs  p10 ${at(wall, 0.1)}   ${String(size).padStart(6)} chars`,
  );
}

console.log(
  `node ${process.version}; ${ROUNDS} rounds of ${BATCH} renders per page after ${WARMUP} warm-up renders`,
);
measure('polls index (5 questions)', () => indexPage(questions));
measure('polls detail (4 choices)', () => detailPage(detail, { csrfToken: 'x'.repeat(43) }));
measure('polls detail with an error', () =>
  detailPage(detail, { csrfToken: 'x'.repeat(43), error: "You didn't select a choice." }),
);
measure('polls results (4 choices)', () => resultsPage(results));

if (!process.argv.includes('--polls-only')) {
  const { measureAdmin } = await import('./render-admin.js');
  await measureAdmin(measure);
}
