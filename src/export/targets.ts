// src/export/targets.ts
// The servers --export writes for; its own module so that reading the command line loads no
// renderer.
export type ExportTarget = 'nginx' | 'caddy' | 'netlify';

export const EXPORT_TARGETS: readonly ExportTarget[] = ['nginx', 'caddy', 'netlify'];
