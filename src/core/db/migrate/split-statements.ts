import { hasStatements } from './migration-text.js';

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_CHAR = /[\w$\u0080-\uffff]/;
/** `$$` or `$tag$` where the tag is an identifier without `$` (PostgreSQL's dollar quote). */
const DOLLAR_QUOTE = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;
const BREAKPOINT = /^-->\s*statement-breakpoint\s*$/;
/** Statements whose body may be `BEGIN ATOMIC … ; … END` (SQL-standard function bodies). */
const ROUTINE = /^CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE)$/;

/**
 * The statements of a migration, for running one at a time (a migration marked
 * `-- slipway:no-transaction`, whose statements PostgreSQL must receive one per query). Splits at
 * each `;` that ends a statement, as psql does, so a `;` inside any of these stays where it is:
 *
 * - string literals `'…;…'` (with `''` inside, and backslash escapes in `E'…'`), quoted names `"a;b"`;
 * - dollar-quoted bodies `$$ … ; … $$` and `$tag$ … $tag$` (a `$1` parameter is not a quote);
 * - comments, `-- …;` to the end of the line and `/* … ; … *\/` (nested, as PostgreSQL allows);
 * - the `BEGIN ATOMIC … END` body of `CREATE FUNCTION`/`PROCEDURE` (CASE … END counted too).
 *
 * drizzle's `--> statement-breakpoint` lines also end a statement. Each statement keeps its
 * comments and its `;`; pieces with nothing but comments and blanks are dropped. An unterminated
 * quote or comment runs to the end, so PostgreSQL reports the error, not the splitter.
 *
 * @example
 *   splitStatements("CREATE FUNCTION f() RETURNS text AS $$ SELECT 'a;b'; $$ LANGUAGE sql;\nSELECT 1;")
 *   // ["CREATE FUNCTION f() RETURNS text AS $$ SELECT 'a;b'; $$ LANGUAGE sql;", 'SELECT 1;']
 */
export function splitStatements(sql: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let words: string[] = [];
  let depth = 0;
  const cut = (at: number) => {
    pieces.push(sql.slice(start, at));
    start = at;
    words = [];
    depth = 0;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      const stop = eol === -1 ? sql.length : eol;
      if (BREAKPOINT.test(sql.slice(i, stop))) {
        cut(i);
        start = stop;
      }
      i = stop;
    } else if (c === '/' && next === '*') {
      i = blockCommentEnd(sql, i);
    } else if (c === "'") {
      i = quotedEnd(sql, i, "'", false);
    } else if (c === '"') {
      i = quotedEnd(sql, i, '"', false);
    } else if (c === '$' && !WORD_CHAR.test(sql[i - 1] ?? ' ')) {
      DOLLAR_QUOTE.lastIndex = i;
      const open = DOLLAR_QUOTE.exec(sql);
      if (open) {
        const close = sql.indexOf(open[0], i + open[0].length);
        i = close === -1 ? sql.length : close + open[0].length;
      } else i++;
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < sql.length && WORD_CHAR.test(sql[end]!)) end++;
      const word = sql.slice(i, end).toUpperCase();
      i = end;
      if (word === 'E' && sql[i] === "'") i = quotedEnd(sql, i, "'", true);
      else {
        if (words.length < 4) words.push(word);
        if (inRoutine(words)) {
          if (word === 'BEGIN' || word === 'CASE') depth++;
          else if (word === 'END' && depth > 0) depth--;
        }
      }
    } else if (c === ';' && depth === 0) {
      i++;
      cut(i);
    } else i++;
  }
  cut(sql.length);
  return pieces.map((s) => s.trim()).filter((s) => hasStatements(s));
}

/** Whether the statement's first words are `CREATE [OR REPLACE] FUNCTION|PROCEDURE`. */
function inRoutine(words: readonly string[]): boolean {
  return ROUTINE.test(words.slice(0, 2).join(' ')) || ROUTINE.test(words.slice(0, 4).join(' '));
}

/** The index after the quote opened at `at` (`''`/`""` doubled inside; `\\` escapes when `backslash`). */
function quotedEnd(sql: string, at: number, quote: string, backslash: boolean): number {
  let i = at + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') i += 2;
    else if (c === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else i++;
  }
  return sql.length;
}

/** The index after the block comment opened at `at`, nested comments included. */
function blockCommentEnd(sql: string, at: number): number {
  let nesting = 0;
  let i = at;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      nesting++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      nesting--;
      i += 2;
      if (nesting === 0) return i;
    } else i++;
  }
  return sql.length;
}
