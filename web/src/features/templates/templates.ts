import { isApiError } from '@/api/errors';
import type { TemplateCatalog } from '@/api/types';

export interface TemplateRow {
  key: string;
  description: string;
  locale: string;
  custom: boolean;
}

/** One row per template key and locale: the defaults shipped, plus any locale you customized. */
export function templateRows(catalog: TemplateCatalog): TemplateRow[] {
  return catalog.keys.flatMap((entry) => {
    const custom = new Set(entry.custom_locales.map((c) => c.locale));
    const locales = [...new Set([...entry.default_locales, ...custom])].sort();
    return locales.map((locale) => ({ key: entry.key, description: entry.description, locale, custom: custom.has(locale) }));
  });
}

/** Problems the preview found, one line each ("body: line 3: unknown variable"). */
export function previewProblems(error: unknown): string[] {
  if (!error) return [];
  if (isApiError(error) && error.fieldErrors.length > 0) {
    return error.fieldErrors.map(({ field, message }) => `${field.replace(/^body\./, '')}: ${message}`);
  }
  return [error instanceof Error ? error.message : 'The preview failed.'];
}
