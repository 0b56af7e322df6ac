// shareConnection in real Firefox (Debian's firefox-esr through puppeteer-core over WebDriver
// BiDi): the cross-browser share suite (test-helpers/share-scenario.ts).
import { firefoxKind } from '../../../test-helpers/browsers.js';
import { shareScenario } from '../../../test-helpers/share-scenario.js';

shareScenario(firefoxKind);
