// Sending a workbook: every XLSX route (sessions and cases here, the board, village files, the
// identification register) answers the same way, with the stream the service built.
import type { FastifyReply } from 'fastify';
import { XLSX_TYPE } from './reports.schemas.ts';
import type { Download } from './reports.service.ts';

/** The workbook as it is written (a typed reply knows only the documented string schema). */
export function sendWorkbook(reply: FastifyReply, file: Download): FastifyReply {
  return reply
    .header('Content-Type', XLSX_TYPE)
    .header('Content-Disposition', file.disposition)
    .header('Cache-Control', 'no-store')
    .send(file.stream);
}
