import { raw } from 'hono/html';
import { createContext } from 'hono/jsx';
import { describe, expect, it } from 'vitest';
import { renderPage, renderToString } from './render.js';

const XSS = `<script>alert("x")</script>'"&`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;';

describe('rendering JSX pages', () => {
  it('escapes text', () => {
    expect(renderToString(<p>{XSS}</p>)).toBe(`<p>${ESCAPED}</p>`);
  });

  it('escapes attribute values, so a value cannot close its quote or the tag', () => {
    expect(
      renderToString(
        <a href={XSS} title={XSS}>
          x
        </a>,
      ),
    ).toBe(`<a href="${ESCAPED}" title="${ESCAPED}">x</a>`);
  });

  it('escapes what a component returns and what it is given as children', () => {
    const Greeting = ({ name }: { name: string }) => <b>{name}</b>;
    expect(renderToString(<Greeting name={XSS} />)).toBe(`<b>${ESCAPED}</b>`);
    expect(renderToString(<i>{[XSS, <Greeting name="x" />]}</i>)).toBe(`<i>${ESCAPED}<b>x</b></i>`);
  });

  it('leaves out null, undefined and false, and writes 0', () => {
    expect(renderToString(<p>{[null, undefined, false, 0]}</p>)).toBe('<p>0</p>');
  });

  it('inserts markup unescaped only when told to, with raw()', () => {
    expect(renderToString(<p>{raw('<i>ours</i>')}</p>)).toBe('<p><i>ours</i></p>');
    expect(renderToString(<p>{'<i>ours</i>'}</p>)).toBe('<p>&lt;i&gt;ours&lt;/i&gt;</p>');
  });

  it('writes void elements and boolean attributes as a browser serializes them', () => {
    const markup = renderToString(
      <form>
        <input type="radio" name="a" value="1" required checked={false} disabled />
        <br />
        <meter value={1} />
      </form>,
    );
    expect(markup).toBe(
      '<form><input type="radio" name="a" value="1" required disabled><br><meter value="1"></meter></form>',
    );
  });

  it('keeps an escaped value that looks like a boolean attribute or a void tag as it is', () => {
    const text = ' required="" <input/>';
    expect(renderToString(<p title={text}>{text}</p>)).toBe(
      '<p title=" required=&quot;&quot; &lt;input/&gt;"> required=&quot;&quot; &lt;input/&gt;</p>',
    );
  });

  it('starts a page with the doctype', () => {
    expect(renderPage(<html lang="en" />)).toBe('<!doctype html>\n<html lang="en"></html>\n');
  });

  it('writes the tags hono turns into components, in and out of <head>, as plain elements', () => {
    expect(
      renderToString(
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <title>T &amp; {XSS}</title>
            <link rel="stylesheet" href="/a.css" />
            <script src="/a.js" async />
          </head>
          <body>
            <title>in body</title>
            <meta name="x" content="y" />
            <form method="post" action="/vote/">
              <input type="text" name="q" value={XSS} />
              <button type="submit">Go</button>
            </form>
            <style>{'p{}'}</style>
          </body>
        </html>,
      ),
    ).toBe(
      '<html lang="en"><head><meta charset="utf-8"><title>T &amp; ' +
        ESCAPED +
        '</title><link rel="stylesheet" href="/a.css"><script src="/a.js" async></script></head>' +
        '<body><title>in body</title><meta name="x" content="y">' +
        `<form method="post" action="/vote/"><input type="text" name="q" value="${ESCAPED}">` +
        '<button type="submit">Go</button></form><style>p{}</style></body></html>',
    );
  });

  it('writes fragments, numbers, other booleans as text, and React spellings as HTML names', () => {
    const Pair = () => (
      <>
        <dt>a</dt>
        <dd>{1.5}</dd>
      </>
    );
    expect(
      renderToString(
        <dl className="c" aria-busy={true} data-open={false}>
          <Pair />
          <label htmlFor="x">x</label>
        </dl>,
      ),
    ).toBe(
      '<dl class="c" aria-busy="true" data-open="false"><dt>a</dt><dd>1.5</dd><label for="x">x</label></dl>',
    );
  });

  it('leaves out an attribute whose name could end the tag or start another attribute', () => {
    const props = { 'onload="alert(1)"': 'x', 'a b': 'y', title: 't' } as Record<string, string>;
    expect(renderToString(<p {...props}>x</p>)).toBe('<p title="t">x</p>');
  });

  it('refuses what it cannot write safely, naming it', () => {
    expect(() => renderToString(<p>{new Date(0) as never}</p>)).toThrow(
      /cannot write an object \(Date\) as HTML/,
    );
    expect(() => renderToString(<p title={{ a: 1 } as never}>x</p>)).toThrow(/value of <p title>/);
    expect(() =>
      renderToString(
        <button type="button" onclick={(() => {}) as never}>
          x
        </button>,
      ),
    ).toThrow(/a function/);
    expect(() => renderToString(<div dangerouslySetInnerHTML={{ __html: '<i>x</i>' }} />)).toThrow(
      /raw\(markup\)/,
    );
  });

  it('refuses a context provider: values reach components as props', () => {
    const Theme = createContext('light');
    expect(() =>
      renderToString(
        <Theme.Provider value="dark">
          <p>x</p>
        </Theme.Provider>,
      ),
    ).toThrow(/contexts are not supported/);
  });

  it('refuses an async component instead of sending "[object Promise]"', () => {
    const Slow = async () => <p>late</p>;
    expect(() => renderToString(<div>{(<Slow />) as never}</div>)).toThrow(/promise/);
  });
});
