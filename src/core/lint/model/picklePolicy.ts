/**
 * How dangerous each global a pickle imports is. Unpickling calls whatever the pickle names, so a
 * global is `safe` only when it is on an allowlist of constructors and rebuild helpers that the
 * libraries which write model files use; `unsafe` when it is on a denylist of callables that run
 * commands, evaluate code, touch files or the network, import by name, or load another pickle;
 * and `suspicious` otherwise (user classes from `__main__`, unknown libraries, anything built at
 * load time). The lists learn from mmaitre314/picklescan's (MIT) and extend them.
 *
 * Invariants: pure; the denylist wins over the allowlist; a name with dots (an attribute path,
 * which protocol 4 resolves one step at a time) is safe only when listed exactly, and unsafe when
 * any step is a dangerous name.
 */

export type Verdict = 'safe' | 'suspicious' | 'unsafe';

export interface Classification {
  verdict: Verdict;
  /** Why, in a few words (for unsafe and suspicious globals). */
  reason?: string;
}

/** Where the global was found, which changes a few answers (TorchScript's own classes). */
export interface PolicyContext {
  /** The model's detected format. */
  format?: string;
}

const RUNS_COMMANDS = 'runs operating-system commands';
const RUNS_CODE = 'evaluates or runs Python code';
const LOADS_PICKLE = 'loads another pickle, which this scan cannot see';
const IMPORTS = 'imports or looks up any module or attribute by name';
const FILES = 'opens or changes files';
const NETWORK = 'opens network connections';

/** Python 2 module names that Python 3's unpickler maps (Lib/_compat_pickle.py), for the ones that matter here. */
const PY2_MODULES: Record<string, string> = {
  __builtin__: 'builtins', copy_reg: 'copyreg', cPickle: 'pickle', commands: 'subprocess', urllib2: 'urllib.request',
  httplib: 'http.client', thread: '_thread', exceptions: 'builtins', SocketServer: 'socketserver', cStringIO: 'io', StringIO: 'io',
};

/** Modules where every attribute is dangerous (module, or any submodule of it). */
const DENIED_MODULES: Record<string, string> = {
  os: RUNS_COMMANDS, posix: RUNS_COMMANDS, nt: RUNS_COMMANDS, subprocess: RUNS_COMMANDS, _posixsubprocess: RUNS_COMMANDS,
  pty: RUNS_COMMANDS, popen2: RUNS_COMMANDS, commands: RUNS_COMMANDS, platform: RUNS_COMMANDS, multiprocessing: RUNS_COMMANDS,
  sys: 'reaches the interpreter state (modules, exit, settrace)', runpy: RUNS_CODE, code: RUNS_CODE, codeop: RUNS_CODE,
  timeit: RUNS_CODE, pdb: RUNS_CODE, bdb: RUNS_CODE, trace: RUNS_CODE, profile: RUNS_CODE, cProfile: RUNS_CODE, doctest: RUNS_CODE,
  idlelib: RUNS_CODE, lib2to3: RUNS_CODE, pydoc: IMPORTS, importlib: IMPORTS, imp: IMPORTS, zipimport: IMPORTS, pkgutil: IMPORTS,
  marshal: 'rebuilds code objects', types: 'builds functions and code objects', ctypes: 'calls native code', _ctypes: 'calls native code',
  pickle: LOADS_PICKLE, _pickle: LOADS_PICKLE, cloudpickle: RUNS_CODE, dill: RUNS_CODE, shelve: LOADS_PICKLE,
  socket: NETWORK, _socket: NETWORK, ssl: NETWORK, http: NETWORK, urllib: NETWORK, urllib3: NETWORK, requests: NETWORK, httpx: NETWORK,
  aiohttp: NETWORK, asyncio: RUNS_COMMANDS, ftplib: NETWORK, smtplib: NETWORK, telnetlib: NETWORK, xmlrpc: NETWORK, socketserver: NETWORK,
  webbrowser: RUNS_COMMANDS, shutil: FILES, tempfile: FILES, fileinput: FILES, pip: RUNS_CODE, ensurepip: RUNS_CODE,
  venv: RUNS_COMMANDS, distutils: RUNS_COMMANDS, setuptools: RUNS_COMMANDS, signal: 'changes signal handlers', _thread: RUNS_CODE,
  'numpy.f2py': RUNS_CODE, 'numpy.testing': RUNS_CODE, 'numpy.distutils': RUNS_COMMANDS, 'numpy.ctypeslib': 'calls native code',
  'torch.hub': 'downloads and runs code', 'torch.package': LOADS_PICKLE, 'torch.utils.cpp_extension': 'compiles and loads native code',
  'torch.utils.bottleneck': RUNS_CODE, 'torch._inductor': RUNS_CODE, 'torch._dynamo': RUNS_CODE, 'sklearn.utils._testing': RUNS_CODE,
};

