// Preloaded into the core by the capture benchmarks (node --expose-gc --import this): SIGUSR2 runs a
// full garbage collection in every thread of the process, so resident memory can be read as what
// the process retains rather than whatever heap V8 still holds from the load. Never part of the app.
//
// The capture network thread has its own heap, and Node 20 does not run --import preloads in
// workers: each Worker the core starts is wrapped so that it first listens for the signal's
// broadcast, then loads its own script.
import module from 'node:module';
import { pathToFileURL } from 'node:url';
import workerThreads from 'node:worker_threads';

const CHANNEL = 'mem0-bench-gc';
const Worker = workerThreads.Worker;
workerThreads.Worker = class extends Worker {
  constructor(script, options = {}) {
    const url = script instanceof URL ? script.href : pathToFileURL(String(script)).href;
    const listen = `const c = new (require('node:worker_threads').BroadcastChannel)(${JSON.stringify(CHANNEL)});
      c.unref(); c.onmessage = () => globalThis.gc?.();`;
    super(`${listen} import(${JSON.stringify(url)});`, { ...options, eval: true });
  }
};
module.syncBuiltinESMExports();

const everyThread = new workerThreads.BroadcastChannel(CHANNEL);
everyThread.unref();
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  everyThread.postMessage('gc');
});
