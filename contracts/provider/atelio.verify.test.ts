import { describe } from 'vitest';
import { verifyCommittedPact } from './verification-suite';

describe('the Atelio mock honours contracts/pacts/stitcher-atelio.json (HTTP and webhooks)', () => {
  verifyCommittedPact('atelio');
});
