import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { updatedRows } from '../../db/updated-rows';
import { HubError } from '../../foundation/hub-errors';

export type ChargerFileKind = 'diagnostics' | 'log' | 'firmware';

/** Where chargers upload to and download from: `<PUBLIC_URL>/ocpp-uploads/<one-time token>`. */
export const CHARGER_FILES_PATH = '/ocpp-uploads';

/** The largest file kept (diagnostics archives are a few MiB; PostgreSQL bytea takes up to 1 GiB, the hub far less). */
export const MAX_CHARGER_FILE_BYTES = 16 * 1024 * 1024;

/** How long a URL works: a charger uploads when it can, and retries a download (UpdateFirmware retries). */
const URL_LIFETIME_MS = 24 * 3600_000;

/** Uploads kept per charger (the newest); with the 16 MiB bound this bounds what one charger can store. */
export const KEPT_UPLOADS_PER_CHARGER = 20;

export interface ChargerFile {
  id: string;
  chargerId: string;
  kind: ChargerFileKind;
  fileName: string | null;
  contentType: string | null;
  sizeBytes: number | null;
  createdAt: Date;
  expiresAt: Date;
  uploadedAt: Date | null;
  downloads: number;
}

interface FileRow {
  id: string;
  charger_id: string;
  kind: ChargerFileKind;
  file_name: string | null;
  content_type: string | null;
  size_bytes: number | null;
  created_at: Date;
  expires_at: Date;
  uploaded_at: Date | null;
  downloads: number;
}

const COLUMNS = 'id, charger_id, kind, file_name, content_type, size_bytes, created_at, expires_at, uploaded_at, downloads';
const toFile = (r: FileRow): ChargerFile => ({
  id: r.id,
  chargerId: r.charger_id,
  kind: r.kind,
  fileName: r.file_name,
  contentType: r.content_type,
  sizeBytes: r.size_bytes,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  uploadedAt: r.uploaded_at,
  downloads: r.downloads,
});

/** Only the token's digest is stored: a database read gives no working URL. */
const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Files chargers exchange with the hub over HTTP(S) URLs of the hub itself, each with its own
 * unguessable token: a diagnostics or log upload URL is good for one upload (GetDiagnostics/GetLog
 * `location`), a firmware URL serves the file the operator gave until it expires (a charger retries a
 * failed download). Contents live in PostgreSQL (bytea, at most MAX_CHARGER_FILE_BYTES), so every hub
 * instance serves every URL and nothing needs a shared disk.
 */
export class ChargerFiles {
  constructor(private readonly deps: { db: DataSource; publicUrl: string }) {}

  private async slot(chargerId: string, kind: ChargerFileKind, extra: { fileName?: string; contentType?: string; content?: Buffer }): Promise<{ file: ChargerFile; url: string }> {
    const token = randomBytes(24).toString('base64url');
    // Each new file makes room: expired URLs nothing was uploaded to, firmware no longer served, and
    // uploads beyond the newest KEPT_UPLOADS_PER_CHARGER go (one charger cannot fill the database).
    await this.deps.db.query(
      `DELETE FROM charger_files f WHERE f.charger_id = $1 AND (
         (f.expires_at < now() AND (f.uploaded_at IS NULL OR f.kind = 'firmware'))
         OR f.id IN (SELECT id FROM charger_files WHERE charger_id = $1 AND kind <> 'firmware' AND uploaded_at IS NOT NULL
                      ORDER BY uploaded_at DESC OFFSET $2))`,
      [chargerId, KEPT_UPLOADS_PER_CHARGER],
    );
    const [row]: FileRow[] = await this.deps.db.query(
      `INSERT INTO charger_files (charger_id, kind, token_hash, file_name, content_type, content, size_bytes, uploaded_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $6::bytea IS NULL THEN NULL ELSE now() END, $8) RETURNING ${COLUMNS}`,
      [chargerId, kind, tokenHash(token), extra.fileName ?? null, extra.contentType ?? null, extra.content ?? null, extra.content?.length ?? null, new Date(Date.now() + URL_LIFETIME_MS)],
    );
    const url = `${this.deps.publicUrl}${CHARGER_FILES_PATH}/${token}${extra.fileName ? `/${encodeURIComponent(extra.fileName)}` : ''}`;
    return { file: toFile(row), url };
  }

