/**
 * WorkspaceReader over `vscode.workspace.fs`, for workspace folders that are not on a local disk
 * (remote, virtual). That API can only read whole files, so `read` refuses files above a cap
 * instead of pulling a multi-GB model over the wire; `file:` folders use NodeFsReader instead.
 */
import * as vscode from 'vscode';
import type { DirEntry, FileStat, WorkspaceReader } from '../../core/workspaceReader';
import { formatBytes } from '../../core/formatBytes';

export const MAX_WHOLE_FILE_BYTES = 64 * 1024 * 1024;

export class VscodeFsReader implements WorkspaceReader {
  /** The last file read whole, so a header read followed by a tail read costs one transfer. */
  private cache: { path: string; mtime: number; size: number; bytes: Uint8Array } | undefined;

  constructor(
    private readonly root: vscode.Uri,
    private readonly maxWholeFileBytes = MAX_WHOLE_FILE_BYTES,
  ) {}

  private uri(relative: string): vscode.Uri {
    return relative === '' ? this.root : vscode.Uri.joinPath(this.root, ...relative.split('/'));
  }

  async list(relative: string): Promise<DirEntry[]> {
    const entries = await vscode.workspace.fs.readDirectory(this.uri(relative));
    return entries.map(([name, type]) => ({
      name,
      kind: type & vscode.FileType.SymbolicLink ? 'symlink'
        : type & vscode.FileType.Directory ? 'directory'
          : type & vscode.FileType.File ? 'file' : 'other',
    }));
  }

  /** This API cannot resolve links, so linked folders count as inside the project and are not followed. */
  async realpath(relative: string): Promise<string> {
    return relative;
  }

  async stat(relative: string): Promise<FileStat> {
    const st = await vscode.workspace.fs.stat(this.uri(relative));
    return {
      kind: st.type & vscode.FileType.Directory ? 'directory' : st.type & vscode.FileType.File ? 'file' : 'other',
      size: st.size,
    };
  }

  async read(relative: string, offset: number, length: number): Promise<Uint8Array> {
    const uri = this.uri(relative);
    const st = await vscode.workspace.fs.stat(uri);
    if (st.size > this.maxWholeFileBytes) {
      throw new Error(
        `${relative} is ${st.size} bytes; on a ${uri.scheme}: workspace Modelship can only inspect files up to ` +
        `${formatBytes(this.maxWholeFileBytes)}, because this file system cannot read part of a file. ` +
        'Open the folder from a local disk to inspect larger models.',
      );
    }
    const c = this.cache;
    const bytes = c && c.path === relative && c.mtime === st.mtime && c.size === st.size
      ? c.bytes
      : await vscode.workspace.fs.readFile(uri);
    this.cache = { path: relative, mtime: st.mtime, size: st.size, bytes };
    return bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
  }
}
