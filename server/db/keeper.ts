// Keeps the embedded postmaster running under a running service. If it exits without being asked
// to (killed, out of memory, `pg_ctl stop` by hand) the service must not exit, and nobody else
// will start it again: we do, with a growing pause (a SIGKILLed postmaster's backends must finish
// before a new one may attach the data directory). Meanwhile requests answer 503 and recover by
// themselves once it is back. A postmaster someone else started on the data directory meanwhile
// (e.g. `pg_ctl start`) is adopted: used as it is and stopped with the service, but not watched.
import type { ChildProcess } from 'node:child_process';

export type EmbeddedEvent =
  | { kind: 'exited'; reason: string }
  | { kind: 'restarted' }
  | { kind: 'adopted' }
  | { kind: 'restart_failed'; reason: string };

export interface KeeperOptions {
  /** Spawns a new postmaster (reporting the child to `track` at once) and resolves when it accepts connections. */
  relaunch(track: (child: ChildProcess) => void): Promise<ChildProcess>;
  /** A postmaster running on the data directory that we did not start, with a way to stop it. */
  foreign(): { stop(): Promise<void> } | undefined;
  onEvent?: ((event: EmbeddedEvent) => void) | undefined;
}

const PAUSES_MS = [250, 500, 1000, 2000];

const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/** Fast shutdown (SIGINT), resolved once the postmaster has exited. */
function stopChild(c: ChildProcess): Promise<void> {
  if (!alive(c)) return Promise.resolve();
  return new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGINT');
  });
}

export function keepRunning(first: ChildProcess, o: KeeperOptions): { stop(): Promise<void> } {
  let current: ChildProcess | undefined;
  let adopted: { stop(): Promise<void> } | undefined;
  let stopping = false;
  let reviving: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const watch = (c: ChildProcess) => {
    current = c;
    c.once('exit', (code, signal) => {
      if (stopping || c !== current) return;
      current = undefined;
      reviving = revive(signal ?? `exit code ${String(code)}`).finally(() => (reviving = undefined));
    });
  };

  const revive = async (reason: string) => {
    for (let attempt = 0; !stopping; attempt++) {
      await pause(PAUSES_MS[Math.min(attempt, PAUSES_MS.length - 1)] as number);
      if (stopping) return;
      // reported after the first pause: a Ctrl-C reaches the postmaster too, just before our own stop()
      if (attempt === 0) o.onEvent?.({ kind: 'exited', reason });
      const other = o.foreign();
      if (other) {
        adopted = other;
        o.onEvent?.({ kind: 'adopted' });
        return;
      }
      try {
        const c = await o.relaunch((spawned) => (current = spawned));
        if (stopping) return await stopChild(c);
        if (!alive(c)) throw new Error('内置数据库启动后立即退出');
        watch(c);
        o.onEvent?.({ kind: 'restarted' });
        return;
      } catch (err) {
        current = undefined;
        if (!stopping) o.onEvent?.({ kind: 'restart_failed', reason: (err as Error).message });
      }
    }
  };

  watch(first);
  return {
    async stop() {
      stopping = true;
      wake?.();
      if (current) await stopChild(current);
      await reviving;
      await adopted?.stop();
    },
  };
}
