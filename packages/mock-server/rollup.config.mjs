import { libraryConfig } from '../../scripts/rollup-lib.mjs';

export default libraryConfig({ bins: { cli: 'src/cli.ts' } });
