#!/usr/bin/env node
// Fails when the committed OpenAPI document (backend/openapi.json) or the typed client generated
// from it (web/src/api/schema.d.ts) is not what the current backend code produces.
// Python: $VENV/bin/python (default: <repo>/.venv), importing the backend of this checkout.
// Usage: node scripts/check-api.mjs   (or `make check-openapi` at the repository root)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { defaultOpenApiFile, repoRoot, schemaFile, schemaSource } from './api-schema.mjs';

const venv = resolve(process.env.VENV ?? join(repoRoot, '.venv'));
const python = join(venv, 'bin', 'python');
if (!existsSync(python)) {
  console.error(`check-api: no Python at ${python}. Run \`make install\`, or set VENV to a virtualenv with DueSpark's dependencies.`);
  process.exit(2);
}

const backendSrc = join(repoRoot, 'backend', 'src');
const pythonPath = [backendSrc, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
const freshDocument = execFileSync(python, ['-m', 'duespark.openapi'], {
  env: { ...process.env, PYTHONPATH: pythonPath },
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});

const workDir = mkdtempSync(join(tmpdir(), 'duespark-check-api-'));
try {
  const freshDocumentFile = join(workDir, 'openapi.json');
  writeFileSync(freshDocumentFile, freshDocument);
  const freshSchema = await schemaSource(freshDocumentFile);

  const stale = [
    [defaultOpenApiFile, freshDocument],
    [schemaFile, freshSchema],
  ].filter(([file, fresh]) => !existsSync(file) || readFileSync(file, 'utf8') !== fresh);

  if (stale.length > 0) {
    console.error('check-api: the committed API files are out of date with the backend code:');
    for (const [file, fresh] of stale) {
      console.error(`  ${relative(repoRoot, file)}${describeDifference(file, fresh)}`);
    }
    console.error('Regenerate them with `make openapi` (writes backend/openapi.json, then runs `npm run gen-api`),');
    console.error('fix any TypeScript errors that follow (`npm run typecheck` in web/), and commit both files.');
    process.exit(1);
  }
  console.log('check-api: backend/openapi.json and web/src/api/schema.d.ts match the backend code.');
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

function describeDifference(file, fresh) {
  if (!existsSync(file)) return ' is missing';
  const committed = readFileSync(file, 'utf8').split('\n');
  const expected = fresh.split('\n');
  const line = expected.findIndex((text, index) => committed[index] !== text);
  const at = line === -1 ? committed.length : line;
  return ` differs from line ${at + 1}: committed ${JSON.stringify(committed[at] ?? '<end of file>')}, expected ${JSON.stringify(expected[at] ?? '<end of file>')}`;
}
