/**
 * The Workers build's stand-in for reflect-metadata (`workerAliases` in worker.build.ts): @simplewebauthn
 * imports it for its side effect, the `Reflect.metadata` API that @peculiar/x509's dependency
 * injection needs; x509 is aliased away on Workers (no-x509.ts), so nothing there reads it.
 */
export {};
