import { describe, expect, it } from 'vitest';
import { compactText, jsonProblem, prettyText } from './jsonEdit';

describe('JSON body editing', () => {
  it('pretty-prints and compacts without touching the tokens', () => {
    const text = '{"big":12345678901234567890,"e":1.0E+2,"s":"\\u00e9\\n","dup":1,"dup":2,"a":[ ]}';
    const pretty = prettyText(text);
    expect(pretty).toContain('\n  "big": 12345678901234567890,');
    expect(pretty).toContain('"e": 1.0E+2');
    expect(pretty).toContain('"s": "\\u00e9\\n"');
    expect(compactText(pretty)).toBe('{"big":12345678901234567890,"e":1.0E+2,"s":"\\u00e9\\n","dup":1,"dup":2,"a":[]}');
  });

  it('refuses to rewrite invalid JSON', () => {
    expect(() => prettyText('{"a":')).toThrow();
    expect(() => compactText('nope')).toThrow();
  });

  it('marks where the text stops being JSON, with line and column', () => {
    expect(jsonProblem('{"a": 1}')).toBeNull();
    expect(jsonProblem('   ')).toBeNull();
    const p = jsonProblem('{\n  "a": 1,\n  "b" 2\n}')!;
    expect(p.from).toBe(18);
    expect(p.to).toBe(19);
    expect(p.message).toMatch(/expected ':' \(line 3, column 7\)/);
    const end = jsonProblem('{"a": ')!;
    expect(end.from).toBe(6);
    expect(end.to).toBe(6);
    expect(end.message).toMatch(/unexpected end of input/);
  });
});
