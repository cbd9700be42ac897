/**
 * TensorFlow SavedModel directories: `saved_model.pb` (a SavedModel protobuf: field 1 the schema
 * version, field 2 the MetaGraphDefs) or `saved_model.pbtxt`, usually beside `variables/`.
 */
import type { WorkspaceReader } from '../../workspaceReader';
import type { DetectedModel } from '../types';
import { latin1Text } from './sniffContext';

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

export async function sniffSavedModel(reader: WorkspaceReader, dir: string, bytes: number): Promise<DetectedModel> {
  const path = dir === '' ? '.' : dir;
  const entries = await reader.list(dir).catch(() => []);
  const names = new Set(entries.map((e) => e.name));
  const hasVariables = names.has('variables');
  const parts: string[] = [];
  if (names.has('saved_model.pb')) {
    const head = await reader.read(join(dir, 'saved_model.pb'), 0, 256).catch(() => new Uint8Array(0));
    // Field 1 (varint) schema version then field 2 (length-delimited) meta_graphs: 0x08 n 0x12.
    const proto = head[0] === 0x08 && head[2] === 0x12;
    const tags = /serve|train|gpu|tpu/.exec(latin1Text(head))?.[0];
    parts.push(proto ? `saved_model.pb (schema version ${head[1]}${tags ? `, tag ${tags}` : ''})` : 'saved_model.pb');
  } else {
    parts.push('saved_model.pbtxt');
  }
  if (hasVariables) parts.push('variables/');
  if (names.has('fingerprint.pb')) parts.push('fingerprint.pb');
  if (names.has('keras_metadata.pb')) parts.push('keras_metadata.pb');
  return {
    path,
    format: 'savedmodel',
    framework: 'tensorflow',
    bytes,
    evidence: `TensorFlow SavedModel directory: ${parts.join(', ')}`,
  };
}
