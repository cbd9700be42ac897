// The browser code in media/ runs in the webview (DOM, no Node), so the project's tsconfig, which
// has no DOM library, does not check it. This test does: media/*.ts compiled strictly against
// ES2022 + DOM with no ambient types, so a Node API used by mistake fails here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

test('media/*.ts type-checks strictly against the DOM, without Node', () => {
  const media = join(__dirname, '../../../media');
  const files = readdirSync(media).filter((f) => f.endsWith('.ts')).map((f) => join(media, f));
  const program = ts.createProgram(files, {
    strict: true,
    noImplicitReturns: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noFallthroughCasesInSwitch: true,
    isolatedModules: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    noEmit: true,
    // The DOM's own declarations are not ours to check, and are most of the time.
    skipLibCheck: true,
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(media.length - 5)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  assert.deepEqual(problems, []);
});
