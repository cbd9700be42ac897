/** What the pickle machine keeps of a stack or memo value: enough to follow globals and recognise joblib's arrays; `w` is its weight against the memory cap. */
export type Value =
  | { t: 'mark'; w: 0 }
  | { t: 'other'; w: 0 }
  | { t: 'str'; v: string; w: number }
  | { t: 'int'; v: bigint; w: number }
  | { t: 'global'; v: string; w: number }
  | { t: 'tuple'; items: Value[]; w: number }
  /** Tracks only the keys joblib's NumpyArrayWrapper state needs; `w` grows as they are set. */
  | { t: 'dict'; entries: Map<string, Value>; w: number }
  /** An object built by REDUCE/NEWOBJ from a known global: enough to recognise joblib's wrapper and numpy dtypes. */
  | { t: 'obj'; cls: string; args: Value; w: number };
