import { once } from 'node:events';
import WebSocket from 'ws';

/** A frame of the live protocol as a raw client sees it. */
export type Frame = Record<string, unknown> & { op?: string; channel?: string; version?: number };

/**
 * A plain WebSocket on a node's `/v1/live`, below the SDK, recording every
 * frame it receives; resolves once open. Errors after that show as a close.
 */
export async function openRawSocket(baseUrl: string) {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/live`);
  const frames: Frame[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => {});
  await once(ws, 'open');
  return {
    ws,
    frames,
    /** Resolves with the close code. */
    closed,
    send: (frame: unknown) => ws.send(JSON.stringify(frame)),
  };
}
