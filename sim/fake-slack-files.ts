import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The fake Slack's file uploads, as Slack does them since `files.upload` was retired:
 * `files.getUploadURLExternal` (filename, length) hands out an `upload_url` and a `file_id`; the bytes
 * are POSTed to that URL (raw, or as a multipart form, which is how `@slack/web-api` sends them); then
 * `files.completeUploadExternal` (the file ids, and `channel_id` to share it) finishes the upload.
 * Here the upload URL is on the fake itself, and every file keeps the exact bytes it received, so a
 * test can read back what a user would download. Also `conversations.open`, which gives the direct
 * message channel such a file is shared in.
 */

export type FakeSlackFile = {
  id: string;
  filename: string;
  /** The length given to `files.getUploadURLExternal`. */
  length: number;
  title?: string;
  /** The bytes POSTed to the upload URL; null until they arrive. */
  bytes: Buffer | null;
  /** Set by `files.completeUploadExternal`: null when completed without a channel (a private file). */
  channel?: string | null;
  initialComment?: string;
  completed: boolean;
};

export const UPLOAD_PATH = '/upload/v1/';
const CHANNEL_ID = /^[CDG][A-Z0-9]+$/;

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The first part of a multipart/form-data body that carries a filename (the file), else the first part. */
export function multipartFile(body: Buffer, contentType: string): Buffer | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Array<{ headers: string; content: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // past its CRLF, before the CRLF ahead of the next
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      parts.push({ headers: part.subarray(0, split).toString('utf8'), content: part.subarray(split + 4) });
    }
    at = next;
  }
  const file = parts.find((p) => /filename=/i.test(p.headers)) ?? parts[0];
  return file ? Buffer.from(file.content) : null;
}

export function createFakeFiles(baseUrl: () => string) {
  const files = new Map<string, FakeSlackFile>();

  function complete(body: Record<string, unknown>): Record<string, unknown> {
    let list: unknown;
    try {
      list = typeof body.files === 'string' ? JSON.parse(body.files) : body.files;
    } catch {
      return { ok: false, error: 'invalid_arguments' };
    }
    if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
    const channel = text(body.channel_id) || null;
    if (channel !== null && !CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
    const done: FakeSlackFile[] = [];
    for (const entry of list as Array<{ id?: unknown; title?: unknown }>) {
      const file = files.get(text(entry?.id));
      // Slack refuses a file whose bytes never arrived.
      if (!file || file.bytes === null) return { ok: false, error: 'file_not_found' };
      done.push(file);
    }
    for (const file of done) {
      file.completed = true;
      file.channel = channel;
      const title = text(
        (list as Array<{ id?: unknown; title?: unknown }>).find((e) => e.id === file.id)?.title,
      );
      if (title) file.title = title;
      if (typeof body.initial_comment === 'string') file.initialComment = body.initial_comment;
    }
    return {
      ok: true,
      files: done.map((f) => ({
        id: f.id,
        name: f.filename,
        title: f.title ?? f.filename,
        size: f.bytes!.length,
        channels: channel?.startsWith('C') ? [channel] : [],
        ims: channel?.startsWith('D') ? [channel] : [],
      })),
    };
  }

  return {
    files,
    /** The Web API methods this file serves; undefined for any other. */
    answer(method: string, body: Record<string, unknown>): Record<string, unknown> | undefined {
      switch (method) {
        case 'files.getUploadURLExternal': {
          const filename = text(body.filename);
          const length = Number(text(body.length));
          if (filename === '' || !Number.isSafeInteger(length) || length < 1) {
            return { ok: false, error: 'invalid_arguments' };
          }
          const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
          files.set(id, { id, filename, length, bytes: null, completed: false });
          return { ok: true, upload_url: `${baseUrl()}${UPLOAD_PATH.slice(1)}${id}`, file_id: id };
        }
        case 'files.completeUploadExternal':
          return complete(body);
        case 'conversations.open': {
          const users = text(body.users);
          if (!/^[UW][A-Z0-9]+$/.test(users)) return { ok: false, error: 'user_not_found' };
          const id = `D${createHash('sha1').update(users).digest('hex').slice(0, 9).toUpperCase()}`;
          return { ok: true, channel: { id } };
        }
        default:
          return undefined;
      }
    },
    /** A POST to an upload URL: the bytes are kept as the file's. */
    async receive(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
      const file = files.get(path.slice(UPLOAD_PATH.length));
      const raw = await readRaw(req);
      if (!file || file.completed) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      const type = req.headers['content-type'] ?? '';
      file.bytes = type.startsWith('multipart/form-data') ? multipartFile(raw, type) : raw;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${file.bytes?.length ?? 0}`);
    },
  };
}
