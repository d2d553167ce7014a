import type { Clock } from '../../core/clock';
import type { AtomicStore } from '../store/store';

/**
 * Presigned download URLs for payroll files (paystubs, tax forms). Atomic hands out S3 URLs valid
 * for one hour; the sandbox points them at itself (`/__sandbox/files/:fileId`) with an expiry on the
 * store's clock and an HMAC signature, so a developer's download code runs end to end offline.
 */

export const FILE_URL_TTL_SECONDS = 3600;
export const FILES_PATH = '/__sandbox/files';

export function presignFileUrl(store: AtomicStore, clock: Clock, origin: string, fileId: string): string {
  const expires = Math.floor(clock.now() / 1000) + FILE_URL_TTL_SECONDS;
  const signature = store.signFile(fileId, expires);
  return `${origin}${FILES_PATH}/${fileId}?expires=${expires}&signature=${signature}`;
}

/** A one-page PDF naming the file, so downloads are real documents. */
export function placeholderPdf(title: string): Uint8Array {
  const text = title.replace(/[()\\]/g, '');
  const stream = `BT /F1 14 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}
