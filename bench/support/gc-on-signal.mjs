// Preloaded into the core by the capture benchmarks (node --expose-gc --import this): SIGUSR2 runs a
// full garbage collection, so resident memory can be read as what the process retains rather than
// whatever heap V8 still holds from the load. Never part of the app.
process.on('SIGUSR2', () => globalThis.gc?.());
