import { describe, expect, it } from 'vitest';
import { buildCurl, exampleCurl, printfFormatArg, shellQuote } from './curl';

const enc = (s: string) => new TextEncoder().encode(s);

describe('shellQuote', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    expect(shellQuote('POST')).toBe('POST');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$HOME `x`')).toBe("'$HOME `x`'");
  });
  it("escapes single quotes as '\\''", () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("''")).toBe("''\\'''\\'''");
  });
});

describe('buildCurl', () => {
  it('reproduces method, url, headers (minus host/content-length) and a text body', () => {
    const cmd = buildCurl({
      method: 'POST',
      url: 'http://127.0.0.1:4665/stripe?x=1&y=2',
      headers: [
        ['host', '127.0.0.1:4665'],
        ['content-type', 'application/json'],
        ['content-length', '20'],
        ['x-note', "Bob's hook"],
        ['x-dup', '1'],
        ['x-dup', '2'],
        ['x-empty', ''],
      ],
      body: enc(`{"msg":"it's ok"}`),
    });
    expect(cmd).toBe(
      [
        "curl -X POST 'http://127.0.0.1:4665/stripe?x=1&y=2'",
        "-H 'content-type: application/json'",
        "-H 'x-note: Bob'\\''s hook'",
        "-H 'x-dup: 1'",
        "-H 'x-dup: 2'",
        "-H 'x-empty;'",
        `--data-binary '{"msg":"it'\\''s ok"}'`,
      ].join(' \\\n  '),
    );
    expect(cmd).not.toMatch(/host:/i);
  });
  it('pipes non-UTF-8 bodies through printf with POSIX octal escapes', () => {
    const cmd = buildCurl({
      method: 'PUT',
      url: 'http://127.0.0.1:4665/up',
      headers: [],
      body: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x00, 0x27, 0x25, 0x5c, 0x0a]),
    });
    expect(cmd).toBe("printf 'caf\\351\\000\\047%%\\\\\\012' | curl -X PUT http://127.0.0.1:4665/up \\\n  --data-binary @-");
  });
  it('does not let a body starting with @ be read as a file', () => {
    const cmd = buildCurl({ method: 'POST', url: 'http://h/x', headers: [], body: enc('@/etc/passwd') });
    expect(cmd.startsWith("printf '@/etc/passwd' | curl")).toBe(true);
    expect(cmd.endsWith('--data-binary @-')).toBe(true);
  });
  it('escapes a leading dash for printf and omits the body when empty', () => {
    expect(printfFormatArg(enc('-n'))).toBe("'\\055n'");
    expect(buildCurl({ method: 'GET', url: 'http://h/', headers: [], body: new Uint8Array() })).toBe('curl -X GET http://h/');
  });
  it('turns off globbing for brackets in the URL', () => {
    expect(buildCurl({ method: 'GET', url: 'http://h/?a[0]=1', headers: [], body: new Uint8Array() })).toBe(
      "curl --globoff -X GET 'http://h/?a[0]=1'",
    );
  });
  it('builds the empty-state example from the live URL', () => {
    expect(exampleCurl('http://127.0.0.1:4665/stripe')).toBe(
      `curl -X POST http://127.0.0.1:4665/stripe -H 'Content-Type: application/json' -d '{"hello":"world"}'`,
    );
  });
});
