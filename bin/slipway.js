#!/usr/bin/env node
// The slipway executable.
//
// In the production image src/ is absent and the tsc-compiled dist/ runs. In a checkout the
// TypeScript sources run, compiled once per version of them:
//   1. hash the content of every .ts/.tsx source under src/ (tests left out): a few milliseconds;
//   2. if .slipway/compiled/<hash>/ exists, run it: no compiler is loaded at all;
//   3. else transpile src/ file by file with esbuild into a temporary folder, link each static/
//      and migrations/ folder back to the sources (so CSS, JS and SQL edits show at once), and
//      rename the folder to its hash, which is atomic: two commands starting together never see
//      half a build.
// The hash covers every byte of every source, so an edit can never run stale code, and a
// reverted edit finds its earlier build again. Old builds are pruned, keeping the newest few.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = join(root, 'src');

if (existsSync(sources)) {
  // Stack traces name .ts lines where someone reads them: --traceback, and the servers' error
  // pages and logs. Elsewhere loading the maps would only slow the start.
  if (process.argv.includes('--traceback') || /^(runserver|serve|start)$/.test(process.argv[2] ?? ''))
    process.setSourceMapsEnabled(true);
  const compiled = await compiledSources();
  // Where the compiled code came from: an app's migrations/ folder is read and written there.
  process.env.SLIPWAY_COMPILED_SRC = compiled;
  process.env.SLIPWAY_SOURCES = sources;
  await import(pathToFileURL(join(compiled, 'core', 'cli', 'main.js')).href);
} else {
  await import(new URL('../dist/src/core/cli/main.js', import.meta.url).href);
}

/** The folder holding src/ compiled as it is now, building it first if needed. */
async function compiledSources() {
  const files = [];
  const statics = [];
  walk(sources, files, statics);
  const hash = createHash('sha256').update('slipway-compile-v2\0');
  for (const file of files) hash.update(`${relative(sources, file)}\0`).update(readFileSync(file));
  const cache = join(root, '.slipway', 'compiled');
  const target = join(cache, hash.digest('hex').slice(0, 16));
  if (existsSync(target)) {
    touch(target);
    return join(target, 'src');
  }
  mkdirSync(cache, { recursive: true });
  const building = mkdtempSync(join(cache, '.building-'));
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: files,
      outdir: join(building, 'src'),
      outbase: sources,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      // Pages are .tsx rendered by hono/jsx (as tsconfig.json says; set here too, so the build
      // never depends on which tsconfig esbuild finds).
      jsx: 'automatic',
      jsxImportSource: 'hono/jsx',
      logLevel: 'error',
    });
    for (const dir of statics) {
      const link = join(building, 'src', relative(sources, dir));
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(dir, link, 'dir');
    }
    renameSync(building, target);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    // Another command finished the same build first: use it.
    if (!existsSync(target)) throw error;
  }
  prune(cache, target);
  return join(target, 'src');
}

/** Collects the .ts and .tsx sources to compile (not tests, not test helpers) and the folders to link. */
function walk(dir, files, statics) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // static/ and migrations/ are linked, not copied: edits show at once, and need no rebuild.
      if (entry.name === 'static' || entry.name === 'migrations') statics.push(path);
      else if (path !== join(sources, 'core', 'testing')) walk(path, files, statics);
    } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      files.push(path);
    }
  }
}

function touch(path) {
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // a read-only checkout still runs; pruning just sees an older time
  }
}

/**
 * Keeps the newest builds (one per recently used version of the sources) and removes the rest,
 * with any half-build left by a killed command more than ten minutes ago.
 */
function prune(cache, keep) {
  const names = readdirSync(cache);
  for (const name of names.filter((n) => n.startsWith('.building-'))) {
    const path = join(cache, name);
    if (Date.now() - statSync(path).mtimeMs > 600_000) rmSync(path, { recursive: true, force: true });
  }
  const builds = names
    .filter((name) => !name.startsWith('.'))
    .map((name) => join(cache, name))
    .filter((path) => path !== keep)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of builds.slice(4)) rmSync(old, { recursive: true, force: true });
}
