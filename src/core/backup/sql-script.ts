/**
 * One piece of a plain-format pg_dump script, in order: SQL to run (whole statements only), or
 * a COPY … FROM stdin with its data lines.
 */
export type ScriptPart =
  | { type: 'sql'; sql: string }
  | { type: 'copy-start'; sql: string }
  | { type: 'copy-data'; data: string }
  | { type: 'copy-end' };

const BATCH = 1 << 20;

/**
 * Splits a plain pg_dump script, as it streams, into batches of whole statements and COPY
 * blocks, so that it can be run by something other than psql (PGlite) or filtered on the way
 * to psql. Quotes, double-quoted names, dollar-quoted bodies and comments are followed, so a
 * `;` inside a function body or a string never ends a statement. psql meta-commands
 * (`\restrict`, `\connect`) are dropped, and so is any statement `skip` returns true for.
 * Memory: one batch (about 1 MiB) and one statement.
 *
 * @example
 *   for await (const part of splitScript(gunzipped)) if (part.type === 'sql') await pg.exec(part.sql);
 */
export async function* splitScript(
  input: AsyncIterable<Buffer | string>,
  skip: (statement: string) => boolean = () => false,
): AsyncGenerator<ScriptPart> {
  let rest = '';
  let batch = '';
  let statement = '';
  let copy = false;
  let copyData = '';
  // Lexer state carried across lines.
  let quote: "'" | '"' | undefined;
  let dollar: string | undefined;
  let block = 0;

  const lines = async function* () {
    for await (const chunk of input) {
      rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      let start = 0;
      for (let nl = rest.indexOf('\n'); nl !== -1; nl = rest.indexOf('\n', start)) {
        yield rest.slice(start, nl + 1);
        start = nl + 1;
      }
      rest = rest.slice(start);
    }
    if (rest) yield `${rest}\n`;
  };

  for await (const line of lines()) {
    if (copy) {
      if (line === '\\.\n' || line === '\\.\r\n') {
        if (copyData) yield { type: 'copy-data', data: copyData };
        copyData = '';
        copy = false;
        yield { type: 'copy-end' };
      } else {
        copyData += line;
        if (copyData.length >= BATCH) {
          yield { type: 'copy-data', data: copyData };
          copyData = '';
        }
      }
      continue;
    }
    if (line.startsWith('\\') && !quote && !dollar && block === 0 && stripComments(statement) === '')
      continue;

    let i = 0;
    let from = 0;
    while (i < line.length) {
      const c = line[i]!;
      if (dollar) {
        const end = line.indexOf(dollar, i);
        if (end === -1) {
          i = line.length;
        } else {
          i = end + dollar.length;
          dollar = undefined;
        }
        continue;
      }
      if (quote) {
        const end = line.indexOf(quote, i);
        if (end === -1) i = line.length;
        else {
          i = end + 1;
          if (line[i] === quote)
            i++; // a doubled quote stays inside
          else quote = undefined;
        }
        continue;
      }
      if (block > 0) {
        const end = line.indexOf('*/', i);
        if (end === -1) i = line.length;
        else {
          i = end + 2;
          block--;
        }
        continue;
      }
      if (c === "'" || c === '"') {
        quote = c;
        i++;
      } else if (c === '$') {
        const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(line.slice(i, i + 64));
        if (m) {
          dollar = m[0];
          i += m[0].length;
        } else i++;
      } else if (c === '-' && line[i + 1] === '-') {
        i = line.length; // a comment to the end of the line
      } else if (c === '/' && line[i + 1] === '*') {
        block++;
        i += 2;
      } else if (c === ';') {
        statement += line.slice(from, i + 1);
        from = i + 1;
        i++;
        const done = statement.trim();
        statement = '';
        const body = stripComments(done);
        if (body === ';' || skip(body)) continue;
        if (/^COPY\s[\s\S]*\sFROM\s+stdin\s*;$/i.test(body)) {
          if (batch) yield { type: 'sql', sql: batch };
          batch = '';
          yield { type: 'copy-start', sql: body };
          copy = true;
          break; // the rest of a COPY line is nothing; data starts on the next line
        }
        batch += `${done}\n`;
        if (batch.length >= BATCH) {
          yield { type: 'sql', sql: batch };
          batch = '';
        }
      } else i++;
    }
    if (!copy) statement += line.slice(from);
  }
  if (copy) throw new Error('the dump ends inside a COPY block (truncated?)');
  if (statement.trim() && stripComments(statement.trim()) !== '')
    throw new Error('the dump ends in the middle of a statement (truncated?)');
  if (batch) yield { type: 'sql', sql: batch };
}

/** A statement without the comment lines pg_dump puts before it. */
function stripComments(statement: string): string {
  return statement
    .split('\n')
    .filter((l) => !/^\s*--/.test(l))
    .join('\n')
    .trim();
}