/** Single attributes that are dangerous in otherwise harmless or allowlisted modules. */
const DENIED: Record<string, string> = {
  'builtins.eval': RUNS_CODE, 'builtins.exec': RUNS_CODE, 'builtins.execfile': RUNS_CODE, 'builtins.compile': RUNS_CODE,
  'builtins.getattr': 'reaches any attribute of any object (os.system through a module)', 'builtins.setattr': 'changes any attribute',
  'builtins.delattr': 'deletes any attribute', 'builtins.__import__': IMPORTS, 'builtins.open': FILES, 'builtins.breakpoint': RUNS_CODE,
  'builtins.input': 'reads the terminal', 'builtins.apply': RUNS_CODE, 'builtins.globals': RUNS_CODE, 'builtins.locals': RUNS_CODE,
  'builtins.vars': RUNS_CODE, 'builtins.reload': IMPORTS, 'builtins.memoryview': 'reaches raw memory',
  'io.open': FILES, 'io.FileIO': FILES, 'io.open_code': FILES, '_io.open': FILES, '_io.FileIO': FILES, 'codecs.open': FILES, 'pathlib.Path.write_text': FILES,
  'functools.partial': 'binds any callable to arguments (functools.partial(os.system, ...))', 'functools.reduce': 'calls any callable',
  'functools.partialmethod': 'binds any callable', 'operator.attrgetter': 'reaches any attribute', 'operator.itemgetter': 'reaches any item',
  'operator.methodcaller': 'calls any method', 'operator.call': 'calls any callable', 'operator.getitem': 'reaches any item',
  '_operator.attrgetter': 'reaches any attribute', '_operator.itemgetter': 'reaches any item', '_operator.methodcaller': 'calls any method',
  '_operator.call': 'calls any callable', 'collections.namedtuple': RUNS_CODE,
  'torch.load': LOADS_PICKLE, 'torch.serialization.load': LOADS_PICKLE, 'torch.serialization._load': LOADS_PICKLE,
  'torch.jit.load': LOADS_PICKLE, 'torch.jit._serialization.load': LOADS_PICKLE,
  'torch.utils.collect_env.run': RUNS_COMMANDS, 'torch.utils.collect_env.run_and_read_all': RUNS_COMMANDS,
  'torch.jit.unsupported_tensor_ops.execWrapper': RUNS_CODE, 'torch.utils._config_module.ConfigModule.load_config': LOADS_PICKLE,
  'torch.utils.data.datapipes.utils.decoder.basichandlers': LOADS_PICKLE, 'torch.fx.experimental.symbolic_shapes.ShapeEnv.evaluate_guards_expression': RUNS_CODE,
  'numpy.load': LOADS_PICKLE, 'numpy.lib.npyio.load': LOADS_PICKLE, 'numpy.lib._npyio_impl.load': LOADS_PICKLE, 'numpy.fromfile': FILES,
  'numpy.core._ufunc_reconstruct': IMPORTS, 'numpy._core._ufunc_reconstruct': IMPORTS, 'numpy.core.multiarray.fromfile': FILES,
  'joblib.load': LOADS_PICKLE, 'joblib.numpy_pickle.load': LOADS_PICKLE, 'pandas.read_pickle': LOADS_PICKLE, 'pandas.io.pickle.read_pickle': LOADS_PICKLE,
  'sklearn.externals.joblib.load': LOADS_PICKLE, 'yaml.load': RUNS_CODE, 'yaml.unsafe_load': RUNS_CODE, 'keras.models.load_model': LOADS_PICKLE,
  'pydoc.locate': IMPORTS, 'pkgutil.resolve_name': IMPORTS,
};

