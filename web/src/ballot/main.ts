// The villager's ballot page: its own entry and bundle (see scripts/measure-ballot-bundle.ts).
import { mount } from 'svelte';
import './ballot.css';
import Ballot from './Ballot.svelte';
import { fragmentOfPath } from './token.ts';

// Svelte's runtime calls String.prototype.replaceAll (Chrome 85); older Android WebViews lack it.
// Only plain-string patterns are needed.
if (typeof String.prototype.replaceAll !== 'function') {
  Object.defineProperty(String.prototype, 'replaceAll', {
    configurable: true,
    writable: true,
    value(this: string, search: string, replacement: string): string {
      return this.split(search).join(replacement);
    },
  });
}

// A mangled slip link (/v/TOKEN): the code moves into the fragment before the page reads it.
const fragment = fragmentOfPath(location.pathname, location.hash);
if (fragment !== null) history.replaceState(null, '', `/v${fragment}`);

const target = document.getElementById('app');
if (target) mount(Ballot, { target });
