import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startHarness, until, type Harness } from './support.js';

interface SseEvent {
  event: string;
  data: string;
}

/** A real EventSource-like client over fetch: collects events and comment lines as they arrive. */
function subscribe(url: string) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  const done = (async () => {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    if (!res.body) throw new Error('no body');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) return res;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = block.split('\n');
          comments.push(...lines.filter((l) => l.startsWith(':')));
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (event) events.push({ event, data });
        }
      }
    } catch (err) {
      if (controller.signal.aborted) return undefined;
      throw err;
    }
  })();
  return { events, comments, close: () => controller.abort(), done };
}

describe('playground /events (SSE)', () => {
  let h: Harness;
  let base: string;
  const signal = new AbortController();
  beforeAll(async () => {
    h = await startHarness({ heartbeatMs: 100, signal: signal.signal });
    base = await h.listen();
  });
  afterAll(() => h.close());

  it('is an event stream that says it is ready', async () => {
    const res = await fetch(`${base}/playground/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('cache-control')).toContain('no-cache');
    await res.body?.cancel();
  });

  it('forwards a user message, its reply statuses, tickets and agent activity as they happen', async () => {
    const client = subscribe(`${base}/playground/events`);
    await until(() => client.events.some((e) => e.event === 'ready'));

    h.echo = true;
    const waId = '573007778899';
    const sent = await post(h.app, `/api/phones/${waId}/messages`, { kind: 'text', text: 'hola' });
    const { message } = (await sent.json()) as { message: { wamid: string } };

    const inbound = await until(() => client.events.find((e) => e.event === 'message' && e.data.includes(message.wamid)));
    expect(JSON.parse(inbound.data)).toMatchObject({ wamid: message.wamid, waId, direction: 'in', status: 'received' });
    const outbound = await until(() => client.events.find((e) => e.event === 'message' && JSON.parse(e.data).direction === 'out'));
    const replyWamid = (JSON.parse(outbound.data) as { wamid: string }).wamid;
    await until(() => client.events.some((e) => e.event === 'status' && JSON.parse(e.data).wamid === replyWamid && JSON.parse(e.data).status === 'delivered'));

    await h.openTicket('TK-2026-000201', waId);
    const ticket = await until(() => client.events.find((e) => e.event === 'ticket'));
    expect(JSON.parse(ticket.data)).toMatchObject({ ticketId: 'TK-2026-000201', status: 'pending', userPhone: waId });

    await post(h.app, '/api/tickets/TK-2026-000201/take', {});
    const activity = await until(() => client.events.find((e) => e.event === 'crm' && e.data.includes('agent-activity')));
    expect(JSON.parse(activity.data)).toMatchObject({ kind: 'agent-activity', data: { ticketId: 'TK-2026-000201', type: 'take' } });
    await until(() => client.events.some((e) => e.event === 'ticket' && JSON.parse(e.data).status === 'active'));
    client.close();
  });

  it('sends heartbeat comments', async () => {
    const client = subscribe(`${base}/playground/events`);
    await until(() => client.comments.some((c) => c.startsWith(': heartbeat')));
    client.close();
  });

  it('removes its listeners when the client goes away', async () => {
    // The earlier tests' clients are gone: their listeners too.
    await until(() => h.whatsapp.events.listenerCount('message') === 0);
    const before = 0;
    const client = subscribe(`${base}/playground/events`);
    await until(() => client.events.some((e) => e.event === 'ready'));
    expect(h.whatsapp.events.listenerCount('message')).toBe(before + 1);
    expect(h.crm.events.listenerCount('ticket')).toBeGreaterThan(0);
    client.close();
    await until(() => h.whatsapp.events.listenerCount('message') === before);
  });

  it('ends every stream when the playground is closed (its signal aborts)', async () => {
    const client = subscribe(`${base}/playground/events`);
    await until(() => client.events.some((e) => e.event === 'ready'));
    signal.abort();
    const res = await client.done;
    expect(res?.status).toBe(200); // the stream ended on the server's side, not by the client's abort
    expect(h.whatsapp.events.listenerCount('message')).toBe(0);
    expect(h.crm.events.listenerCount('ticket')).toBe(0);
  });
});
