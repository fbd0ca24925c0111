import { Compile } from 'typebox/compile';
import { MAX_CHANNEL_LENGTH, type ClientFrame, type LiveErrorCode } from './protocol.js';
import { SubFrameSchema, UnsubFrameSchema } from './protocol-schemas.js';

/** Why a client frame was refused; `channel` when the frame named one (a string), so the error can say which. */
export interface FrameProblem {
  code: LiveErrorCode;
  message: string;
  channel?: string;
}

export type Decoded = { ok: true; frame: ClientFrame } | ({ ok: false } & FrameProblem);

const checkSub = Compile(SubFrameSchema);
const checkUnsub = Compile(UnsubFrameSchema);

/**
 * Turns one WebSocket message into a typed client frame, or says why not.
 * Nothing a caller sends can make it throw: the JSON is parsed in a try, and
 * everything else is a compiled schema check over plain data.
 */
export function decodeClientFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Decoded {
  if (isBinary) return refuse('invalid_frame', 'frames must be JSON text, not binary');
  let msg: unknown;
  try {
    msg = JSON.parse(Buffer.isBuffer(data) ? data.toString() : Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString());
  } catch {
    return refuse('invalid_frame', 'frames must be JSON text objects');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return refuse('invalid_frame', 'frames must be JSON objects');
  const op = (msg as { op?: unknown }).op;
  if (op === 'sub') return checkSub.Check(msg) ? { ok: true, frame: msg } : explainSub(msg);
  if (op === 'unsub') return checkUnsub.Check(msg) ? { ok: true, frame: msg } : refuse('invalid_request', `unsub needs a channel (a string of at most ${MAX_CHANNEL_LENGTH} characters)`);
  const shown = typeof op === 'string' ? `"${op.slice(0, 40)}"` : op === undefined ? 'none' : `a ${op === null ? 'null' : typeof op}`;
  return refuse('unknown_op', `unknown op (${shown}); use "sub" or "unsub"`);
}

/**
 * Names the first problem of an invalid sub frame, in the order a caller can
 * fix them: the channel, then `after`, then the token. The transport checks
 * that the channel exists before it reports the others.
 */
function explainSub(msg: object): Decoded {
  const bad = new Set<string>();
  for (const e of checkSub.Errors(msg)) {
    if (e.instancePath) bad.add(e.instancePath.slice(1).split('/', 1)[0]!);
    const missing = (e.params as { requiredProperties?: unknown }).requiredProperties;
    if (Array.isArray(missing)) for (const m of missing) bad.add(String(m));
  }
  if (bad.has('channel')) return refuse('invalid_request', `sub needs a channel (a string of at most ${MAX_CHANNEL_LENGTH} characters)`);
  const channel = (msg as { channel: string }).channel;
  if (bad.has('after')) return refuse('invalid_request', 'after must be a non-negative integer', channel);
  if (bad.has('token')) return refuse('invalid_token', 'channel token is missing or malformed', channel);
  return refuse('invalid_request', 'malformed sub frame', channel);
}

function refuse(code: LiveErrorCode, message: string, channel?: string): Decoded {
  return channel === undefined ? { ok: false, code, message } : { ok: false, code, message, channel };
}
