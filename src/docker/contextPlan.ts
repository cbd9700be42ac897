/** What a build context is made of, planned before anything is read (shared by the planner, the walker and the packer). */

/** One thing the context tarball holds. */
export interface ContextEntry {
  /** POSIX path relative to the context root. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Bytes a file sends (0 for directories and symlinks). */
  size: number;
  /** Permission bits as the tar header carries them (with setuid, setgid and sticky). */
  mode: number;
  /** Modification time in ms since the epoch (the tar header keeps whole seconds). */
  mtimeMs: number;
  /** Where a symlink points, as written (never followed). */
  linkTarget?: string;
}

/** Bytes the .dockerignore kept out under one top-level name. */
export interface ExcludedGroup {
  /** A top-level directory (`data/`) or file (`big.bin`). */
  path: string;
  bytes: number;
}

/** What a build would send, worked out before anything is read. */
export interface ContextPlan {
  /** Absolute path of the context root, symlinks resolved. */
  root: string;
  /** Context-relative POSIX path of the Dockerfile sent (symlinks resolved, as the CLI sends it). */
  dockerfile: string;
  /** Context-relative POSIX path of the ignore file that applied, when there was one. */
  ignoreFile?: string;
  /** Everything sent, in tar order. */
  entries: ContextEntry[];
  /** Sum of the sizes of the files sent. */
  totalBytes: number;
  /** What the ignore file kept out (sizes from stat; nothing there is read). */
  excluded: {
    files: number;
    bytes: number;
    /** The five top-level names holding the most excluded bytes, largest first. */
    largest: ExcludedGroup[];
    /**
     * True when excluded directories held more than 20,000 entries: measuring stopped there (Docker
     * never looks inside them), so `files` and `bytes` are lower bounds.
     */
    partial?: boolean;
  };
}
