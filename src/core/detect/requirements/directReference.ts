/**
 * Facts about direct references (URLs and paths instead of index versions), shared by every
 * dependency format: whether text is a URL or a path, the package name it carries, and whether
 * it fixes one exact build.
 */
import { trimTrailing } from './linearText';

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:\/\//;
const VCS_SCHEME = /^(git|hg|svn|bzr)\+/i;
const VCS_URL = /^(git|hg|svn|bzr)\+[A-Za-z][A-Za-z0-9+.-]*:/i;
const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$/i;
const WHEEL = /^([A-Za-z0-9_.]+?)-\d[^-]*(?:-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/i;
const SDIST = /^(.+?)-v?\d[^-]*\.(?:tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$/i;
const EGG_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[^\]]*\])?$/;
const FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const HASH_FRAGMENT = /(?:^|&)(?:md5|sha1|sha224|sha256|sha384|sha512)=[0-9a-f]+/i;

/** True for `scheme://...` and `file:` references (a Windows drive letter is not a scheme). */
export function isUrl(text: string): boolean {
  return URL_SCHEME.test(text) || /^file:/i.test(text);
}

/** True for pip's VCS references, `git+https://...`, `hg+ssh://...` and the like. */
export function isVcsUrl(text: string): boolean {
  return VCS_URL.test(text);
}

/** pip's rule for a requirement line that names a local file or directory rather than a package. */
export function looksLikePath(text: string): boolean {
  return text.includes('/') || text.includes('\\') || text.startsWith('.') || ARCHIVE.test(text);
}

function splitFragment(reference: string): { base: string; fragment: string } {
  const hash = reference.indexOf('#');
  return hash < 0 ? { base: reference, fragment: '' } : { base: reference.slice(0, hash), fragment: reference.slice(hash + 1) };
}

function lastSegment(base: string): string {
  const withoutQuery = base.split('?')[0] ?? '';
  const segment = trimTrailing(withoutQuery, '/\\').split(/[\\/]/).pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The `egg=` value of a URL fragment, as pip reads `...#egg=name&subdirectory=sub`. */
export function eggName(reference: string): string | undefined {
  const { fragment } = splitFragment(reference);
  for (const pair of fragment.split('&')) {
    const [key, value] = pair.split('=', 2);
    if (key === 'egg' && value && EGG_NAME.test(value)) return value;
  }
  return undefined;
}

/** The distribution name carried by a reference: its `#egg=`, or its wheel or sdist file name. */
export function nameFromReference(reference: string): string | undefined {
  const egg = eggName(reference);
  if (egg) return egg.replace(/\[.*$/, '');
  const file = lastSegment(splitFragment(reference).base);
  return WHEEL.exec(file)?.[1] ?? SDIST.exec(file)?.[1];
}

/** The revision after the last `@` of a VCS URL's path (the authority may hold `user@`). */
export function vcsRevision(reference: string): string | undefined {
  const base = splitFragment(reference).base.replace(VCS_SCHEME, '');
  const afterScheme = base.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const slash = afterScheme.indexOf('/');
  const path = slash < 0 ? '' : afterScheme.slice(slash + 1);
  const at = path.lastIndexOf('@');
  return at < 0 ? undefined : path.slice(at + 1) || undefined;
}

/** A release tag such as `v1.2.3` or `2.0.1rc1`; maintenance branches such as `1.x` are not tags. */
export function looksLikeTag(ref: string): boolean {
  // The release part is taken greedily and the rest checked apart: as one pattern, the two parts can
  // split a long run of `.1.1.1` in many ways, and a failed match tries them all.
  const release = /^v?\d+(?:\.\d+)+/.exec(ref)?.[0];
  return release !== undefined && /^(?:[-_.+]?[A-Za-z0-9])*$/.test(ref.slice(release.length)) && !/[.-]x$/i.test(ref);
}

/**
 * Whether a direct reference installs one exact build. True for: a hash fragment (`#sha256=`),
 * a VCS URL at a full commit or a release tag (`@v1.2.3`), a wheel or sdist file named with its
 * version, a tag or commit archive, and any local path (it ships with the workspace). Branches,
 * short commits and bare repository URLs are not pinned.
 */
export function isPinnedReference(reference: string): boolean {
  const { base, fragment } = splitFragment(reference);
  if (HASH_FRAGMENT.test(fragment)) return true;
  if (isVcsUrl(base)) {
    const rev = vcsRevision(base);
    if (rev === undefined) return false;
    return FULL_COMMIT.test(rev) || looksLikeTag(rev) || (/^svn\+/i.test(base) && /^\d+$/.test(rev));
  }
  if (!isUrl(base) || /^file:/i.test(base)) return true;
  const file = lastSegment(base);
  if (WHEEL.test(file) || SDIST.test(file)) return true;
  const stem = file.replace(ARCHIVE, '');
  return ARCHIVE.test(file) && (looksLikeTag(stem) || FULL_COMMIT.test(stem));
}
