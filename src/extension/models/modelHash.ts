/**
 * The SHA-256 of a model file, which tags the image (`<version>-<sha8>`) and labels it. Local
 * files are streamed (a progress notification with Cancel for big ones); files on other file
 * systems are hashed only when small enough to read whole. Results are cached by size and mtime,
 * so containerizing again does not read a multi-GB model again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { formatBytes } from './modelRelations';
import { MAX_WHOLE_FILE_BYTES } from '../common/vscodeFsReader';

/** Files at least this big get a progress notification. */
export const PROGRESS_THRESHOLD_BYTES = 64 * 1024 * 1024;

const cache = new Map<string, { size: number; mtime: number; sha256: string }>();

/** How many files were actually read to hash them (the cache answers the rest); for tests. */
export const hashCounters = { reads: 0 };

function streamHash(file: string, size: number, onBytes: (n: number) => void, token?: vscode.CancellationToken): Promise<string> {
  const hash = createHash('sha256');
  if (token?.isCancellationRequested) return Promise.reject(new vscode.CancellationError());
  return new Promise((resolve, reject) => {
    const stream = fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 });
    const cancel = token?.onCancellationRequested(() => {
      stream.destroy();
      reject(new vscode.CancellationError());
    });
    let seen = 0;
    stream.on('data', (chunk) => {
      hash.update(chunk);
      seen += chunk.length;
      onBytes(chunk.length);
    });
    stream.on('error', (err) => {
      cancel?.dispose();
      reject(err);
    });
    stream.on('end', () => {
      cancel?.dispose();
      if (seen !== size) reject(new Error(`${file} changed size while it was hashed (${seen} of ${size} bytes); try again`));
      else resolve(hash.digest('hex'));
    });
  });
}

/**
 * The hex SHA-256 of the file at `uri`, or undefined for a folder (a SavedModel) or a remote file
 * too big to read whole. Throws `vscode.CancellationError` when the user cancels.
 */
export async function hashModel(uri: vscode.Uri, label: string): Promise<string | undefined> {
  const stat = await vscode.workspace.fs.stat(uri);
  if (!(stat.type & vscode.FileType.File) || stat.type & vscode.FileType.Directory) return undefined;
  const key = uri.toString();
  const cached = cache.get(key);
  if (cached && cached.size === stat.size && cached.mtime === stat.mtime) return cached.sha256;
  if (uri.scheme !== 'file' && stat.size > MAX_WHOLE_FILE_BYTES) return undefined;
  hashCounters.reads += 1;
  let sha256: string;
  if (uri.scheme !== 'file') {
    sha256 = createHash('sha256').update(await vscode.workspace.fs.readFile(uri)).digest('hex');
  } else if (stat.size < PROGRESS_THRESHOLD_BYTES) {
    sha256 = await streamHash(uri.fsPath, stat.size, () => undefined);
  } else {
    sha256 = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Modelship: hashing ${label} (${formatBytes(stat.size)})`, cancellable: true },
      (progress, token) => streamHash(uri.fsPath, stat.size, (n) => progress.report({ increment: (100 * n) / stat.size }), token),
    );
  }
  cache.set(key, { size: stat.size, mtime: stat.mtime, sha256 });
  return sha256;
}
