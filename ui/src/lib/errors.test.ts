import { describe, expect, it } from 'vitest';
import { describeError, errorTitle } from './errors';
import type { ErrorView } from '../bindings/ErrorView';

describe('errors', () => {
  it('titles known codes and tolerates unknown ones', () => {
    expect(errorTitle('database_locked')).toBe('Database busy');
    expect(errorTitle('brand_new_code')).toBe('Error');
    expect(errorTitle('toString')).toBe('Error');
    expect(describeError({ code: 'conflict', message: 'prefix taken' })).toBe('Conflict: prefix taken');
    expect(describeError({ code: 'weird' as ErrorView['code'], message: '' })).toBe('Error');
  });
});
