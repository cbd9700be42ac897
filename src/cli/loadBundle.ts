/**
 * Loads one of the CLI's command bundles (dist/cli-*.js), required only when its command runs. The
 * Kubernetes client alone is 3 MB of JavaScript, and compiling it is most of a cluster command's
 * start-up, so V8's code cache for the bundles is kept in the user's cache folder: Node's own
 * compile cache where it exists (22.1+), else a vm.Script with cachedData, written once at exit
 * (so it holds the functions the command actually ran). V8 checks the cache against the source and
 * ignores a stale one; any other problem with it falls back to a plain require.
 */
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'modelship', 'v8');
}

/** `codeCache` for the bundles whose compile time dominates their start-up (the Kubernetes client's). */
export function loadBundle<T>(file: string, codeCache: boolean): T {
  if (!codeCache || process.env.MODELSHIP_NO_CODE_CACHE === '1') return require(file) as T;
  const nodeCache = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof nodeCache === 'function') {
    nodeCache(cacheDir());
    return require(file) as T;
  }
  try {
    return loadWithCachedData<T>(file);
  } catch {
    return require(file) as T;
  }
}

/** The bundles' shared chunks (dist/chunk-*.js, scripts/sharedChunks.mjs): the Kubernetes client is one of them. */
const SHARED_CHUNK = /^\.\/chunk-[0-9a-f]{8}\.js$/;

/** `require` for a bundle loaded here: its shared chunks get the code cache too; anything else loads as usual. */
function requireThroughCache(file: string): NodeJS.Require {
  const plain = createRequire(file);
  const load = (id: string): unknown => {
    if (!SHARED_CHUNK.test(id)) return plain(id);
    const chunk = path.join(path.dirname(file), id);
    return require.cache[chunk]?.exports ?? loadWithCachedData(chunk);
  };
  return Object.assign(load, { resolve: plain.resolve, cache: plain.cache, extensions: plain.extensions, main: plain.main }) as NodeJS.Require;
}

function loadWithCachedData<T>(file: string): T {
  const stat = fs.statSync(file);
  const key = `${path.basename(file)}-${stat.size}-${Math.floor(stat.mtimeMs)}-${process.version}-${process.arch}.bin`;
  const cacheFile = path.join(cacheDir(), key);
  let cached: Buffer | undefined;
  try {
    cached = fs.readFileSync(cacheFile);
  } catch {
    cached = undefined;
  }
  // A dynamic import() inside the bundle resolves as it would under require.
  const importModuleDynamically = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {
    filename: file,
    ...(cached ? { cachedData: cached } : {}),
    ...(importModuleDynamically ? { importModuleDynamically: importModuleDynamically as unknown as vm.ScriptOptions['importModuleDynamically'] } : {}),
  });
  // Registered before it runs, as require does, so that the chunks it shares with other bundles load once.
  const module = new Module(file);
  module.filename = file;
  require.cache[file] = module;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  try {
    wrapper.call(module.exports, module.exports, requireThroughCache(file), module, file, path.dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  if (!cached || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, cacheFile);
      } catch {
        // A cache that cannot be written only costs the next start its compile time.
      }
    });
  }
  return module.exports as T;
}
