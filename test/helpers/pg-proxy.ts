// A TCP relay between the server and PostgreSQL that can lose a reply: the network fault where
// the database has committed but the answer never reaches the service.
import net from 'node:net';

export interface PgProxy {
  /** DATABASE_URL through the relay */
  url: string;
  /**
   * The next bytes PostgreSQL sends, on any connection, are dropped and the service's side of that
   * connection is reset; PostgreSQL's side stays open, so what it was doing completes (commits).
   */
  loseNextReply(): void;
  close(): Promise<void>;
}

export async function startPgProxy(databaseUrl: string): Promise<PgProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let loseNext = false;
  const server = net.createServer((app) => {
    const db = net.connect(Number(target.port || 5432), target.hostname);
    let lost = false;
    for (const s of [app, db]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    app.on('data', (chunk) => db.write(chunk));
    app.on('close', () => {
      if (!lost) db.destroy();
    });
    db.on('data', (chunk) => {
      if (lost) return;
      if (loseNext) {
        loseNext = false;
        lost = true;
        app.resetAndDestroy();
        return;
      }
      app.write(chunk);
    });
    db.on('close', () => app.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    loseNextReply: () => (loseNext = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
