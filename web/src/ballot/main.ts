// The villager's ballot page: its own entry and bundle (see scripts/measure-ballot-bundle.ts).
import { mount } from 'svelte';
import './ballot.css';
import Ballot from './Ballot.svelte';

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

const target = document.getElementById('app');
if (target) mount(Ballot, { target });
