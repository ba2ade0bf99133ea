/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the DueSpark API; empty (default) means same origin. */
  readonly VITE_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
