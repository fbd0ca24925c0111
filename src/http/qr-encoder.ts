import type QRCodeModule from 'qrcode';

let loaded: Promise<typeof QRCodeModule> | undefined;

/** The `qrcode` encoder, loaded by the first QR drawn rather than at start. */
export const qrEncoder = (): Promise<typeof QRCodeModule> => (loaded ??= import('qrcode').then((m) => m.default));