/** Attribute-path steps that make any dotted name dangerous (`numpy.os.system`, `x.__globals__`). */
const DANGEROUS_STEPS = new Set([
  'os', 'sys', 'subprocess', 'posix', 'nt', 'builtins', '__builtins__', '__builtin__', 'system', 'popen', 'eval', 'exec', 'compile',
  '__import__', 'getattr', 'import_module', 'modules', '__globals__', '__code__', '__subclasses__', '__class__', '__base__', '__bases__',
  '__mro__', '__dict__', '__reduce__', '__reduce_ex__', '__getattribute__', '__init__', '__loader__', '__spec__', 'load', 'loads', 'open',
]);

/** Exactly these globals are safe. */
const ALLOWED = new Set([
  'collections.OrderedDict', 'collections.defaultdict', 'collections.deque', 'collections.Counter', '_collections.OrderedDict',
  '_codecs.encode', 'codecs.encode', 'copyreg._reconstructor', 'copyreg.__newobj__', 'copyreg.__newobj_ex__', 'copyreg._reduce_ex',
  'array.array', 'array._array_reconstructor', 'datetime.datetime', 'datetime.date', 'datetime.time', 'datetime.timedelta',
  'datetime.timezone', 'decimal.Decimal', 'fractions.Fraction', 'uuid.UUID', 'pathlib.PosixPath', 'pathlib.WindowsPath',
  'pathlib.PurePosixPath', 'pathlib.PureWindowsPath', 'pathlib.Path', 'zoneinfo.ZoneInfo', 'enum.Enum',
  'numpy.ndarray', 'numpy.dtype', 'numpy.matrix', 'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar', 'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer',
  'numpy.ma.core._mareconstruct', 'numpy.ma.core.MaskedArray', 'numpy.random._pickle.__randomstate_ctor',
  'numpy.random._pickle.__bit_generator_ctor', 'numpy.random._pickle.__generator_ctor', 'numpy.random.__RandomState_ctor',
  'numpy.random.mtrand.RandomState', 'numpy.random._generator.Generator', 'numpy.random._mt19937.MT19937', 'numpy.random._pcg64.PCG64',
  'numpy.random._pcg64.PCG64DXSM', 'numpy.random._philox.Philox', 'numpy.random._sfc64.SFC64', 'numpy.random.bit_generator.SeedSequence',
  'numpy.core.multiarray._reconstruct_from_buffer',
  'joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  'xgboost.core.Booster', 'lightgbm.basic.Booster', 'catboost.core.CatBoost', 'catboost.core.CatBoostClassifier',
  'catboost.core.CatBoostRegressor', 'catboost.core.CatBoostRanker', '_catboost._CatBoost',
  'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor_v3', 'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state', 'torch._utils._rebuild_qtensor', 'torch._utils._rebuild_sparse_tensor',
  'torch._utils._rebuild_sparse_csr_tensor', 'torch._utils._rebuild_nested_tensor', 'torch._utils._rebuild_device_tensor_from_numpy',
  'torch._utils._rebuild_meta_tensor_no_storage', 'torch._utils._rebuild_wrapper_subclass', 'torch._utils._rebuild_xla_tensor',
  'torch._utils._rebuild_mtia_tensor', 'torch._tensor._rebuild_from_type', 'torch._tensor._rebuild_from_type_v2',
  'torch.nn.parameter.Parameter', 'torch.nn.parameter.UninitializedParameter', 'torch.nn.parameter.Buffer', 'torch.Size', 'torch.device',
  'torch.Tensor', 'torch.serialization._get_layout', 'torch.storage.UntypedStorage', 'torch.storage.TypedStorage', 'torch.storage._TypedStorage',
  'torch.strided', 'torch.sparse_coo', 'torch.sparse_csr', 'torch.contiguous_format', 'torch.channels_last',
  'torch.preserve_format', 'torch.per_tensor_affine', 'torch.per_channel_affine', 'torch.jit._pickle.build_intlist',
  'torch.jit._pickle.build_doublelist', 'torch.jit._pickle.build_boollist', 'torch.jit._pickle.build_tensorlist',
  'torch.jit._pickle.build_tensor_from_id', 'torch.jit._pickle.restore_type_tag',
]);

