// Renders a React element into a happy-dom document and hands back what a user would look at:
// the container to query, plus rerender (a new prop, as a live update would) and a click.
// Every render is unmounted when its test ends.
import './registerDom.js';
import type { TestContext } from 'node:test';
import { act, type ReactElement } from 'react';
import { createRoot } from 'react-dom/client';

export interface Rendered {
  container: HTMLElement;
  rerender(element: ReactElement): void;
  /** one element by CSS selector; fails the test naming the selector when it is missing */
  get(selector: string): HTMLElement;
  /** trimmed text of one element by CSS selector */
  text(selector: string): string;
  /** trimmed texts of every element matching a selector, in document order */
  texts(selector: string): string[];
  click(selector: string): void;
  /** types into an input (or picks a select's option) as a user would: React's onChange fires */
  fill(selector: string, value: string): void;
}

export function render(t: TestContext, element: ReactElement): Rendered {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(element));
  t.after(() => {
    act(() => root.unmount());
    container.remove();
  });
  const get = (selector: string): HTMLElement => {
    const found = container.querySelector<HTMLElement>(selector);
    if (!found) throw new Error(`nothing matches ${selector} in:\n${container.innerHTML.slice(0, 2000)}`);
    return found;
  };
  return {
    container,
    rerender: (next) => act(() => root.render(next)),
    get,
    text: (selector) => (get(selector).textContent ?? '').trim(),
    texts: (selector) => [...container.querySelectorAll(selector)].map((e) => (e.textContent ?? '').trim()),
    click: (selector) => act(() => get(selector).click()),
    fill: (selector, value) => act(() => fill(get(selector), value)),
  };
}

// React keeps its own copy of a field's value and ignores an event unless the DOM value really
// changed, so set it through the element's native setter, then fire the event React listens to.
function fill(element: HTMLElement, value: string): void {
  const prototype = element instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(prototype, 'value')?.set?.call(element, value);
  element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
}
