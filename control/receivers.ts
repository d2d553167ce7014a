import type { PlatformConfig } from '../core/config';
import type { AtelioStore } from '../mock-atelio';
import type { AtomicStore } from '../mock-atomic';
import type { StitcherHandle } from '../stitcher';

export const ATOMIC_STITCHER_PATH = '/webhooks/atomic';
const ATELIO_STITCHER_PATH = '/webhooks/atelio';

/** Secrets to verify webhooks sent to `--webhook-url` with: Atomic's HMAC key and Atelio's whsec_. */
export interface WebhookSecrets {
  atomic: string;
  atelio: string;
}

/**
 * The webhook receivers the sandbox registers with both mocks itself: the reference stitcher (once
 * it listens) and `--webhook-url`. Registered at start and again after every reset or import.
 */
export class SandboxReceivers {
  private stitcher: { service: StitcherHandle; url: string } | undefined;
  private secrets: WebhookSecrets | undefined;

  constructor(private readonly config: Pick<PlatformConfig, 'webhookUrl' | 'atomic'>) {}

  /** The stitcher, listening at `url`, becomes one of the receivers. */
  addStitcher(service: StitcherHandle, url: string): void {
    this.stitcher = { service, url };
  }

  get webhookSecrets(): WebhookSecrets | undefined {
    return this.secrets;
  }

  /** The webhook URLs this sandbox registers itself. */
  urls(): string[] {
    const { stitcher, config } = this;
    return [
      ...(stitcher
        ? [`${stitcher.url}${ATOMIC_STITCHER_PATH}`, `${stitcher.url}${ATELIO_STITCHER_PATH}`]
        : []),
      ...(config.webhookUrl ? [config.webhookUrl] : []),
    ];
  }

  /** Registers the stitcher and `--webhook-url` with both mocks (existing registrations are reused). */
  register(atomic: AtomicStore, atelio: AtelioStore): void {
    const { stitcher, config } = this;
    /** An Atelio subscription for this URL: the existing one (e.g. from an imported state) or a new one. */
    const atelioSubscription = (url: string, description: string, events?: string[]) =>
      atelio.listWebhookSubscriptions().find((s) => s.url === url) ??
      atelio.registerWebhookUrl(url, { description, ...(events ? { events } : {}) });
    if (stitcher) {
      atomic.registerWebhookUrl(`${stitcher.url}${ATOMIC_STITCHER_PATH}`);
      const subscription = atelioSubscription(
        `${stitcher.url}${ATELIO_STITCHER_PATH}`,
        'Reference stitcher',
        ['transactions'],
      );
      stitcher.service.setAtomicWebhookSecret(config.atomic.apiSecret);
      stitcher.service.setAtelioWebhookSecrets([subscription.secret]);
    }
    if (config.webhookUrl) {
      atomic.registerWebhookUrl(config.webhookUrl);
      const subscription = atelioSubscription(config.webhookUrl, 'Registered by --webhook-url');
      this.secrets = { atomic: config.atomic.apiSecret, atelio: subscription.secret };
    }
  }
}
