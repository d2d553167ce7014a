/**
 * bench/results/latest.md from latest.json: one section per suite with the figures that matter and
 * the command that reproduces them. Suites this file does not know are shown by their top-level
 * figures; the full JSON is always in latest.json.
 */

export interface SuiteRecord {
  suite: string;
  command: string;
  ranAt: string;
  durationSec: number;
  loadAverage1m: { before: number; after: number };
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface ResultsDocument {
  generatedAt: string;
  machine: { cpu: string; cores: number; memoryGB: number; os: string; node: string };
  suites: Record<string, SuiteRecord>;
}

type Json = Record<string, unknown>;

const obj = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});
const arr = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);
const num = (value: unknown, digits = 0): string =>
  typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : '—';
const text = (value: unknown): string => (value === undefined || value === null ? '—' : String(value));
const yesNo = (value: unknown): string => (value === true ? 'yes' : value === false ? '**no**' : '—');

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function http(result: Json): string {
  const rows = arr(result['results']).map((r) => {
    const ours = obj(r['stitchSandbox']);
    const peer = obj(r['wiremock']);
    return [
      `\`${text(r['path'])}\``,
      `${num(r['bodyBytes'])} B`,
      num(ours['medianRequestsPerSec']),
      num(peer['medianRequestsPerSec']),
      `**${num(r['throughputRatio'], 2)}×**`,
      `${num(ours['medianP99Ms'])} ms`,
      `${num(peer['medianP99Ms'])} ms`,
      yesNo(r['goalMet']),
    ];
  });
  const settings = obj(result['settings']);
  return [
    table(
      [
        'endpoint',
        'body',
        'stitch-sandbox req/s',
        'WireMock req/s',
        'ratio',
        'stitch-sandbox p99',
        'WireMock p99',
        '≥1.5× and lower p99',
      ],
      rows,
    ),
    '',
    `Medians of ${text(settings['rounds'])} alternating runs of ${text(settings['secondsPerRun'])} s each, autocannon with ` +
      `${text(settings['connections'])} connections, after a ${text(settings['warmupSecondsEach'])} s warm-up of each server. ` +
      `Ours: ${text(settings['ours'])}. WireMock ${text(result['wiremock'])} on Java ${text(result['java'])}: ${text(settings['peer'])}, ` +
      'one stub per endpoint matching the same URL and credential headers, answering the bytes captured from our server.',
    '',
    `Goal (${text(result['goal'])}): ${result['goalMet'] === true ? 'met' : '**not met**'}.`,
  ].join('\n');
}

function startup(result: Json): string {
  const rows = arr(result['results']).map((r) => [
    text(r['name']),
    `\`${text(r['command'])}\``,
    num(r['servers']),
    `**${num(r['medianMs'])} ms**`,
    `${num(r['minMs'])}–${num(r['maxMs'])} ms`,
  ]);
  return [
    table(['what', 'command', 'servers', 'median', 'range'], rows),
    '',
    `${text(result['measure'])}; median of ${text(result['runs'])} runs, the subjects alternating. ` +
      `Goal (${text(result['goal'])}): ${result['goalMet'] === true ? 'met' : '**not met**'}; ` +
      `compiled start-up is ${num(result['ratioToWiremock'], 2)}× WireMock's.`,
  ].join('\n');
}

function webhooks(result: Json): string {
  const rows = arr(result['throughput']).map((r) => [
    text(r['vendor']),
    num(r['deliveriesPerSec']),
    num(r['deliveries']),
    num(r['undeliveredInLog']),
  ]);
  const memory = obj(result['memory']);
  return [
    table(['vendor', 'signed deliveries/s', 'deliveries', 'undelivered'], rows),
    '',
    `Memory: ${num(memory['events'])} events (${text(memory['transport'])}), heap growth ${num(memory['heapGrowthMB'], 1)} MB, ` +
      `delivery log ${num(memory['logSize'])}/${num(memory['logCapacity'])} entries.`,
  ].join('\n');
}

function scenarios(result: Json): string {
  const rows = arr(result['results']).map((r) => [
    text(r['scenario']),
    num(r['steps']),
    num(r['webhooks']),
    num(r['virtualDays'], 2),
    `${num(r['medianWallMs'], 1)} ms`,
    num(r['eventsPerSecond']),
  ]);
  return [
    table(['scenario', 'steps', 'webhooks', 'virtual days', 'median wall time', 'webhook events/s'], rows),
    '',
    `Instant mode, ${text(result['receiver'])}.`,
  ].join('\n');
}

