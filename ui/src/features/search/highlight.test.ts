import { describe, expect, it } from 'vitest';
import { hasMatch, highlight, searchTerms } from './highlight';

const marked = (text: string, search: string) =>
  highlight(text, searchTerms(search))
    .filter((s) => s.m)
    .map((s) => s.t);

describe('searchTerms', () => {
  it('splits words, phrases and punctuated words; only an unquoted last word is a prefix', () => {
    expect(searchTerms('Invoice "order paid" ORD-2024-003')).toEqual([
      { words: ['invoice'], prefix: false },
      { words: ['order', 'paid'], prefix: false },
      { words: ['ord', '2024', '003'], prefix: true },
    ]);
    expect(searchTerms('"exact phrase"')).toEqual([{ words: ['exact', 'phrase'], prefix: false }]);
    expect(searchTerms('  ')).toEqual([]);
    expect(searchTerms(null)).toEqual([]);
  });
});

describe('highlight', () => {
  it('keeps the text whole: segments join back to the input', () => {
    const text = 'The order ORD-2024-003 for Café Müller, ORD-2024-003 again';
    const segs = highlight(text, searchTerms('ord-2024-003 cafe'));
    expect(segs.map((s) => s.t).join('')).toBe(text);
    expect(segs.filter((s) => s.m).map((s) => s.t)).toEqual(['ORD-2024-003', 'Café', 'ORD-2024-003']);
  });

  it('matches whole words, the last word as a prefix, case and accents folded', () => {
    expect(marked('invoices and invoice', 'invoice paid')).toEqual(['invoice']);
    expect(marked('invoices and invoice', 'invoice')).toEqual(['invoices', 'invoice']);
    expect(marked('reinvoice', 'invoice')).toEqual([]);
    expect(marked('São Paulo', 'sao')).toEqual(['São']);
    expect(marked('ÉCOLE', 'ecole')).toEqual(['ÉCOLE']);
  });

  it('a phrase needs its words in order', () => {
    expect(marked('order was paid; paid order', '"paid order"')).toEqual(['paid order']);
  });

  it('keeps offsets right across characters that fold to several units and astral ones', () => {
    const text = 'İstanbul 😀 kpi.threshold_reached';
    expect(marked(text, 'threshold_reached')).toEqual(['threshold_reached']);
    expect(marked(text, 'istanbul')).toEqual(['İstanbul']);
  });

  it('without terms the text is one plain segment', () => {
    expect(highlight('abc', [])).toEqual([{ t: 'abc', m: false }]);
    expect(hasMatch('abc', searchTerms('zzz'))).toBe(false);
  });

  it('treats regex characters in the search as text', () => {
    expect(marked('a (b) c', '(b)')).toEqual(['b']);
  });
});