/** torch's dtypes, pickled as attributes of `torch`. */
const TORCH_DTYPES = /^(u?int(8|16|32|64)|float(8_e4m3fnuz?|8_e5m2(fnuz)?|16|32|64)|bfloat16|half|float|double|long|int|short|bool|complex(32|64|128)|cfloat|cdouble|chalf|q(u?int8|int32|uint4x2|uint2x4)|bits\w*)$/;
/** numpy's scalar types and DType classes. */
const NUMPY_TYPES = /^(bool_?|u?int(8|16|32|64|c|p|_)?|u?longlong|u?short|u?byte|intp|uintp|float(16|32|64|96|128|_)|half|single|double|longdouble|complex(64|128|192|256|_)?|csingle|cdouble|clongdouble|str_|bytes_|unicode_|string_|object_|void|datetime64|timedelta64|generic|number)$/;

/** Where numpy's ufuncs pickle from, and the elementwise math ones (FunctionTransformer(np.log1p) and the like). */
const NUMPY_UFUNC_MODULES = new Set(['numpy', 'numpy.core._multiarray_umath', 'numpy._core._multiarray_umath', 'numpy.core.umath', 'numpy._core.umath']);
const NUMPY_UFUNCS = /^(log|log1p|log2|log10|exp|expm1|exp2|sqrt|cbrt|square|absolute|fabs|negative|positive|reciprocal|sign|sin|cos|tan|arcsin|arccos|arctan|arctan2|sinh|cosh|tanh|arcsinh|arccosh|arctanh|floor|ceil|rint|trunc|maximum|minimum|fmax|fmin|add|subtract|multiply|divide|true_divide|floor_divide|power|float_power|mod|remainder|isnan|isinf|isfinite|logical_and|logical_or|logical_not|logical_xor|greater|less|equal|not_equal|greater_equal|less_equal|deg2rad|rad2deg|hypot|logaddexp|logaddexp2)$/;

/** Builtins that only construct plain data (anything else in builtins is suspicious, the dangerous ones unsafe). */
const SAFE_BUILTINS = new Set([
  'set', 'frozenset', 'bytearray', 'bytes', 'slice', 'complex', 'range', 'object', 'dict', 'list', 'tuple', 'int', 'float', 'str',
  'bool', 'Ellipsis', 'NotImplemented', 'long', 'unicode', 'xrange',
]);

/**
 * Libraries whose classes (CamelCase names) and generated unpickling helpers are safe: their
 * model objects are rebuilt from such names, while their plain functions are not needed to load
 * a model and stay suspicious. Each entry is a module prefix.
 */
const CLASS_NAMESPACES = ['sklearn.', 'xgboost.sklearn', 'lightgbm.sklearn', 'pandas.core.', 'pandas._libs.', 'scipy.sparse.', 'torch.nn.modules.', 'torch.optim.', 'imblearn.', 'statsmodels.', 'category_encoders.'];
/** Cython's generated unpickle helpers and pandas/sklearn rebuild functions. */
const REBUILD_FUNCTION = /^(__pyx_unpickle_\w+|_unpickle\w*|_new_\w+|_reconstruct\w*|_rebuild\w*|newObj|new_block\w*|_restore\w*)$/;
const SPARSE_CLASSES = /^(csr|csc|coo|bsr|dia|dok|lil)_(matrix|array)$/;

function normalizeModule(module: string): string {
  const first = module.split('.')[0]!;
  const mapped = PY2_MODULES[first];
  return mapped ? mapped + module.slice(first.length) : module;
}

function deniedModule(module: string): string | undefined {
  const parts = module.split('.');
  for (let i = parts.length; i >= 1; i--) {
    const reason = DENIED_MODULES[parts.slice(0, i).join('.')];
    if (reason) return reason;
  }
  return undefined;
}