function stitching(result: Json): string {
  const matcher = obj(result['matcher']);
  const naive = obj(result['naiveBaseline']);
  const performance = obj(result['performance']);
  const scores = (x: Json) => `${num(x['precision'], 4)} / ${num(x['recall'], 4)}`;
  return [
    table(
      ['', 'reference matcher', 'naive baseline'],
      [
        ['precision', num(matcher['precision'], 4), num(naive['precision'], 4)],
        ['recall', num(matcher['recall'], 4), num(naive['recall'], 4)],
        ['wrong matches', num(matcher['wrong']), num(naive['wrong'])],
      ],
    ),
    '',
    table(
      ['case', 'labelled', 'reference precision / recall', 'naive precision / recall'],
      [
        ...Object.entries(obj(matcher['perCase'])).map(([name, value]) => {
          const ref = obj(value);
          return [name, num(ref['labelled']), scores(ref), scores(obj(obj(naive['perCase'])[name]))];
        }),
        ...(matcher['refunds'] === undefined
          ? []
          : [
              [
                'refunds linked',
                num(obj(matcher['refunds'])['labelled']),
                scores(obj(matcher['refunds'])),
                scores(obj(naive['refunds'])),
              ],
            ]),
      ],
    ),
    '',
    `${num(result['orders'])} orders, ${num(result['transactions'])} transactions: stitched in ` +
      `${num(performance['stitchMsFirstRun'], 1)} ms (first run), ${num(performance['stitchMsMedianOf3'], 1)} ms median; ` +
      `peak RSS ${num(performance['peakRssMb'])} MB.`,
    ...wholeProcessLine(performance['wholeProcess']),
  ].join('\n');
}

/** `stitch FILE` as a whole process beside the parse-only peer, when the suite timed it. */
function wholeProcessLine(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const w = obj(value);
  const spread = (x: unknown) => {
    const s = obj(x);
    return `${num(s['median'])} ms (${num(s['min'])}–${num(s['max'])})`;
  };
  return [
    '',
    `Whole process, median of ${num(w['runs'])} alternating rounds: \`npx stitch-sandbox stitch FILE\` ${spread(w['npxMs'])}, ` +
      `\`node bin/stitch-sandbox.mjs stitch FILE\` ${spread(w['nodeBinMs'])}; the peer that only reads and parses the file ` +
      `${spread(w['parseOnlyMs'])}: npx takes ${num(w['npxToParseOnly'], 2)}× the peer.`,
  ];
}

function load(result: Json): string {
  const rows = arr(result['perVendor']).map((v) => {
    const latency = obj(v['latencyMs']);
    const established = obj(v['establishedConnectionsMs']);
    const rampUp = obj(v['connectionRampUpMs']);
    return [
      text(v['vendor']),
      num(v['connections']),
      num(v['requests']),
      num(v['requestsPerSec']),
      `${num(latency['p50'])} ms`,
      `${num(latency['p99'])} ms`,
      `${num(established['p99'])} / ${num(established['max'])} ms`,
      `${num(rampUp['p99'])} / ${num(rampUp['max'])} ms`,
      num(v['errors']),
      num(v['server5xx']),
    ];
  });
  const webhooks = obj(result['webhooks']);
  const runs = obj(webhooks['scenarioRuns']);
  return [
    table(
      [
        'target',
        'connections',
        'requests',
        'req/s',
        'p50',
        'p99',
        'established p99 / max',
        'ramp-up p99 / max',
        'errors',
        '5xx',
      ],
      rows,
    ),
    '',
    `${num(result['connections'])} clients for ${num(result['durationSec'], 1)} s: ${num(result['requests'])} requests ` +
      `(${num(result['requestsPerSec'])}/s), **${num(result['errors'])} errors, ${num(result['server5xx'])} 5xx**. ` +
      `Meanwhile webhooks came from scenario runs (${num(runs['completed'])} completed, ${num(runs['failed'])} failed, ` +
      `${num(runs['webhooks'])} webhooks) and ${num(webhooks['authorizationsSimulated'])} card authorisations; ` +
      `${num(webhooks['failedDeliveries'])} deliveries failed; platform healthy afterwards: ${yesNo(result['platformHealthyAfter'])}.`,
    ...loadPassesNote(result),
  ].join('\n');
}

