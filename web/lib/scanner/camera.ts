/**
 * The camera: getUserMedia with the rear camera preferred, into a <video>.
 * Failures come back as `CameraError` with a stable code the page can
 * translate (`camera_denied`, `camera_not_found`, ...).
 */

type CameraErrorCode =
  /** No getUserMedia in this browser. */
  | 'camera_unsupported'
  /** Cameras need https (or localhost). */
  | 'camera_insecure'
  /** The user or a policy refused the camera. */
  | 'camera_denied'
  /** There is no camera. */
  | 'camera_not_found'
  /** Another app holds the camera, or the hardware failed to start. */
  | 'camera_in_use'
  | 'camera_failed';

class CameraError extends Error {
  override name = 'CameraError';
  constructor(
    readonly code: CameraErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface Camera {
  readonly video: HTMLVideoElement;
  readonly stream: MediaStream;
  /** The label of the camera in use ('' until permission is granted). */
  readonly label: string;
  /** Stops every track and detaches the stream from the video. */
  stop(): void;
}

/** The rear camera at a size that decodes well without wasting pixels. */
const PREFERRED: MediaTrackConstraints = {
  facingMode: { ideal: 'environment' },
  width: { ideal: 1280 },
  height: { ideal: 720 },
};

export function toCameraError(err: unknown): CameraError {
  if (err instanceof CameraError) return err;
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new CameraError(globalThis.isSecureContext === false ? 'camera_insecure' : 'camera_denied', message);
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new CameraError('camera_not_found', message);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new CameraError('camera_in_use', message);
    default:
      return new CameraError('camera_failed', message);
  }
}

async function getStream(constraints: MediaTrackConstraints): Promise<MediaStream> {
  try {
    return await navigator.mediaDevices.getUserMedia({ video: constraints, audio: false });
  } catch (err) {
    // A camera that cannot meet even the "ideal" hints: take any camera.
    if (err instanceof Error && err.name === 'OverconstrainedError') {
      return navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    }
    throw err;
  }
}

/** Starts the camera (rear preferred, or `deviceId`) and plays it in `video`. */
export async function startCamera(video: HTMLVideoElement, opts: { deviceId?: string } = {}): Promise<Camera> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraError(globalThis.isSecureContext === false ? 'camera_insecure' : 'camera_unsupported', 'getUserMedia is not available');
  }
  let stream: MediaStream;
  try {
    stream = await getStream(opts.deviceId ? { ...PREFERRED, facingMode: undefined, deviceId: { exact: opts.deviceId } } : PREFERRED);
  } catch (err) {
    throw toCameraError(err);
  }
  const stop = () => {
    for (const track of stream.getTracks()) track.stop();
    if (video.srcObject === stream) video.srcObject = null;
  };
  try {
    // Inline, muted and without controls: iOS plays such a video without a tap.
    video.muted = true;
    video.playsInline = true;
    video.setAttribute('playsinline', '');
    video.srcObject = stream;
    if (video.readyState < HTMLMediaElement.HAVE_METADATA) {
      await new Promise<void>((resolve, reject) => {
        video.addEventListener('loadedmetadata', () => resolve(), { once: true });
        video.addEventListener('error', () => reject(new Error('the video element failed')), { once: true });
      });
    }
    await video.play();
  } catch (err) {
    stop();
    throw toCameraError(err);
  }
  return { video, stream, label: stream.getVideoTracks()[0]?.label ?? '', stop };
}
