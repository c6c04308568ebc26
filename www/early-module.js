// The ES module, imported without a bundler, called at once (see early.js).
import { EPayWidget } from '/pkg/epay-widget.mjs';

window.earlyStart(EPayWidget, 'module');
