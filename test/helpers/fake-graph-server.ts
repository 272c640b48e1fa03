import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface GraphRequest {
  body: { to?: string; status?: string; message_id?: string; type?: string; text?: { body: string }; biz_opaque_callback_data?: string };
  at: number;
  /** False while (or if never) answered: a hung request Meta never acknowledged. */
  answered: boolean;
}

/**
 * A Graph API double on loopback for tests that run Puente in child processes (nock cannot reach
 * them). Answers like Meta after `delayMs`; a request matching `hang` the first time is never answered.
 */
export async function startFakeGraph(options: { delayMs?: number; hang?: (body: GraphRequest['body']) => boolean } = {}) {
  const requests: GraphRequest[] = [];
  const open = new Set<ServerResponse>();
  let hung = false;
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as GraphRequest['body'];
      const record: GraphRequest = { body, at: Date.now(), answered: false };
      requests.push(record);
      if (!hung && options.hang?.(body)) {
        hung = true;
        open.add(res);
        return;
      }
      setTimeout(() => {
        record.answered = true;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body.status === 'read' ? { success: true } : { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.fake-${process.pid}-${++n}` }] }));
      }, options.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Replies (not mark-read) that Meta acknowledged, in the order they were answered. */
    acceptedReplies: () => requests.filter((r) => r.answered && r.body.status !== 'read'),
    close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
