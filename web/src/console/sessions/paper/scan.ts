// Reading a QR code from the phone's camera: the browser's own BarcodeDetector where it has one
// (Chrome on Android), else jsQR on frames drawn to a canvas (iPhone, WeChat, most Chinese
// browsers). The camera is only available to pages served over https or from localhost.

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

interface DetectorClass {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
}

export type Decode = (video: HTMLVideoElement) => Promise<string | null>;

export function cameraProblem(): string | null {
  if (!window.isSecureContext) {
    return '摄像头扫码需要用 https 地址（或在本机用 localhost）打开控制台。当前无法使用摄像头，请手工输入票上的测评码。';
  }
  if (!navigator.mediaDevices?.getUserMedia) return '此浏览器不能使用摄像头，请手工输入票上的测评码。';
  return null;
}

async function nativeDecoder(): Promise<Decode | null> {
  const Native = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (!Native) return null;
  try {
    if (!(await Native.getSupportedFormats()).includes('qr_code')) return null;
  } catch {
    return null;
  }
  const detector = new Native({ formats: ['qr_code'] });
  return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
}

async function jsQrDecoder(): Promise<Decode> {
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  return async (video) => {
    if (!context || video.videoWidth === 0) return null;
    // A smaller frame decodes faster and a slip's QR still spans plenty of pixels.
    const scale = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
  };
}

export async function decoder(): Promise<Decode> {
  return (await nativeDecoder()) ?? jsQrDecoder();
}

export async function openCamera(video: HTMLVideoElement): Promise<MediaStream> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 } },
    audio: false,
  });
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  await video.play();
  return stream;
}
