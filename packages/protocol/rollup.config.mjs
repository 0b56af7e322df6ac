import { libraryConfig } from '../../scripts/rollup-lib.mjs';

export default libraryConfig();
