/**
 * `openkbs-pulse/server`: the server SDK (`@openkbs-pulse/server`) under the client package's
 * name, so `import pulse from 'openkbs-pulse/server'` works in backends. Not part of `pulse.js`.
 * @packageDocumentation
 */
export * from '@openkbs-pulse/server';
export { default } from '@openkbs-pulse/server';
