// The allowlist / denylist policy, as a table of globals and verdicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGlobal, worse } from '../../../src/core/lint/model/picklePolicy';

const UNSAFE = [
  'os.system', 'os.path.join', 'posix.system', 'nt.system', 'subprocess.Popen', 'subprocess.check_output', 'builtins.eval', 'builtins.exec',
  'builtins.getattr', 'builtins.open', 'builtins.compile', 'builtins.__import__', '__builtin__.eval', '__builtin__.getattr', 'runpy._run_code',
  'importlib.import_module', 'marshal.loads', 'ctypes.CDLL', 'socket.socket', 'functools.partial', 'operator.attrgetter', 'operator.itemgetter',
  'operator.methodcaller', '_operator.attrgetter', 'torch.load', 'torch.serialization.load', 'numpy.load',
  'joblib.load', 'pandas.read_pickle', 'pickle.loads', '_pickle.loads', 'sys.modules', 'shutil.rmtree', 'code.InteractiveInterpreter',
  'pty.spawn', 'webbrowser.open', 'numpy.testing._private.utils.runstring', 'numpy.f2py.crackfortran', 'commands.getoutput', 'cPickle.loads',
  'types.FunctionType', 'dill._dill._load_type', 'torch.hub.load', 'asyncio.create_subprocess_shell', 'sklearn.utils._testing.assert_run_python_script',
  'numpy.core._ufunc_reconstruct',
];
const SAFE = [
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct', 'numpy.ndarray', 'numpy.dtype', 'numpy.core.multiarray.scalar',
  'numpy.float64', 'numpy.random._pickle.__randomstate_ctor', 'sklearn.linear_model._logistic.LogisticRegression', 'sklearn.tree._tree.Tree',
  'sklearn._loss._loss.__pyx_unpickle_CyHalfBinomialLoss', 'sklearn.neighbors._kd_tree.newObj', 'xgboost.core.Booster',
  'xgboost.sklearn.XGBClassifier', 'lightgbm.basic.Booster', 'lightgbm.sklearn.LGBMClassifier', 'catboost.core.CatBoostClassifier',
  'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', 'torch.FloatStorage', 'torch.BFloat16Storage', 'torch.float32',
  'torch.nn.modules.container.Sequential', 'torch.nn.modules.linear.Linear', 'torch.device', 'collections.OrderedDict', 'copyreg._reconstructor',
  'copy_reg._reconstructor', '__builtin__.object', 'builtins.set', 'builtins.frozenset', 'builtins.bytearray', 'builtins.slice',
  'builtins.complex', '_codecs.encode', 'joblib.numpy_pickle.NumpyArrayWrapper', 'scipy.sparse._csr.csr_matrix', 'scipy.sparse.csc.csc_matrix',
  'pandas.core.frame.DataFrame', 'pandas._libs.internals._unpickle_block', 'pandas.core.indexes.base._new_Index', 'datetime.datetime',
  'numpy.core._multiarray_umath.log1p', 'numpy.exp',
];
const SUSPICIOUS = [
  '__main__.MyModel', 'mypackage.models.Net', 'builtins.type', 'builtins.print', 'numpy.random.seed', 'sklearn.datasets.fetch_openml',
  'xgboost.core.DMatrix', 'torch.Generator', 'pandas.io.pytables.HDFStore', 'scipy.stats._distn_infrastructure.rv_frozen', '?.?', 'copyreg.extension#7',
  '__torch__.MyModule', 'sklearn.pipeline.Pipeline.fit', 'joblib.numpy_pickle_compat.NDArrayWrapper', 'torch.storage._load_from_bytes',
  'numpy.core._multiarray_umath.fromfile',
];

function split(full: string): [string, string] {
  if (full === '?.?') return ['?', '?'];
  const special = /^(copyreg)\.(extension#\d+)$/.exec(full) ?? /^(sklearn\.pipeline)\.(Pipeline\.fit)$/.exec(full);
  if (special) return [special[1]!, special[2]!];
  const i = full.lastIndexOf('.');
  return [full.slice(0, i), full.slice(i + 1)];
}

test('the denylist: commands, code, imports, files, sockets, nested loads', () => {
  for (const g of UNSAFE) {
    const [m, n] = split(g);
    const c = classifyGlobal(m, n);
    assert.equal(c.verdict, 'unsafe', g);
    assert.ok(c.reason, `${g} says why`);
  }
});

test('the allowlist: what sklearn, XGBoost, LightGBM, CatBoost, torch, numpy, scipy and pandas pickles are made of', () => {
  for (const g of SAFE) assert.equal(classifyGlobal(...split(g)).verdict, 'safe', g);
});

test('everything else is suspicious', () => {
  for (const g of SUSPICIOUS) assert.equal(classifyGlobal(...split(g)).verdict, 'suspicious', g);
});

test('attribute paths are checked step by step (protocol 4 resolves dotted names)', () => {
  assert.equal(classifyGlobal('numpy', 'os.system').verdict, 'unsafe');
  assert.equal(classifyGlobal('collections', 'OrderedDict.__init__.__globals__').verdict, 'unsafe');
  assert.equal(classifyGlobal('torch', 'serialization.load').verdict, 'unsafe');
  assert.equal(classifyGlobal('sklearn.pipeline', 'Pipeline.Inner').verdict, 'suspicious');
});

test('a dynamic name in a dangerous module is still unsafe', () => {
  assert.equal(classifyGlobal('os', '?').verdict, 'unsafe');
  assert.equal(classifyGlobal('sklearn.base', '?').verdict, 'suspicious');
});

test('TorchScript classes are safe only inside a TorchScript archive', () => {
  assert.equal(classifyGlobal('__torch__.torch.nn.modules.linear', 'Linear', { format: 'torchscript' }).verdict, 'safe');
  assert.equal(classifyGlobal('__torch__.torch.nn.modules.linear', 'Linear', { format: 'pickle' }).verdict, 'suspicious');
});

test('the verdict is the worst one', () => {
  assert.equal(worse('safe', 'suspicious'), 'suspicious');
  assert.equal(worse('unsafe', 'suspicious'), 'unsafe');
  assert.equal(worse('safe', 'safe'), 'safe');
});
