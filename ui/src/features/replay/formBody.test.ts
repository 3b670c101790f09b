import { describe, expect, it } from 'vitest';
import {
  addFormField,
  formEncode,
  moveFormField,
  parseFormFields,
  removeFormField,
  serializeFormFields,
  setFormField,
} from './formBody';

describe('form body fields', () => {
  it('encodes components exactly like URLSearchParams', () => {
    for (const s of ['a b', 'x+y', 'é', 'a&b=c', "~!'()*-._", '100%', '日本', '\n\t', '😀']) {
      const viaApi = new URLSearchParams([[s, '']]).toString().replace(/=$/, '');
      expect(formEncode(s)).toBe(viaApi);
    }
  });

  it('parses fields in order with repeated names, decoding + and escapes', () => {
    const { fields, trailer } = parseFormFields('tag=a&name=J+Doe&tag=b%26c&city=S%C3%A3o+Paulo&flag\n');
    expect(fields.map((f) => [f.name, f.value])).toEqual([
      ['tag', 'a'],
      ['name', 'J Doe'],
      ['tag', 'b&c'],
      ['city', 'São Paulo'],
      ['flag', ''],
    ]);
    expect(trailer).toBe('\n');
  });

  it('writes back untouched fields byte for byte and re-encodes only the edited one', () => {
    const text = 'a=x%20y&b=%7e1&c=caf%c3%a9&flag\r\n';
    expect(serializeFormFields(parseFormFields(text))).toBe(text);
    const edited = setFormField(text, 1, 'b', 'two words & more');
    expect(edited).toBe('a=x%20y&b=two+words+%26+more&c=caf%c3%a9&flag\r\n');
    // The table read from the new text shows the edit, decoded.
    expect(parseFormFields(edited).fields[1]).toMatchObject({ name: 'b', value: 'two words & more' });
    // Setting a field to its current value changes nothing.
    expect(setFormField(text, 2, 'c', 'café')).toBe(text);
  });

  it('adds, removes and reorders fields, keeping the others as written', () => {
    const text = 'a=1&b=%7E&c=3';
    expect(addFormField(text)).toBe('a=1&b=%7E&c=3&=');
    expect(addFormField(text, 0)).toBe('a=1&=&b=%7E&c=3');
    expect(setFormField(addFormField(text), 3, 'new key', 'é')).toBe('a=1&b=%7E&c=3&new+key=%C3%A9');
    expect(removeFormField(text, 1)).toBe('a=1&c=3');
    expect(moveFormField(text, 2, -1)).toBe('a=1&c=3&b=%7E');
    expect(moveFormField(text, 0, 1)).toBe('b=%7E&a=1&c=3');
    expect(moveFormField(text, 0, -1)).toBe(text);
    expect(moveFormField(text, 2, 1)).toBe(text);
    expect(removeFormField('', 0)).toBe('');
    expect(addFormField('')).toBe('=');
  });

  it('round-trips what it writes (edit → parse → same fields)', () => {
    let text = '';
    text = addFormField(text);
    text = setFormField(text, 0, 'q', 'a+b c&d=e%');
    const f = parseFormFields(text).fields;
    expect(f).toHaveLength(1);
    expect([f[0].name, f[0].value]).toEqual(['q', 'a+b c&d=e%']);
  });
});
