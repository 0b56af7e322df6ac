// The cross-browser behaviour suite (test-helpers/browser-scenario.ts) in WebKit (WebKitGTK's MiniBrowser from Debian's webkit2gtk-driver, over W3C WebDriver, under Xvfb).
import { browserScenario } from '../../test-helpers/browser-scenario.js';
import { webkitKind } from '../../test-helpers/browsers.js';

browserScenario(webkitKind);
