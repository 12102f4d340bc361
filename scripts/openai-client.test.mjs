// The official OpenAI Node SDK (npm "openai") against ragcite's
// OpenAI-compatible chat API: a real ragcite serve over the sample articles,
// plain and streamed replies, a follow-up, an abstention, the $10 billion /
// $50 billion conflict, and errors the SDK understands.
// Run: npm ci && node --test scripts/openai-client.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const amazon = 'How much is Amazon reportedly considering investing in OpenAI?';
let dir, server, base, client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ragcite-openai-node-'));
  const bin = join(dir, 'ragcite');
  execFileSync('go', ['build', '-o', bin, './cmd/ragcite'], { cwd: root, stdio: 'inherit' });
  server = spawn(bin, ['serve', '--data', join(dir, 'data'), '--addr', '127.0.0.1:0', '--log-level', 'warn',
    '--ingest', join(root, 'testdata', 'articles'), '--read-key', 'node-key'], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`ragcite serve exited with ${code}`)));
  });
  for (let i = 0; ; i++) {
    const res = await fetch(`${base}/readyz`);
    if (res.ok) break;
    if (i > 300) throw new Error('ragcite serve did not become ready');
    await sleep(100);
  }
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'node-key', maxRetries: 0 });
});

after(() => {
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function streamed(params) {
  const stream = await client.chat.completions.create({ ...params, stream: true });
  let content = '';
  let finish = null;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      content += c.delta?.content ?? '';
      finish = c.finish_reason ?? finish;
    }
  }
  return { content, finish };
}

test('models lists ragcite and one model per collection', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ['ragcite', 'ragcite/default']);
  const m = await client.models.retrieve('ragcite/default');
  assert.equal(m.id, 'ragcite/default');
});

test('conflict: both figures, cited, plain and streamed alike', async () => {
  const params = { model: 'ragcite', messages: [{ role: 'user', content: amazon }] };
  const res = await client.chat.completions.create(params);
  const content = res.choices[0].message.content;
  for (const want of ['$10 billion', '$50 billion', '[1]', '\n\nSources:\n- [1] ']) {
    assert.ok(content.includes(want), `content lacks ${JSON.stringify(want)}: ${content}`);
  }
  assert.ok(res.citations.length >= 2, 'citations field');
  assert.ok(res.ragcite.answer.conflicts.length > 0, 'ragcite.answer.conflicts');
  assert.ok(content.startsWith(res.ragcite.answer.answer));
  const s = await streamed(params);
  assert.equal(s.content, content);
  assert.equal(s.finish, 'stop');
});

test('follow-up uses the previous turn', async () => {
  const messages = [
    { role: 'user', content: amazon },
    { role: 'assistant', content: 'Amazon is reportedly ... [1]' },
    { role: 'user', content: 'and how much did Microsoft invest?' },
  ];
  const res = await client.chat.completions.create({ model: 'ragcite', messages });
  assert.equal(res.ragcite.question, 'how much did Microsoft invest in OpenAI?');
  assert.ok(res.choices[0].message.content.includes('$13 billion'), res.choices[0].message.content);
  const s = await streamed({ model: 'ragcite', messages });
  assert.equal(s.content, res.choices[0].message.content);
});

test('abstention reads as a sentence without sources', async () => {
  const res = await client.chat.completions.create({
    model: 'ragcite', messages: [{ role: 'user', content: 'What is the boiling point of mercury?' }],
  });
  const content = res.choices[0].message.content;
  assert.ok(content.includes('do not cover'), content);
  assert.ok(!content.includes('Sources:'), content);
  assert.deepEqual(res.citations, []);
  assert.equal(res.ragcite.answer.abstained, true);
});

test('Sources list switched off per request', async () => {
  const res = await client.chat.completions.create({
    model: 'ragcite', messages: [{ role: 'user', content: amazon }], ragcite: { sources: false },
  });
  assert.ok(!res.choices[0].message.content.includes('Sources:'));
  assert.ok(res.citations.length >= 2);
});

test('errors arrive as the SDK error classes', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    (err) => err instanceof OpenAI.NotFoundError && err.code === 'model_not_found' && err.param === 'model',
  );
  const bad = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(
    bad.chat.completions.create({ model: 'ragcite', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    (err) => err instanceof OpenAI.AuthenticationError && err.status === 401,
  );
});
