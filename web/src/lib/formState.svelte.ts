// What a console form shows around its fields while it is checked and sent: the errors by field,
// the form's message and whether a request is under way.
import { ApiError, messageOf } from './api.ts';

export class FormState {
  errors = $state<Record<string, string>>({});
  message = $state('');
  busy = $state(false);

  /**
   * Runs `check` (errors by field, none when the input is good), then `send`, one at a time.
   * When `send` throws, the server's field errors and message take the place of the old ones.
   */
  async submit(check: () => Record<string, string>, send: () => Promise<void>): Promise<void> {
    this.message = '';
    this.errors = check();
    if (Object.keys(this.errors).length > 0 || this.busy) return;
    this.busy = true;
    try {
      await send();
    } catch (err) {
      this.errors = err instanceof ApiError ? err.fieldErrors() : {};
      this.message = messageOf(err);
    } finally {
      this.busy = false;
    }
  }
}
