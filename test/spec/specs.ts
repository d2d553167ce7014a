import { PublishedSpec } from '../support/published-spec';

/** Each mock's published document as an oracle, with what it says about paths it does not list. */

const SERVICE_PATHS = ['/openapi.json', '/docs'];

export function publishedSpecOf(vendor: 'atomic' | 'atelio', document: unknown): PublishedSpec {
  return vendor === 'atomic'
    ? new PublishedSpec('atomic', document, { envelope: 'Error', servicePaths: SERVICE_PATHS })
    : // Atelio checks credentials on every /api/* path before routing: an unknown one may answer 403.
      new PublishedSpec('atelio', document, {
        envelope: 'AtelioError',
        servicePaths: SERVICE_PATHS,
        beforeRouting: [403],
      });
}
