// The BuildKit session's hand-encoded protobufs, the redaction of secrets from build output, and
// the CLI's collection of build secrets (environment, PIP_CONFIG_FILE, --secret).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { protobufBytesField, protobufStringField, secretRedactor } from '../../../src/docker/buildSession';
import { collectBuildSecrets } from '../../../src/cli/commands/ship';

test('GetSecretRequest: the ID in field 1, other fields (annotations) skipped', () => {
  // ID "PIP_INDEX_URL", then field 2 (a map entry, length-delimited), then a varint field 3.
  const id = Buffer.from('PIP_INDEX_URL');
  const entry = Buffer.from([0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76]);
  const message = Buffer.concat([Buffer.from([0x0a, id.length]), id, Buffer.from([0x12, entry.length]), entry, Buffer.from([0x18, 0x96, 0x01])]);
  assert.equal(protobufStringField(message, 1), 'PIP_INDEX_URL');
  assert.equal(protobufStringField(Buffer.alloc(0), 1), undefined);
});

test('GetSecretResponse: data as field 1 bytes, with a multi-byte length', () => {
  const data = Buffer.alloc(300, 0x61);
  const encoded = protobufBytesField(1, data);
  assert.deepEqual([...encoded.subarray(0, 3)], [0x0a, 0xac, 0x02]);
  assert.equal(protobufStringField(encoded, 1), data.toString());
});

test('the redactor hides values, pip.conf settings and the URL as pip masks it', () => {
  const redact = secretRedactor(new Map([
    ['PIP_INDEX_URL', Buffer.from('https://me:hunter22@mirror.corp/simple\n')],
    ['pip.conf', Buffer.from('[global]\nextra-index-url = https://other.corp/simple\ntimeout = 5\n')],
  ]));
  assert.equal(redact('Looking in indexes: https://me:****@mirror.corp/simple, https://other.corp/simple'), 'Looking in indexes: ***, ***');
  assert.equal(redact("index-url='https://me:hunter22@mirror.corp/simple'"), "index-url='***'");
  assert.equal(redact('timeout = 5'), 'timeout = 5', 'short settings are not secrets worth hiding');
  assert.equal(secretRedactor(undefined)('x'), 'x');
});

test('build secrets come from PIP_* variables, PIP_CONFIG_FILE and --secret; empty ones are left out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-secret-'));
  const conf = join(dir, 'pip.conf');
  writeFileSync(conf, '[global]\nindex-url = https://x/simple\n');
  const secrets = collectBuildSecrets(['id=TOKEN,env=MY_TOKEN', `id=netrc,src=${conf}`, 'id=EMPTY'], {
    PIP_INDEX_URL: 'https://mirror/simple', PIP_EXTRA_INDEX_URL: '', PIP_CONFIG_FILE: conf, MY_TOKEN: 't0k', EMPTY: '',
  });
  assert.deepEqual([...secrets.keys()], ['PIP_INDEX_URL', 'pip.conf', 'TOKEN', 'netrc']);
  assert.equal(secrets.get('TOKEN')?.toString(), 't0k');
  assert.throws(() => collectBuildSecrets(['env=X']), /--secret env=…: expected id=ID/);
  assert.throws(() => collectBuildSecrets([`id=x,src=${join(dir, 'missing')}`]), /cannot read .*missing/);
});