/** The paced pass's rates and flood, and the saturation pass, when the result has them. */
function loadPassesNote(result: Json): string[] {
  if (result['ratePerClient'] === undefined) return [];
  const flood = obj(result['flood']);
  const floodLatency = obj(flood['establishedConnectionsMs']);
  const lines = [
    '',
    `Paced: each client sends ${num(result['ratePerClient'])} requests/s (one short run a second, the clients' runs spread over the second); the flood posts ` +
      `${num(result['floodPerSec'])} authorisations/s on ${num(flood['connections'])} connections of its own ` +
      `(p99 ${num(floodLatency['p99'])} ms, max ${num(floodLatency['max'])} ms); the stitcher's inbox backlog ` +
      `peaked at ${num(obj(result['stitcherBacklog'])['max'])}.`,
  ];
  const saturated = result['saturated'];
  if (saturated !== undefined) {
    const pass = obj(saturated);
    const vendors = arr(pass['perVendor']).map((v) => {
      const established = obj(v['establishedConnectionsMs']);
      return `${text(v['vendor'])} p50 ${num(established['p50'])} ms, p99 ${num(established['p99'])} ms`;
    });
    lines.push(
      `Saturated (capacity; every client sends again as soon as it is answered): ${num(pass['requestsPerSec'])} ` +
        `requests/s, ${num(pass['errors'])} errors, ${num(pass['server5xx'])} 5xx; established ${vendors.join(', ')}.`,
    );
  }
  return lines;
}

function memory(result: Json): string {
  const rss = obj(result['rssMB']);
  const requests = obj(result['requests']);
  const deliveries = obj(result['webhookDeliveries']);
  const bounded = obj(result['bounded']);
  const journal = obj(bounded['journal']);
  const log = obj(bounded['deliveryLog']);
  return [
    table(
      ['RSS after the first 10,000 requests', 'RSS after all', 'growth', 'budget', 'within budget'],
      [
        [
          `${num(rss['afterFirst10kRequests'], 1)} MB`,
          `${num(rss['afterAll'], 1)} MB`,
          `**${num(rss['growth'], 1)} MB**`,
          `${num(rss['budget'])} MB`,
          yesNo(result['withinBudget']),
        ],
      ],
    ),
    '',
    `Measured phase: ${num(requests['measuredPhase'])} requests and ${num(deliveries['measuredPhase'])} webhook deliveries ` +
      `(${num(requests['errors'])} errors, ${num(requests['server5xx'])} 5xx, ${num(deliveries['failedEvents'])} failed events). ` +
      `Journal ${num(journal['recorded'])} recorded, ${num(journal['capacity'])} kept; delivery log ` +
      `${num(log['size'])}/${num(log['capacity'])}. RSS read at rest, after V8's memory reducer.`,
  ].join('\n');
}

/** For suites without a renderer: their top-level figures. */
function generic(result: Json): string {
  const lines = Object.entries(result)
    .filter(([, value]) => value === null || typeof value !== 'object')
    .map(([key, value]) => `- ${key}: ${typeof value === 'number' ? num(value, 2) : text(value)}`);
  return lines.length ? lines.join('\n') : 'See latest.json.';
}

const RENDERERS: Record<string, (result: Json) => string> = {
  http,
  startup,
  webhooks,
  scenarios,
  stitching,
  load,
  memory,
};

const TITLES: Record<string, string> = {
  http: 'HTTP throughput and latency vs WireMock',
  startup: 'Start-up vs WireMock',
  webhooks: 'Webhook delivery',
  scenarios: 'Scenarios (instant mode)',
  stitching: 'Stitching accuracy and speed',
  load: 'Mixed load',
  memory: 'Memory',
};

export function renderMarkdown(document: ResultsDocument): string {
  const { machine } = document;
  const parts = [
    '# Benchmark results',
    '',
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, ${machine.os}, Node ${machine.node}. ` +
      'Reproduce everything with `npm run bench`, or one suite with `npm run bench -- <suite>`; each suite also runs alone with the command shown.',
  ];
  for (const record of Object.values(document.suites)) {
    parts.push(
      '',
      `## ${TITLES[record.suite] ?? record.suite} (\`${record.suite}\`)`,
      '',
      `\`${record.command}\` — ran ${record.ranAt.slice(0, 16).replace('T', ' ')} UTC for ${record.durationSec} s; ` +
        `1-minute load average ${record.loadAverage1m.before} before, ${record.loadAverage1m.after} after.`,
      '',
    );
    if (!record.ok) parts.push(`**Failed:** ${text(record.error)}`);
    else parts.push((RENDERERS[record.suite] ?? generic)(obj(record.result)));
  }
  return `${parts.join('\n')}\n`;
}
