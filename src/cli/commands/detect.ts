import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectFile, ProjectDetector } from '../../core/detect';
import type { ProjectDescription } from '../../core/detect/types';
import { ModelshipError } from '../../core/errors';
import type { ModelSafety } from '../../core/lint/model/scanModelSafety';
import { normalizeSettings } from '../../core/settings';
import { NodeFsReader } from '../../platform/nodeFsReader';
import { detectJson, detectText } from '../formatDetect';

/**
 * Scans every pickle-family model (statically: nothing is unpickled). Reads whole pickle streams,
 * so it gets a reader of its own: detection's byte counts stay detection's.
 */
async function scanSafety(root: string, description: ProjectDescription, enabled: boolean): Promise<{ byPath: Map<string, ModelSafety>; reader: NodeFsReader; ms: number }> {
  if (!enabled) return { byPath: new Map(), reader: new NodeFsReader(root), ms: 0 };
  // Required here, not at the top: the scanner and its codecs cost start-up time that a
  // `--no-safety` run, or a project without pickles, should not pay.
  const { scanModelSafety } = require('../../core/lint/model/scanModelSafety') as typeof import('../../core/lint/model/scanModelSafety');
  const started = process.hrtime.bigint();
  const reader = new NodeFsReader(root);
  const byPath = new Map<string, ModelSafety>();
  for (const model of description.models) {
    const safety = await scanModelSafety(reader, model.path, model.bytes, model.format);
    if (safety) byPath.set(model.path, safety);
  }
  return { byPath, reader, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

function reportSafety(scan: { byPath: Map<string, ModelSafety>; reader: NodeFsReader; ms: number }): void {
  process.stderr.write(`modelship: safety scan of ${scan.byPath.size} pickle-family models read ${scan.reader.bytesRead} bytes in ${scan.reader.readCalls} reads in ${scan.ms.toFixed(1)} ms\n`);
}

export async function runDetect(dir: string, options: { json: boolean; verbose: boolean; safety: boolean }): Promise<number> {
  const started = process.hrtime.bigint();
  const root = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new ModelshipError('PATH_NOT_FOUND', `${dir}: no such file or folder`, 'Pass the folder that holds your model, e.g. modelship detect ./my-project');
  }
  if (stat.isFile()) {
    // One file: describe it with the dependency files beside it; the root is its folder.
    const folder = path.dirname(root);
    const description = await detectFile(new NodeFsReader(folder), normalizeSettings({}).detect, folder, path.basename(root));
    const safety = await scanSafety(folder, description, options.safety);
    process.stdout.write((options.json ? detectJson(description, safety.byPath) : detectText(description, safety.byPath)) + '\n');
    if (options.verbose && options.safety) reportSafety(safety);
    return 0;
  }
  if (!stat.isDirectory()) throw new ModelshipError('NOT_A_FOLDER', `${dir} is neither a file nor a folder`);
  const reader = new NodeFsReader(root);
  const detector = new ProjectDetector(reader, normalizeSettings({}).detect, root);
  const description = await detector.scan();
  const safety = await scanSafety(root, description, options.safety);
  process.stdout.write((options.json ? detectJson(description, safety.byPath) : detectText(description, safety.byPath)) + '\n');
  if (options.verbose) {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const perFile = [...reader.bytesReadByPath.values()];
    const max = perFile.length > 0 ? Math.max(...perFile) : 0;
    process.stderr.write(
      `modelship: listed ${detector.counters.filesSeen} files, opened ${perFile.length}, read ${reader.bytesRead} bytes ` +
        `(at most ${max} from one file) in ${ms.toFixed(1)} ms\n`,
    );
    if (options.safety) reportSafety(safety);
  }
  return 0;
}
