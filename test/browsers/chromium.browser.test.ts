// The cross-browser behaviour suite (test-helpers/browser-scenario.ts) in Chromium (Debian's chromium, through playwright-core).
import { browserScenario } from '../../test-helpers/browser-scenario.js';
import { chromiumKind } from '../../test-helpers/browsers.js';

browserScenario(chromiumKind);
