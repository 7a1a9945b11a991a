// Who is logged in. The server holds the session; the console only asks who it is (an answer of
// null, not a 401, when nobody is) and forgets the user whenever the server answers 401 (timed out,
// logged out elsewhere, password changed).
import { api, messageOf, setUnauthenticatedHandler, type User } from '../lib/api.ts';

export class Session {
  user = $state.raw<User | null>(null);
  /** False until the first /api/auth/session answered. */
  ready = $state(false);
  /** Shown above the login form, e.g. why the session ended. */
  notice = $state('');

  constructor() {
    setUnauthenticatedHandler(() => {
      if (this.user) this.end('登录已失效，请重新登录');
    });
  }

  async load(): Promise<void> {
    try {
      this.user = (await api.whoami()).user;
    } catch (err) {
      this.notice = messageOf(err);
    } finally {
      this.ready = true;
    }
  }

  async login(username: string, password: string): Promise<void> {
    const { user } = await api.login(username, password);
    this.notice = '';
    this.user = user;
  }

  async logout(): Promise<void> {
    await api.logout().catch(() => undefined);
    this.end('您已退出登录');
  }

  end(notice: string): void {
    this.user = null;
    this.notice = notice;
  }
}
