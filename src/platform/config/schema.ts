import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const url = z.url({ protocol: /^https?$/ });
const optionalSecret = z.string().min(1).optional();
/** `true` or `false` (anything else is a mistake worth stopping for). */
const flag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

/**
 * Every environment variable Puente reads, with its default (all listed in `.env.example`).
 * Variables that have no safe default are optional here and required by `requiredInProduction` (config/index.ts)
 * only where the process actually uses them, so `npm run dev` starts with nothing configured.
 */
export const envSchema = z.object({
  PORT: port.default(3000),
  /**
   * How long an idle keep-alive connection stays open. Above the idle timeout of the proxy or load
   * balancer in front (60 s on most), so the proxy, not Puente, closes idle connections: otherwise
   * a request it sends as Puente closes the connection fails (a 502 to Meta or the CRM).
   */
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: positiveInt.max(3600).default(65),
  /**
   * How long a client may take to send a whole request once its headers arrived (Node's default is
   * 300 s, letting slow uploads hold their buffers). Paths with a larger body limit (the bulk
   * contacts import) get their limit at 256 KiB/s when that is longer (src/platform/http/request-deadlines.ts).
   */
  HTTP_REQUEST_TIMEOUT_SECONDS: positiveInt.max(600).default(30),
  /**
   * The ops listener (/healthz, /readyz, /metrics, Bull Board), served by every role apart from the
   * public one. Loopback by default: expose it only to the monitoring network.
   */
  OPS_PORT: port.default(9091),
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
  PUENTE_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** With PUENTE_ROLE=all: fork this many worker processes and keep only HTTP in this one (0 = workers in-process). */
  PUENTE_WORKER_PROCESSES: z.coerce.number().int().min(0).max(32).default(0),
  /** Nice value (absolute, 0–19) given to those forked worker processes, so webhook acknowledgements come first. */
  PUENTE_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(5),
  /**
   * With PUENTE_WORKER_PROCESSES > 0: fork this many more worker processes for the background queues
   * (campaign sending, event-webhook delivery, lead scoring, retention, the outbox sweep), at
   * PUENTE_BACKGROUND_WORKER_NICE; the other worker processes then run only the conversation's
   * queues, so a campaign or a webhook backlog never queues ahead of a reply. 0 = every worker
   * process runs every queue.
   */
  PUENTE_BACKGROUND_WORKER_PROCESSES: z.coerce.number().int().min(0).max(8).default(1),
  /** Nice value (absolute, 0–19) of the background worker processes: below the conversation's. */
  PUENTE_BACKGROUND_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * Run the background worker processes under Linux's SCHED_IDLE policy (via util-linux `chrt`): they
   * get a core only while no other process wants one, so a campaign never takes CPU from a reply —
   * a nice value only shares it. Under a box saturated by chat they wait. Where it cannot be set,
   * they keep PUENTE_BACKGROUND_WORKER_NICE (a warning says so).
   */
  PUENTE_BACKGROUND_WORKER_IDLE: flag.default(true),
  /**
   * Which queues a PUENTE_ROLE=worker process runs: `all`, `conversation` (lanes, outbound sends,
   * receipts, statuses) or `background` (see PUENTE_BACKGROUND_WORKER_PROCESSES). Set on the
   * processes a PUENTE_ROLE=all one forks; for separate worker deployments, run one of each kind.
   */
  PUENTE_WORKER_TIER: z.enum(['all', 'conversation', 'background']).default('all'),
  /** Set by a PUENTE_ROLE=all process on the workers it forks (they stop when it goes away); not for manual use. */
  PUENTE_PARENT_PID: positiveInt.optional(),

  META_WEBHOOK_SECRET: optionalSecret,
  WEBHOOK_VERIFY_TOKEN: optionalSecret,
  WHATSAPP_ACCESS_TOKEN: optionalSecret,
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, 'must be the numeric phone number id').optional(),
  WHATSAPP_API_URL: url.default('https://graph.facebook.com'),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'must look like v25.0').default('v25.0'),
  WHATSAPP_MAX_MPS: positiveInt.max(1000).default(80),
  /** The WhatsApp Business Account whose message templates campaigns use (GET /api/v1/templates); unset = templates answer 503 and campaign messages are kept unchecked. */
  WHATSAPP_BUSINESS_ACCOUNT_ID: z.string().regex(/^\d+$/, 'must be the numeric WhatsApp Business Account id').optional(),

  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  MONGODB_URI: z
    .string()
    .regex(/^(mongodb(\+srv)?:\/\/.+|memory:\/\/)$/, 'must be a mongodb:// or mongodb+srv:// URI, or memory://')
    .optional(),
  /** `npm start` refuses MONGODB_URI=memory:// (data lost on restart) unless this is true: for trials only. */
  PUENTE_ALLOW_MEMORY_STORE: flag.default(false),

  CRM_BASE_URL: url.optional(),
  CRM_API_TOKEN: optionalSecret,
  BOT_API_TOKEN: optionalSecret,
  BOT_SIGNATURE_SECRET: optionalSecret,
  CRM_AGENT_NOTIFICATION_URL: url.optional(),
  CRM_META_APP_ID: z.string().min(1).optional(),
  EMERGENCY_PHONE: z.string().regex(/^\+?\d{7,15}$/, 'must be a phone number').default('3242156679'),

  SESSION_TTL_SECONDS: positiveInt.default(1800),
  HANDOVER_ASSIGN_TIMEOUT_SECONDS: positiveInt.default(600),
  HANDOVER_IDLE_TIMEOUT_SECONDS: positiveInt.default(86_400),
  /** WhatsApp activity of one lead within this window is scored in one run, after the window closes. */
  LEAD_SCORE_DEBOUNCE_MS: positiveInt.max(60_000).default(2_000),
  /** How often the campaign sender looks for due steps of active campaigns (docs/campaigns.md, "Sending"). */
  CAMPAIGN_SENDER_TICK_MS: positiveInt.min(50).max(60_000).default(1_000),
  /** Lets webhook subscriptions target loopback, private and link-local addresses (and plain http to them): development only. */
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Webhook requests in flight to one subscription, across every process (docs/webhooks.md, "Retries, order and disabling"). */
  WEBHOOKS_CONCURRENCY_PER_SUBSCRIPTION: positiveInt.max(1_000).default(8),
  /** Webhook delivery lanes one worker process drains at once (inline, and its Workers' concurrency). */
  WEBHOOKS_LANE_CONCURRENCY: positiveInt.max(100_000).default(1_024),

  /**
   * Retention (src/privacy, docs/operations.md "Retention and erasure"): an hourly job deletes what
   * is older than its period; 0 keeps it forever. Messages of the conversation log, by their time.
   */
  RETENTION_MESSAGES_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  /** Closed handover tickets, by their close time (open tickets are never purged); 0 = forever. */
  RETENTION_TICKETS_DAYS: z.coerce.number().int().min(0).max(36_500).default(730),
  /** Closed leads (stage customer or lost), by their last change, with their tasks and scores; 0 = forever. */
  RETENTION_LEADS_DAYS: z.coerce.number().int().min(0).max(36_500).default(1095),

  /** The platform owner's key for /api/v1/admin/* (organizations and their API keys); unset = those routes answer 404. */
  API_ADMIN_KEY: z.string().min(32, 'must be at least 32 characters').optional(),

  BULL_BOARD_USER: z.string().min(1).optional(),
  BULL_BOARD_PASSWORD: z.string().min(1).optional(),
  /** Bull Board shows queues and jobs but refuses every change (retry, clean, add, pause…) unless this is false. */
  BULL_BOARD_READ_ONLY: flag.default(true),
});

export type Env = z.infer<typeof envSchema>;
