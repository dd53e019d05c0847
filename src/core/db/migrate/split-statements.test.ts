import { describe, expect, it } from 'vitest';
import { splitStatements } from './split-statements.js';

describe('splitting a migration into statements', () => {
  it('splits at each ; that ends a statement, on one line or several', () => {
    expect(
      splitStatements('CREATE TABLE a (id int);\nCREATE TABLE b (id int); SELECT 1;\nSELECT\n  2'),
    ).toEqual(['CREATE TABLE a (id int);', 'CREATE TABLE b (id int);', 'SELECT 1;', 'SELECT\n  2']);
  });

  it('keeps a dollar-quoted body whole, $$ or $tag$, with ; at the end of its lines', () => {
    const plpgsql =
      'CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.a := 1;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;';
    const tagged =
      "CREATE FUNCTION g() RETURNS text AS $body$\n  SELECT 'x;' || $$;$$;\n$body$ LANGUAGE sql;";
    const block = "DO $do$ BEGIN PERFORM 1; RAISE NOTICE 'a;'; END $do$;";
    expect(splitStatements(`${plpgsql}\n${tagged}\n${block}\nSELECT $1::int;`)).toEqual([
      plpgsql,
      tagged,
      block,
      'SELECT $1::int;',
    ]);
  });

  it('keeps ; inside strings, escaped strings and quoted names', () => {
    const statements = [
      "INSERT INTO t VALUES ('one;\ntwo', 'it''s;');",
      "SELECT E'a\\';\n' AS \"odd;name\";",
      'SELECT "a "";" FROM t;',
    ];
    expect(splitStatements(statements.join('\n'))).toEqual(statements);
  });

  it('keeps ; inside comments, and drops pieces that are only comments', () => {
    expect(
      splitStatements(
        '-- header; with a semicolon\nCREATE TABLE a (\n  id int, -- the key;\n  b int /* not; here /* nested; */ still; */\n);\n-- trailing;\n',
      ),
    ).toEqual([
      '-- header; with a semicolon\nCREATE TABLE a (\n  id int, -- the key;\n  b int /* not; here /* nested; */ still; */\n);',
    ]);
  });

  it('keeps a BEGIN ATOMIC function body whole, CASE … END inside it too', () => {
    const atomic =
      'CREATE OR REPLACE FUNCTION h(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT x;\nEND;';
    expect(splitStatements(`${atomic}\nBEGIN;\nSELECT CASE WHEN true THEN 1 END;\nEND;`)).toEqual([
      atomic,
      'BEGIN;',
      'SELECT CASE WHEN true THEN 1 END;',
      'END;',
    ]);
  });

  it("splits at drizzle's statement breakpoints too", () => {
    expect(
      splitStatements(
        'CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE INDEX i ON a (id)\n--> statement-breakpoint\nSELECT 1;',
      ),
    ).toEqual(['CREATE TABLE a (id int);', 'CREATE INDEX i ON a (id)', 'SELECT 1;']);
  });

  it('leaves an unterminated quote to PostgreSQL: the rest is one statement', () => {
    expect(splitStatements("SELECT 1;\nSELECT 'open; \nSELECT 2;")).toEqual([
      'SELECT 1;',
      "SELECT 'open; \nSELECT 2;",
    ]);
  });
});
