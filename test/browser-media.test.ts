// test/browser-media.test.ts
// Media seeking in Chromium: a <audio> element seeks into a WAV file through Range requests,
// which is what video and audio scrubbing needs from a file server (Python's has no ranges).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResponseLogEntry } from '../src/serve/options.js';
import { browserSkipReason, launchChromium } from './browser-helpers.js';
import { makeTree, serve } from './helpers.js';

/** A mono 8 kHz, 16-bit PCM WAV of `seconds` seconds of a quiet tone (about 16 KB per second). */
function makeWav(seconds: number): Buffer {
  const rate = 8000;
  const samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(Math.sin((i * 2 * Math.PI * 440) / rate) * 3000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

test('Chromium seeks an <audio> element deep into a file with Range requests', {
  skip: browserSkipReason(),
}, async (t) => {
  const wav = makeWav(60);
  const root = await makeTree(t, {
    'tone.wav': wav,
    'index.html': '<!doctype html><audio id="a" src="tone.wav" preload="metadata"></audio>',
  });
  const log: ResponseLogEntry[] = [];
  const { port } = await serve(t, { root, onResponse: (entry) => log.push(entry) });
  const browser = await launchChromium(t);
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  const position = await page.evaluate(async () => {
    const audio = document.getElementById('a') as HTMLAudioElement;
    if (audio.readyState < 1)
      await new Promise((done) => audio.addEventListener('loadedmetadata', done, { once: true }));
    audio.currentTime = 50;
    await new Promise((done) => audio.addEventListener('seeked', done, { once: true }));
    return { time: audio.currentTime, duration: audio.duration };
  });
  assert.equal(Math.round(position.duration), 60);
  assert.ok(Math.abs(position.time - 50) < 0.5, `seeked to ${position.time}`);
  const media = log.filter((entry) => entry.url === '/tone.wav');
  assert.ok(
    media.some((entry) => entry.status === 206),
    `a 206 among ${JSON.stringify(media.map((e) => e.status))}`,
  );
  // The browser's media cache may revalidate a range it already holds: 304 is right then.
  assert.ok(
    media.every((entry) => [200, 206, 304].includes(entry.status)),
    JSON.stringify(media),
  );
});
