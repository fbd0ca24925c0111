import Fastify, { LogController } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import { authHooks } from '../auth/http-auth.js';
import { accountsPlugin } from '../auth/accounts-plugin.js';
import type { Services } from '../services.js';
import { errorHandler } from './error-handler.js';
import { NotFoundAnswers } from './not-found.js';
import { trustFunction } from './client-address.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';
import { accessLog } from './access-log.js';
import { openApi } from './openapi.js';
import { ErrorBody } from './schemas.js';
import { webPages } from './web-pages.js';
import { securityHeaders } from './security-headers.js';
import { FailureBudget } from './failure-budget.js';
import { rejectUnstorableInput } from './storable-input.js';
import { clientErrorHandler, frameworkErrors } from './framework-errors.js';
import { openCors } from './cors.js';
import { oauthPlugin } from '../flows/login/oauth-plugin.js';
import { loginPlugin } from '../flows/login/login-plugin.js';
import { qrImages } from './qr-images.js';
import { sharePlugin } from '../flows/share/share-plugin.js';
import { checkinPlugin } from '../flows/checkin/checkin-plugin.js';
import { eventsPlugin } from '../flows/events/events-plugin.js';
import { attendancePlugin } from '../flows/attendance/attendance-plugin.js';
import { queuePlugin } from '../flows/queue/queue-plugin.js';
import { webhooksPlugin } from '../webhooks/webhooks-plugin.js';
import { pushPlugin } from '../notifications/push-plugin.js';
import { lazySchemaController } from './lazy-schemas.js';
import type { App } from './types.js';

/**
 * Builds the whole HTTP app without listening: tests call `inject()` on it,
 * `main.ts` listens. Everything stateful comes in through `services`.
 */
export async function buildApp(s: Services, logger: Logger): Promise<App> {
  const { config } = s;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    // One trust rule for req.ip, the rate limits and the WebSocket upgrade (client-address.ts).
    trustProxy: config.trustProxy === false ? false : trustFunction(config.trustProxy),
    requestIdHeader: 'x-request-id',
    // Fastify's two lines per request logged raw URLs (tokens included) and cost about 15% of a check-in: see access-log.ts.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    frameworkErrors,
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    schemaController: lazySchemaController as never,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  openCors(app);
  securityHeaders(app);
  if (config.accessLog) accessLog(app);
  app.setErrorHandler(errorHandler);
  // Unknown URLs: JSON with its code for programs, the not-found page for people once webPages() has it.
  const notFound = new NotFoundAnswers();
  app.setNotFoundHandler(notFound.handler);
  app.addSchema(ErrorBody);
  rejectUnstorableInput(app);

  await app.register(cookie);
  await app.register(formbody);
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // Shared across nodes through Redis; if Redis is down, serve rather than fail.
    ...(s.redis ? { redis: s.redis, nameSpace: 'scanpass:rl:', skipOnError: true } : {}),
    // Live connections and probes are long-lived or frequent by design.
    allowList: (req) => req.url.startsWith('/healthz') || req.url.startsWith('/readyz') || req.url.startsWith('/metrics'),
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'rate_limited', message: `too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s` }),
  });
  await openApi(app, config.publicUrl);

  authHooks(app, s.auth);
  await app.register(accountsPlugin, {
    prefix: '/api/v1',
    auth: s.auth,
    accounts: s.accounts,
    audit: s.audit,
    secureCookies: config.publicUrl.startsWith('https:'),
    signInTtlMs: config.sessionTtlHours * 3600_000,
    signInLimitPerMinute: config.signInLimitPerMinute,
    now: () => s.clock.now(),
  });
  s.live.routes(app);
  await app.register(oauthPlugin, {
    service: s.login.service,
    authorize: s.login.authorize,
    tokens: s.login.issuer,
    signer: s.login.signer,
    issuer: config.publicUrl,
    secureCookies: config.publicUrl.startsWith('https:'),
    signOuts: s.login.signOuts,
    qr: qrImages,
  });
  await app.register(loginPlugin, {
    prefix: '/api/v1',
    service: s.login.service,
    phone: {
      attemptsPerMinute: config.userCodeAttemptsPerMinute,
      guesses: new FailureBudget('user_code', config.userCodeFailuresPerMinute, s.redis, () => s.clock.now()),
    },
    clients: s.login.clients,
    signOuts: s.login.signOuts,
    audit: s.audit,
    now: () => s.clock.now(),
  });
  await app.register(sharePlugin, {
    prefix: '/api/v1',
    service: s.share.service,
    routes: {
      claimsPerMinute: config.userCodeAttemptsPerMinute,
      guesses: new FailureBudget('share_code', config.userCodeFailuresPerMinute, s.redis, () => s.clock.now()),
    },
  });
  await app.register(checkinPlugin, { prefix: '/api/v1', checkin: s.checkin, config });
  await app.register(eventsPlugin, { prefix: '/api/v1', events: s.events, devices: s.checkin.devices });
  await app.register(attendancePlugin, { prefix: '/api/v1', attendance: s.attendance, devices: s.checkin.devices });
  await app.register(queuePlugin, { prefix: '/api/v1', queue: s.queue });
  await app.register(webhooksPlugin, { prefix: '/api/v1', service: s.webhooks.service, owners: s.webhooks.owners });
  await app.register(pushPlugin, { prefix: '/api/v1', push: s.notifications.push, tickets: { verify: (id, token) => s.queue.tickets.holds(id, token) } });
  app.get('/v1/live', { schema: { hide: true } }, async (_req, reply) =>
    reply.code(426).header('upgrade', 'websocket').send({ error: 'upgrade_required', message: 'open this URL as a WebSocket' }),
  );
  healthRoutes(app, s);
  metricsRoutes(app, s.live, s.store);
  notFound.page = await webPages(app, config.publicUrl);
  return app;
}
