/**
 * The model rules' documentation entries, in id order. Ids are stable: a retired rule keeps its
 * id reserved and is never reused. Model files are binary, so their findings point at line 0,
 * character 0 (the file's start) and name the byte offset in the message.
 */
import type { RuleDoc, Severity } from '../types';

/** Ids of the model rules, by short name. */
export const PKL = {
  unsafe: 'MS-PKL001',
  suspicious: 'MS-PKL002',
  unscanned: 'MS-PKL003',
} as const;

export type ModelRuleId = (typeof PKL)[keyof typeof PKL];

const doc = (id: ModelRuleId, name: string, defaultSeverity: Severity, summary: string, description: string): RuleDoc =>
  ({ id, name, category: 'model', defaultSeverity, summary, description, fixable: false });

/** The model rules' documentation entries. */
export const RULES: RuleDoc[] = [
  doc(PKL.unsafe, 'unsafe-pickle-global', 'error',
    'A pickle in the model file imports a callable that can run commands or code, open files or sockets, or load another pickle.',
    'Unpickling calls every global the pickle names, so a file that imports os.system, builtins.eval, subprocess.Popen, ' +
      'functools.partial or torch.load runs it the moment it is loaded (torch.load with weights_only=False, joblib.load, pickle.load). ' +
      'Modelship reads the opcodes without unpickling anything. Load the file only if you trust where it came from; better, ' +
      're-export the model in a format that cannot run code (safetensors, ONNX, skops) from a trusted environment.'),
  doc(PKL.suspicious, 'suspicious-pickle-global', 'warning',
    'A pickle in the model file imports a global that is not on the list of constructors known to be safe.',
    'User classes (`__main__.MyModel`), unknown libraries and globals whose names are computed while unpickling cannot be ' +
      'proven harmless: loading runs their code, and loading needs that code installed. Check that each listed global comes ' +
      'from a package you trust and that the serving image installs it, or re-export the model in a code-free format.'),
  doc(PKL.unscanned, 'pickle-not-fully-scanned', 'warning',
    'Part of the model file could not be scanned: it is malformed, cut short, uses an unsupported compression, or hit a scanner limit.',
    'A pickle that stops being parseable ends the scan there (Python stops too, but only after running what came before); ' +
      'a cut or corrupt compressed stream, an lzma file too large to decode in one piece, or a zip member compressed with ' +
      'a method other than deflate leaves bytes unchecked. Re-save the model, or check its origin before loading it.'),
];
