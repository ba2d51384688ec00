import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

type QueuedMessage = {
  handlerId: number;
  message: Uint8Array;
  onData(data: Uint8Array): void;
  resolve(bytes: number): void;
  reject(error: unknown): void;
};

type QueryQueueManager = {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
};

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q' (simple query: complete on its own)
const TERMINATE = 0x58; // 'X'

function isStartupMessage(message: Uint8Array): boolean {
  return message.length >= 8 && new DataView(message.buffer, message.byteOffset).getInt32(4) === 196608;
}

/**
 * pglite-socket (0.2.17) multiplexes every client connection onto PGlite's single session and
 * interleaves their protocol messages one by one. With the extended query protocol that lets
 * connection B's Parse/Bind replace connection A's unnamed portal between A's Bind and Execute
 * ("portal \"\" does not exist"). This replaces its queue processing so that once a connection
 * starts an extended-protocol sequence, only its messages run until its Sync (as the original
 * already does for open transactions). Pinned to pglite-socket 0.2.17's internals; the
 * embedded-database test covers it.
 */
export function serializeExtendedQueries(server: PGLiteSocketServer): void {
  const manager = (server as unknown as { queryQueue: QueryQueueManager }).queryQueue;
  if (!manager || typeof manager.processQueue !== 'function' || !Array.isArray(manager.queue)) {
    throw new Error('pglite-socket internals changed: review apps/launcher/src/pglite-serializer.ts');
  }
  let pinned: number | null = null;
  const clear = manager.clearQueueForHandler.bind(manager);
  manager.clearQueueForHandler = (handlerId: number) => {
    if (pinned === handlerId) pinned = null;
    clear(handlerId);
  };
  manager.processQueue = async function processQueue(this: QueryQueueManager) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = pinned ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === owner);
        if (index === -1) break; // the owner's next message has not arrived yet: wait for it
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          item.reject(error);
          continue;
        }
        const type = item.message[0];
        pinned = type === SYNC || type === QUERY || type === TERMINATE || isStartupMessage(item.message) ? null : item.handlerId;
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
}
