// Usage: node sdk-test.mjs BASE_URL MODEL — exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [base, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 30000 });
const req = { model, prompt: 'Once upon a time', max_tokens: 24, temperature: 0, ignore_eos: true };

const plain = await client.completions.create(req);
const text = plain.choices[0].text;
assert.equal(plain.usage.completion_tokens, 24);
assert.equal(plain.usage.prompt_tokens, 5);

let streamed = '';
let usage = null;
for await (const chunk of await client.completions.create({ ...req, stream: true, stream_options: { include_usage: true } })) {
  for (const c of chunk.choices) streamed += c.text;
  if (chunk.usage) usage = chunk.usage;
}
assert.equal(streamed, text);
assert.equal(usage.completion_tokens, 24);

const stop = text.slice(8, 15);
let stopped = '';
for await (const chunk of await client.completions.create({ ...req, stop: [stop], stream: true })) {
  for (const c of chunk.choices) stopped += c.text;
}
assert.equal(stopped, text.slice(0, 8));

const seeded = { ...req, temperature: 0.9, n: 2, seed: 5, max_tokens: 10 };
const a = await client.completions.create(seeded);
const b = await client.completions.create(seeded);
assert.equal(a.choices.length, 2);
assert.deepEqual(a.choices.map(c => c.text), b.choices.map(c => c.text));

const lp = await client.completions.create({ ...req, max_tokens: 3, logprobs: 2 });
assert.equal(lp.choices[0].logprobs.tokens.length, 3);

const chatReq = { model, messages: [{ role: 'user', content: 'Tom had a dog.' }], max_completion_tokens: 16, temperature: 0 };
const chat = await client.chat.completions.create(chatReq);
let chatStreamed = '';
let first = true;
for await (const chunk of await client.chat.completions.create({ ...chatReq, stream: true })) {
  if (first) assert.equal(chunk.choices[0].delta.role, 'assistant');
  first = false;
  chatStreamed += chunk.choices[0]?.delta?.content ?? '';
}
assert.equal(chatStreamed, chat.choices[0].message.content);

await assert.rejects(client.completions.create({ ...req, model: 'no-such-model' }), (e) => {
  assert.ok(e instanceof OpenAI.NotFoundError, String(e));
  assert.equal(e.status, 404);
  assert.equal(e.type, 'NotFoundError');
  assert.match(e.message, /The model `no-such-model` does not exist\./);
  return true;
});
await assert.rejects(client.completions.create({ ...req, top_p: 0 }), (e) => {
  assert.ok(e instanceof OpenAI.BadRequestError, String(e));
  assert.equal(e.param, 'top_p');
  assert.match(e.message, /top_p must be in \(0, 1\]/);
  return true;
});
assert.equal((await client.completions.create(req)).choices[0].text, text);
console.log('node openai sdk checks: all ok');
