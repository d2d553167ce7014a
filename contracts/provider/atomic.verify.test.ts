import { describe } from 'vitest';
import { verifyCommittedPact } from './verification-suite';

describe('the Atomic mock honours contracts/pacts/stitcher-atomic.json (HTTP and webhooks)', () => {
  verifyCommittedPact('atomic');
});
