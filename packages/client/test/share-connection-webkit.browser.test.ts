// shareConnection in WebKit (WebKitGTK's MiniBrowser from Debian's webkit2gtk-driver, over W3C
// WebDriver under Xvfb; tabs are windows of one session): the cross-browser share suite
// (test-helpers/share-scenario.ts).
import { webkitKind } from '../../../test-helpers/browsers.js';
import { shareScenario } from '../../../test-helpers/share-scenario.js';

shareScenario(webkitKind);
