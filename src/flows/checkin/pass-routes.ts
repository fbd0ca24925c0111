import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { liveAccessOf } from '../../auth/live-access.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { MyPassesView, PassView } from './checkin-schemas.js';
import type { CheckinService } from './checkin-service.js';

/**
 * The attendee's pass: the next codes, past check-ins, and a token for `pass:<attendee>`.
 * Opened through a personal link by anyone; adds the `Pass` schema that myPassRoutes uses.
 */
export function passRoutes(app: App, service: CheckinService, o: { linkAttemptsPerMinute: number }): void {
  app.addSchema(PassView);

  app.get(
    '/passes/by-link/:token',
    {
      config: { rateLimit: { max: o.linkAttemptsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['checkin'],
        summary: 'A pass opened through the personal link an organiser sent (no sign-in)',
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: Type.Ref('Pass'), ...errorResponses('invalid_request', 'not_found') },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      return service.passByLink(req.params.token);
    },
  );
}

/** The signed-in attendee's own passes (registered in a signed-in scope after passRoutes). */
export function myPassRoutes(app: App, service: CheckinService): void {
  app.get(
    '/passes',
    {
      schema: {
        tags: ['checkin'],
        summary: "The signed-in person's passes: every event where an attendee row is theirs (by account, or by e-mail on a row of no account)",
        response: { 200: MyPassesView, ...errorResponses('unauthorized') },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const p = principalOf(req);
      return service.passesOf(p.user);
    },
  );

  app.get(
    '/passes/:event_id',
    {
      schema: {
        tags: ['checkin'],
        summary: "The signed-in attendee's pass for an event",
        params: Type.Object({ event_id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Ref('Pass'), ...errorResponses('invalid_request', 'unauthorized', 'not_found') },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const p = principalOf(req);
      return service.passForUser(req.params.event_id, p.user, liveAccessOf(p));
    },
  );
}
