// The cross-browser behaviour suite (test-helpers/browser-scenario.ts) in Firefox ESR (Debian's firefox-esr, through puppeteer-core over WebDriver BiDi).
import { browserScenario } from '../../test-helpers/browser-scenario.js';
import { firefoxKind } from '../../test-helpers/browsers.js';

browserScenario(firefoxKind);
