import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/errors';
import type { TemplateCatalog } from '@/api/types';
import { previewProblems, templateRows } from './templates';

describe('templateRows', () => {
  it('lists every key in its default locales plus the locales you customized', () => {
    const catalog = {
      keys: [
        { key: 'friendly', description: 'Before due', default_locales: ['en', 'de'], custom_locales: [{ locale: 'fr', updated_at: '' }, { locale: 'en', updated_at: '' }], variables: [] },
        { key: 'final', description: 'Last one', default_locales: ['en'], custom_locales: [], variables: [] },
      ],
      default_locales: ['en', 'de'],
      variables: [],
      max_template_bytes: 1000,
    } as TemplateCatalog;
    expect(templateRows(catalog).map((r) => `${r.key}:${r.locale}:${r.custom}`)).toEqual([
      'friendly:de:false',
      'friendly:en:true',
      'friendly:fr:true',
      'final:en:false',
    ]);
  });
});

describe('previewProblems', () => {
  it('names the field and keeps the line of each template error', () => {
    const error = new ApiError(422, { error: 'ValidationError', detail: [{ field: 'body', message: 'line 3: unexpected end of template' }] });
    expect(previewProblems(error)).toEqual(['body: line 3: unexpected end of template']);
    expect(previewProblems(null)).toEqual([]);
  });
});
