import { createServer, connect, type Server, type Socket } from "node:net";
import { listenOnLoopback } from "../helpers";

/**
 * A TCP proxy in front of a server whose connections can be cut: `cut()` destroys every open
 * connection and refuses new ones until `restore()`, as a network outage would.
 */
export class CutProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;
  url = "";

  private constructor(private readonly server: Server) {}

  static async start(target: string): Promise<CutProxy> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    const proxy = new CutProxy(server);
    server.on("connection", (client) => {
      if (proxy.down) return void client.destroy();
      const upstream = connect(Number(port), hostname);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on("close", () => proxy.sockets.delete(socket));
        socket.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    proxy.url = (await listenOnLoopback(server)).url;
    return proxy;
  }

  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