function allowedByNamespace(module: string, name: string): boolean {
  if (!CLASS_NAMESPACES.some((p) => module.startsWith(p) || module === p.replace(/\.$/, ''))) return false;
  if (module.startsWith('scipy.sparse')) return SPARSE_CLASSES.test(name) || /^[A-Z]/.test(name);
  return /^[A-Z]/.test(name) || REBUILD_FUNCTION.test(name);
}

/** Classifies one global (module and attribute name as the pickle wrote them). */
export function classifyGlobal(rawModule: string, name: string, context: PolicyContext = {}): Classification {
  if (rawModule === '?' || name === '?') {
    const known = rawModule === '?' ? undefined : deniedModule(normalizeModule(rawModule));
    if (known) return { verdict: 'unsafe', reason: `an attribute of ${rawModule}, which ${known}` };
    return { verdict: 'suspicious', reason: 'the module or name is not a plain string in the pickle, so it cannot be checked' };
  }
  const module = normalizeModule(rawModule);
  const full = `${module}.${name}`;
  const moduleReason = deniedModule(module);
  if (moduleReason) return { verdict: 'unsafe', reason: `${module} ${moduleReason}` };
  const exact = DENIED[full];
  if (exact) return { verdict: 'unsafe', reason: exact };
  if (name.includes('.')) {
    const steps = name.split('.');
    const bad = steps.find((s) => DANGEROUS_STEPS.has(s));
    if (bad) return { verdict: 'unsafe', reason: `reaches ${bad} through an attribute path` };
    // Python resolves `a.b` on the module one step at a time: check the first step as the module's own attribute.
    const first = DENIED[`${module}.${steps[0]}`];
    if (first) return { verdict: 'unsafe', reason: first };
    return ALLOWED.has(full) ? { verdict: 'safe' } : { verdict: 'suspicious', reason: 'an attribute path, not a plain name' };
  }
  if (ALLOWED.has(full)) return { verdict: 'safe' };
  if (module === 'builtins') {
    if (SAFE_BUILTINS.has(name) || /^[A-Z]\w*(Error|Exception|Warning)$/.test(name)) return { verdict: 'safe' };
    return { verdict: 'suspicious', reason: 'a builtin that is neither plain data nor known to be harmless' };
  }
  if (module === 'torch' && (TORCH_DTYPES.test(name) || /Storage$/.test(name))) return { verdict: 'safe' };
  if (module === 'numpy' && NUMPY_TYPES.test(name)) return { verdict: 'safe' };
  if (module === 'numpy.dtypes' && /DType$/.test(name)) return { verdict: 'safe' };
  if (NUMPY_UFUNC_MODULES.has(module) && NUMPY_UFUNCS.test(name)) return { verdict: 'safe' };
  if (full === 'torch.storage._load_from_bytes') {
    // How plain pickle (not torch.save) stores a tensor: a whole torch.save archive in a bytes payload, loaded on unpickling.
    return { verdict: 'suspicious', reason: 'loads a torch.save archive embedded as bytes in the pickle, which this scan does not open' };
  }
  if (allowedByNamespace(module, name)) return { verdict: 'safe' };
  if (module === '__torch__' || module.startsWith('__torch__.')) {
    // TorchScript's own compiled classes: torch.jit.load resolves them from the archive's code/, never by a Python import.
    return context.format === 'torchscript' ? { verdict: 'safe' } : { verdict: 'suspicious', reason: 'a TorchScript class outside a TorchScript archive' };
  }
  if (module === '__main__') return { verdict: 'suspicious', reason: 'a class or function from the script that saved the model: loading needs that code' };
  if (module === 'copyreg' && name.startsWith('extension#')) return { verdict: 'suspicious', reason: 'a copyreg extension code, resolved from a registry at load time' };
  return { verdict: 'suspicious', reason: 'not on the list of globals known to be safe' };
}

/** The worse of two verdicts. */
export function worse(a: Verdict, b: Verdict): Verdict {
  const rank = { safe: 0, suspicious: 1, unsafe: 2 } as const;
  return rank[a] >= rank[b] ? a : b;
}
