// Puts a happy-dom window on the globals (window, document, HTMLElement, …) so React can render
// into it in plain Node. Imported first by render.ts: react-dom decides whether it runs in a DOM
// when it is loaded. Each test file runs in its own process, so the globals never leak between files.
import { GlobalRegistrator } from '@happy-dom/global-registrator';

if (!GlobalRegistrator.isRegistered) GlobalRegistrator.register({ url: 'http://pulltrace.test/' });

// Tells React that tests wrap updates in act(), so it flushes effects and warns about stray updates.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

// happy-dom does no layout: every box is 0 px. The virtualized pull list draws only the rows that
// fit in its scroll box, so that box gets a window's height, as in a browser; nothing else in the
// UI reads a size.
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return this.classList.contains('list-scroll') ? window.innerHeight : 0;
  },
});
