import { libraryConfig } from '../../scripts/rollup-lib.mjs';

// undici-node / undici-none are the two targets of the `#undici` import map (src/undici.ts).
export default libraryConfig({
  input: { index: 'src/index.ts', 'undici-node': 'src/undici-node.ts', 'undici-none': 'src/undici-none.ts' },
  bins: { cli: 'src/cli.ts' },
});
