// The admin's account list. A password (generated at creation or by a reset) comes back from the
// server exactly once; it is kept here only until the admin dismisses it.
import { api, messageOf, type NewOfficial, type Official } from '../../lib/api.ts';

export interface Revealed {
  kind: 'created' | 'reset';
  username: string;
  password: string;
}

export class Accounts {
  list = $state.raw<Official[]>([]);
  loading = $state(false);
  error = $state('');
  revealed = $state.raw<Revealed | null>(null);

  async load(): Promise<void> {
    this.loading = true;
    this.error = '';
    try {
      this.list = (await api.officials()).officials;
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }

  /** Throws the ApiError so the form can show it beside the fields. */
  async create(body: NewOfficial): Promise<void> {
    const { official, password } = await api.createOfficial(body);
    this.list = [official, ...this.list];
    this.revealed = { kind: 'created', username: official.username, password };
  }

  async setDisabled(official: Official, disabled: boolean): Promise<void> {
    const updated = (await api.setDisabled(official.id, disabled)).official;
    this.list = this.list.map((o) => (o.id === updated.id ? updated : o));
  }

  async resetPassword(official: Official): Promise<void> {
    const { password } = await api.resetPassword(official.id);
    this.revealed = { kind: 'reset', username: official.username, password };
  }

  dismiss(): void {
    this.revealed = null;
  }
}
