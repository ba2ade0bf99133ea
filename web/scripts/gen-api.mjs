#!/usr/bin/env node
// Generates src/api/schema.d.ts from the backend's OpenAPI document.
// Usage: npm run gen-api                       (../backend/openapi.json, written by `make openapi`)
//        npm run gen-api -- path/to/openapi.json, or OPENAPI_FILE=path/to/openapi.json npm run gen-api
import { existsSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { defaultOpenApiFile, repoRoot, schemaFile, schemaSource, webRoot } from './api-schema.mjs';

const input = process.argv[2] ?? process.env.OPENAPI_FILE;
const source = input ? resolve(process.cwd(), input) : defaultOpenApiFile;

if (!existsSync(source)) {
  console.error(`gen-api: OpenAPI document not found: ${source}`);
  console.error('Run `make openapi` at the repository root, or pass a path: npm run gen-api -- path/to/openapi.json');
  process.exit(1);
}

const label = relative(repoRoot, source).replace(/\\/g, '/');
writeFileSync(schemaFile, await schemaSource(source, label));
console.log(`gen-api: wrote ${relative(webRoot, schemaFile)} from ${label}`);
