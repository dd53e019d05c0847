/**
 * How fast the CLI answers, side by side with Django's manage.py (`npm run bench:cli`).
 *
 * Runs each command RUNS times as a user would (a new process each time) and prints the median
 * and the slowest wall time, plus the CPU time of the median run. Slipway runs on a scratch
 * PGlite folder that is migrated first; Django runs the tutorial's project (polls with Question
 * and Choice) made with Debian's python3-django on its default SQLite, migrated too. The first
 * run after an edit, when the launcher compiles src/, is measured apart on a fresh copy.
 *
 *   npm run bench:cli            # 10 runs of each
 *   RUNS=20 npm run bench:cli
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/core/paths.js';
import { copyProject } from '../src/core/testing/project-copy.js';

const RUNS = Number(process.env['RUNS'] ?? 10);
/** Debian's python3 (where python3-django is), not a python3 that a version manager put first. */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-cli-'));
const slipway = join(projectRoot, 'bin', 'slipway.js');
const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', LOG_LEVEL: 'warn' };

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** One run: wall time from spawn to exit, CPU time (user + sys) from the child's rusage. */
function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Timing {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', command, ...args], {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  const [user, sys] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallMs, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000 };
}

function measure(label: string, once: () => Timing): string {
  const timings = Array.from({ length: RUNS }, once).sort((a, b) => a.wallMs - b.wallMs);
  const median = timings[Math.floor(timings.length / 2)]!;
  const max = timings.at(-1)!;
  return `| ${label} | ${median.wallMs.toFixed(0)} | ${max.wallMs.toFixed(0)} | ${median.cpuMs.toFixed(0)} |`;
}

/** The Django tutorial's project: startproject, a polls app with its two models, migrated. */
function djangoProject(): string | undefined {
  const probe = spawnSync(python, ['-c', 'import django; print(django.get_version())'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) return undefined;
  const dir = join(scratch, 'django');
  spawnSync('mkdir', ['-p', dir]);
  const steps: string[][] = [
    ['-m', 'django', 'startproject', 'mysite', '.'],
    ['manage.py', 'startapp', 'polls'],
  ];
  for (const step of steps) spawnSync(python, step, { cwd: dir, stdio: 'ignore' });
  writeFileSync(
    join(dir, 'polls', 'models.py'),
    `from django.db import models


class Question(models.Model):
    question_text = models.CharField(max_length=200)
    pub_date = models.DateTimeField("date published")


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    choice_text = models.CharField(max_length=200)
    votes = models.IntegerField(default=0)
`,
  );
  spawnSync(
    'sed',
    [
      '-i',
      's/INSTALLED_APPS = \\[/INSTALLED_APPS = [\\n    "polls.apps.PollsConfig",/',
      'mysite/settings.py',
    ],
    {
      cwd: dir,
    },
  );
  for (const step of [
    ['manage.py', 'makemigrations', 'polls'],
    ['manage.py', 'migrate'],
  ]) {
    const r = spawnSync(python, step, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`django ${step.join(' ')}: ${r.stderr}`);
  }
  console.log(`Django ${probe.stdout.trim()} (Debian's python3-django), tutorial project with polls`);
  return dir;
}

try {
  const slipwayEnv = { DATA_DIR: join(scratch, 'data') };
  run(process.execPath, [slipway, 'migrate'], scratch, slipwayEnv);
  const rows = [
    measure('slipway help', () => run(process.execPath, [slipway, 'help'], scratch, slipwayEnv)),
    measure('slipway showmigrations (PGlite)', () =>
      run(process.execPath, [slipway, 'showmigrations'], scratch, slipwayEnv),
    ),
    measure('slipway check (PGlite)', () => run(process.execPath, [slipway, 'check'], scratch, slipwayEnv)),
  ];
  const copy = copyProject();
  rows.push(
    `| slipway help, first run after an edit (compiles src/) | ${run(process.execPath, [join(copy, 'bin', 'slipway.js'), 'help'], scratch).wallMs.toFixed(0)} | | |`,
  );
  rmSync(copy, { recursive: true, force: true });
  const django = djangoProject();
  if (django) {
    rows.push(
      measure('python3 manage.py help', () => run(python, ['manage.py', 'help'], django)),
      measure('python3 manage.py showmigrations (SQLite)', () =>
        run(python, ['manage.py', 'showmigrations'], django),
      ),
      measure('python3 manage.py check', () => run(python, ['manage.py', 'check'], django)),
    );
  } else {
    console.log('Django: skipped (python3-django is not installed: apt-get install python3-django)');
  }
  console.log(
    `\n${RUNS} runs each, wall time in ms (median, slowest) and CPU ms (user+sys) of the median run\n`,
  );
  console.log('| Command | median ms | slowest ms | CPU ms |\n|---|---|---|---|');
  for (const row of rows) console.log(row);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