  /** A one-time URL the charger uploads diagnostics or a log to. */
  uploadSlot(chargerId: string, kind: 'diagnostics' | 'log'): Promise<{ file: ChargerFile; url: string }> {
    return this.slot(chargerId, kind, {});
  }

  /** Stores firmware for one charger and gives the URL it downloads it from. */
  firmware(chargerId: string, file: { fileName: string; content: Buffer }): Promise<{ file: ChargerFile; url: string }> {
    if (file.content.length > MAX_CHARGER_FILE_BYTES) throw new HubError('invalid', `Firmware larger than ${MAX_CHARGER_FILE_BYTES} bytes`);
    return this.slot(chargerId, 'firmware', { fileName: file.fileName, contentType: 'application/octet-stream', content: file.content });
  }

  /** A charger's upload to its URL: stored once; false for an unknown, expired or already used URL. */
  async receive(token: string, upload: { fileName: string | null; contentType: string | null; content: Buffer }): Promise<boolean> {
    const rows = await updatedRows<{ id: string }>(
      this.deps.db,
      `UPDATE charger_files SET content = $2, size_bytes = $3, file_name = $4, content_type = $5, uploaded_at = now()
        WHERE token_hash = $1 AND kind <> 'firmware' AND uploaded_at IS NULL AND expires_at > now() RETURNING id`,
      [tokenHash(token), upload.content, upload.content.length, upload.fileName, upload.contentType],
    );
    return rows.length > 0;
  }

  /** The firmware a URL serves (undefined for an unknown or expired one); each download is counted. */
  async served(token: string): Promise<{ fileName: string | null; content: Buffer } | undefined> {
    const [row] = await updatedRows<{ file_name: string | null; content: Buffer }>(
      this.deps.db,
      `UPDATE charger_files SET downloads = downloads + 1 WHERE token_hash = $1 AND kind = 'firmware' AND expires_at > now() RETURNING file_name, content`,
      [tokenHash(token)],
    );
    return row && { fileName: row.file_name, content: row.content };
  }

  async list(chargerId: string): Promise<ChargerFile[]> {
    const rows: FileRow[] = await this.deps.db.query(`SELECT ${COLUMNS} FROM charger_files WHERE charger_id = $1 ORDER BY created_at DESC, id`, [chargerId]);
    return rows.map(toFile);
  }

  /** A file's content for the operator (404 when there is none, or none yet). */
  async content(chargerId: string, fileId: string): Promise<{ file: ChargerFile; content: Buffer }> {
    const [row]: (FileRow & { content: Buffer | null })[] = await this.deps.db.query(
      `SELECT ${COLUMNS}, content FROM charger_files WHERE charger_id = $1 AND id = $2`,
      [chargerId, fileId],
    );
    if (!row?.content) throw new HubError('not_found', `No file ${fileId} of charger ${chargerId}${row ? ' has been uploaded yet' : ''}`);
    return { file: toFile(row), content: row.content };
  }
}

/**
 * The file in an upload: a multipart/form-data body's first part with a filename (how many chargers
 * post diagnostics), else the body as it came (a PUT).
 */
export function uploadedFile(contentType: string | undefined, body: Buffer, pathName: string | undefined): { fileName: string | null; contentType: string | null; content: Buffer } {
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (boundary) {
    const delimiter = Buffer.from(`--${boundary}`);
    let start = body.indexOf(delimiter);
    while (start >= 0) {
      const next = body.indexOf(delimiter, start + delimiter.length);
      if (next < 0) break;
      const part = body.subarray(start + delimiter.length, next);
      const headerEnd = part.indexOf('\r\n\r\n');
      if (headerEnd >= 0) {
        const headers = part.subarray(0, headerEnd).toString('latin1');
        const name = /filename="([^"]*)"/i.exec(headers)?.[1];
        if (name !== undefined) {
          const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? null;
          // The part ends with CRLF before the next delimiter.
          return { fileName: name || pathName || null, contentType: type, content: part.subarray(headerEnd + 4, part.length - 2) };
        }
      }
      start = next;
    }
  }
  return { fileName: pathName ?? null, contentType: contentType ?? null, content: body };
}
