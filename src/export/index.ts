// src/export/index.ts
// `--export nginx|caddy|netlify`: the site serve-here would serve for a command line, written as
// another server's configuration, with a comment line for each behaviour that target cannot
// match. Pure: the CLI builds the ExportSite, calls renderExport and prints the text.
import { renderCaddy } from './caddy.js';
import { renderNetlify } from './netlify.js';
import { renderNginx } from './nginx.js';
import type { ExportSite } from './site.js';
import type { ExportTarget } from './targets.js';

export { DIFFERENCES, type Difference, differencesFor, formatDifferencesTable } from './differences.js';
export { ExportError } from './quote.js';
export { type ExportSite, siteFrom } from './site.js';

export { EXPORT_TARGETS, type ExportTarget } from './targets.js';

/** The configuration text for `target`; throws ExportError when the site has what it cannot express. */
export function renderExport(target: ExportTarget, site: ExportSite): string {
  switch (target) {
    case 'nginx':
      return renderNginx(site);
    case 'caddy':
      return renderCaddy(site);
    case 'netlify':
      return renderNetlify(site);
  }
}
