// src/listing/read-worker.ts
// The worker thread that reads big folders for reader.ts: readdir and one stat per entry,
// blocking here so the server's event loop doesn't, sent back packed in typed arrays.
import { parentPort, workerData } from 'node:worker_threads';
import { workerStarted } from '../serve/young-generation.js';
import type { ReadReply, ReadRequest } from './packed.js';
import { readPackedSync } from './read.js';

workerStarted(workerData);

parentPort?.on('message', (request: ReadRequest) => {
  let reply: ReadReply;
  try {
    const packed = readPackedSync(request.dirPath, request.rules);
    reply = { id: request.id, packed };
    const buffers = [
      packed.names.buffer,
      packed.types.buffer,
      packed.sizes.buffer,
      packed.mtimes.buffer,
    ] as ArrayBuffer[];
    parentPort?.postMessage(reply, buffers);
  } catch (error) {
    // Only the code crosses over: it is all httpErrorFromFs looks at.
    const code = (error as NodeJS.ErrnoException | null)?.code ?? 'EIO';
    reply = { id: request.id, error: code };
    parentPort?.postMessage(reply);
  }
});
