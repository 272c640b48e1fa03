import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasksHarness, type TaskJson, type TasksHarness, type TasksOrg } from './helpers.js';

type Json = Record<string, unknown>;
type ErrorJson = { error: { code: string; message: string; details?: { path: string; message: string; id?: string }[] } };

const TASK_KEYS = ['id', 'lead_id', 'status', 'action', 'target_name', 'target_info', 'tag', 'note', 'order', 'created_at', 'updated_at'];
const base = { action: 'Llamar', target_name: 'Mazda CX-30', target_info: 'Placa ABC123' };
const codeOf = async (res: Response) => ((await res.json()) as ErrorJson).error.code;

describe('lead tasks API (/api/v1/leads/{id}/tasks, /api/v1/tasks)', () => {
  let h: TasksHarness;
  let acme: TasksOrg;
  let other: TasksOrg;
  let otherLead: string;
  let otherTask: TaskJson;

  beforeAll(async () => {
    h = await tasksHarness();
    acme = await h.tasksOrg('Acme');
    other = await h.tasksOrg('Other');
    otherLead = await other.lead();
    otherTask = await other.task(otherLead, { action: 'Llamar', tag: 'vip' });
  });
  afterAll(async () => h.deps.cleanup());

  describe('POST /api/v1/leads/{id}/tasks', () => {
    it('creates a task with its defaults, trimmed, in the API shape', async () => {
      const lead = await acme.lead();
      const res = await acme.call(`/api/v1/leads/${lead}/tasks`, { method: 'POST', json: { action: '  Llamar para agendar prueba  ', target_name: 'Mazda CX-30 2024', target_info: '' } });
      expect(res.status).toBe(201);
      const task = (await res.json()) as TaskJson;
      expect(Object.keys(task).sort()).toEqual([...TASK_KEYS].sort());
      expect(task).toMatchObject({ lead_id: lead, status: 'NEW', action: 'Llamar para agendar prueba', target_name: 'Mazda CX-30 2024', target_info: '', tag: null, note: null, order: 0 });
      expect(task.id).toMatch(/^tk_[A-Za-z0-9_-]{16}$/);
      expect(task.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(task.updated_at).toBe(task.created_at);

      const full = await acme.task(lead, { tag: 'test-drive', note: 'En la tarde', status: 'COMPLETED', order: 4 });
      expect(full).toMatchObject({ tag: 'test-drive', note: 'En la tarde', status: 'COMPLETED', order: 4 });
      const got = await acme.call(`/api/v1/tasks/${full.id}`);
      expect(got.status).toBe(200);
      expect(await got.json()).toEqual(full);
    });

    it.each([
      ['no action', { target_name: 'x', target_info: 'y' }],
      ['an empty action', { ...base, action: '   ' }],
      ['an action of 201 characters', { ...base, action: 'a'.repeat(201) }],
      ['no target_name', { action: 'x', target_info: 'y' }],
      ['a target_name of 201 characters', { ...base, target_name: 'a'.repeat(201) }],
      ['no target_info', { action: 'x', target_name: 'y' }],
      ['a target_info of 501 characters', { ...base, target_info: 'a'.repeat(501) }],
      ['a tag of 101 characters', { ...base, tag: 'a'.repeat(101) }],
      ['a note of 1001 characters', { ...base, note: 'a'.repeat(1001) }],
      ['a status that is not a string', { ...base, status: 1 }],
      ['a null status', { ...base, status: null }],
      ['a fractional order', { ...base, order: 1.5 }],
      ['an order given as a string', { ...base, order: '2' }],
      ['an action that is a number', { ...base, action: 7 }],
      ['an unknown status together with a missing field', { target_name: 'x', target_info: 'y', status: 'DONE' }],
    ])('answers 400 to %s', async (_what, json) => {
      const lead = await acme.lead();
      const res = await acme.call(`/api/v1/leads/${lead}/tasks`, { method: 'POST', json });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(body.error.details?.length).toBeGreaterThan(0);
    });

    it('answers 400 to a body that is not JSON', async () => {
      const lead = await acme.lead();
      const res = await acme.call(`/api/v1/leads/${lead}/tasks`, { method: 'POST', body: '{"action":', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
    });

    it('answers 422 to a status outside NEW, COMPLETED, NOT_NEEDED', async () => {
      const lead = await acme.lead();
      const res = await acme.call(`/api/v1/leads/${lead}/tasks`, { method: 'POST', json: { ...base, status: 'DONE' } });
      expect(res.status).toBe(422);
      expect(((await res.json()) as ErrorJson).error).toMatchObject({ code: 'INVALID_VALUE', details: [{ path: 'status' }] });
    });

    it("answers 404 for an unknown lead and another organization's, 401 without a key, 403 with a read-only key", async () => {
      const unknown = await acme.call('/api/v1/leads/ld_nope/tasks', { method: 'POST', json: base });
      expect(unknown.status).toBe(404);
      expect(await codeOf(unknown)).toBe('NOT_FOUND');
      const foreign = await acme.call(`/api/v1/leads/${otherLead}/tasks`, { method: 'POST', json: base });
      expect(foreign.status).toBe(404);
      expect(await codeOf(foreign)).toBe('NOT_FOUND');
      const lead = await acme.lead();
      expect((await h.anonymous(`/api/v1/leads/${lead}/tasks`, { method: 'POST', json: base })).status).toBe(401);
      expect((await acme.readOnly(`/api/v1/leads/${lead}/tasks`, { method: 'POST', json: base })).status).toBe(403);
      expect((await acme.call(`/api/v1/leads/${lead}/tasks`)).status).toBe(200);
      expect(((await (await acme.call(`/api/v1/leads/${lead}/tasks`)).json()) as { total: number }).total).toBe(0);
    });
  });

  describe('GET /api/v1/leads/{id}/tasks', () => {
    it("lists the lead's tasks by order (ties by creation), filtered and sorted like /tasks", async () => {
      const lead = await acme.lead();
      const elsewhere = await acme.lead();
      const third = await acme.task(lead, { action: 'Enviar cotización', order: 2, tag: 'precio' });
      const first = await acme.task(lead, { action: 'Llamar', order: 0, status: 'COMPLETED' });
      const second = await acme.task(lead, { action: 'Agendar visita', order: 1 });
      const tie = await acme.task(lead, { action: 'Confirmar', order: 1 });
      await acme.task(elsewhere, { action: 'Llamar' });

      const list = async (query = '') => {
        const res = await acme.call(`/api/v1/leads/${lead}/tasks${query}`);
        expect(res.status).toBe(200);
        return (await res.json()) as { data: TaskJson[]; total: number; skip: number; limit: number };
      };
      const all = await list();
      expect(all).toMatchObject({ total: 4, skip: 0, limit: 50 });
      expect(all.data.map((t) => t.id)).toEqual([first.id, second.id, tie.id, third.id]);
      expect((await list('?sort_order=desc')).data.map((t) => t.id)).toEqual([third.id, tie.id, second.id, first.id]);
      expect((await list('?sort_by=action')).data.map((t) => t.action)).toEqual(['Agendar visita', 'Confirmar', 'Enviar cotización', 'Llamar']);
      expect((await list('?status=COMPLETED')).data.map((t) => t.id)).toEqual([first.id]);
      expect((await list('?search=PRECIO')).data.map((t) => t.id)).toEqual([third.id]);
      expect((await list('?action=llamar')).data.map((t) => t.id)).toEqual([first.id]);
      expect(await list('?skip=1&limit=2')).toMatchObject({ total: 4, skip: 1, limit: 2, data: [{ id: second.id }, { id: tie.id }] });
    });

    it("answers 404 for an unknown lead and another organization's, 422 for an unknown sort, 401 without a key", async () => {
      expect((await acme.call('/api/v1/leads/ld_nope/tasks')).status).toBe(404);
      const foreign = await acme.call(`/api/v1/leads/${otherLead}/tasks`);
      expect(foreign.status).toBe(404);
      expect(await codeOf(foreign)).toBe('NOT_FOUND');
      const lead = await acme.lead();
      expect((await acme.call(`/api/v1/leads/${lead}/tasks?sort_by=priority`)).status).toBe(422);
      expect((await acme.call(`/api/v1/leads/${lead}/tasks?status=OPEN`)).status).toBe(422);
      expect((await acme.call(`/api/v1/leads/${lead}/tasks?limit=0`)).status).toBe(400);
      expect((await h.anonymous(`/api/v1/leads/${lead}/tasks`)).status).toBe(401);
      expect((await acme.readOnly(`/api/v1/leads/${lead}/tasks`)).status).toBe(200);
    });
  });

  describe('GET /api/v1/tasks', () => {
    let org: TasksOrg;
    let leadA: string;
    let leadB: string;
    const t: Record<string, TaskJson> = {};

    beforeAll(async () => {
      org = await h.tasksOrg('Lister');
      leadA = await org.lead();
      leadB = await org.lead();
      t.call = await org.task(leadA, { action: 'Llamar', target_name: 'Mazda CX-30', tag: 'Test-Drive', order: 2 });
      t.quote = await org.task(leadA, { action: 'Enviar cotización', target_name: 'Kia Sportage', tag: 'precio', order: 1, status: 'COMPLETED' });
      t.visit = await org.task(leadB, { action: 'Agendar visita (taller)', target_name: 'mazda cx-30', order: 1 });
      t.skip = await org.task(leadB, { action: 'Llamar', target_name: 'Renault Duster', order: 0, status: 'NOT_NEEDED' });
    });

    const names = (data: TaskJson[]) => data.map((d) => Object.keys(t).find((k) => t[k]?.id === d.id) ?? d.id);
    const list = async (query = '') => {
      const res = await org.call(`/api/v1/tasks${query}`);
      expect(res.status, query).toBe(200);
      const body = (await res.json()) as { data: TaskJson[]; total: number; skip: number; limit: number };
      return { ...body, names: names(body.data) };
    };

    it('lists every lead’s tasks of the organization only, by order then creation, in the envelope', async () => {
      const all = await list();
      expect(all).toMatchObject({ total: 4, skip: 0, limit: 50 });
      expect(all.names).toEqual(['skip', 'quote', 'visit', 'call']);
      expect(all.data.some((d) => d.id === otherTask.id)).toBe(false);
      expect(await list('?skip=1&limit=2')).toMatchObject({ total: 4, skip: 1, limit: 2, names: ['quote', 'visit'] });
      expect((await list('?skip=10')).data).toEqual([]);
    });

    it.each([
      ['?sort_by=order&sort_order=desc', ['call', 'visit', 'quote', 'skip']],
      ['?sort_by=created_at', ['call', 'quote', 'visit', 'skip']],
      ['?sort_by=created_at&sort_order=desc', ['skip', 'visit', 'quote', 'call']],
      ['?sort_by=status', ['quote', 'call', 'visit', 'skip']],
      ['?sort_by=status&sort_order=desc', ['skip', 'visit', 'call', 'quote']],
      ['?sort_by=action', ['visit', 'quote', 'call', 'skip']],
      ['?sort_by=target_name', ['quote', 'call', 'skip', 'visit']],
    ])('sorts %s', async (query, expected) => {
      expect((await list(query)).names).toEqual(expected);
    });

    it.each([
      ['?status=COMPLETED', ['quote']],
      ['?status=NEW', ['visit', 'call']],
      ['?action=LLAMAR', ['skip', 'call']],
      ['?action=Llam', []],
      ['?target_name=MAZDA%20CX-30', ['visit', 'call']],
      ['?tag=test-drive', ['call']],
      ['?tag=TEST', []],
      ['?search=mazda', ['visit', 'call']],
      ['?search=cotiz', ['quote']],
      ['?search=Precio', ['quote']],
      ['?search=(taller)', ['visit']],
      ['?search=.*', []],
      ['?search=', ['skip', 'quote', 'visit', 'call']],
      ['?search=mazda&status=NEW&sort_order=desc', ['call', 'visit']],
    ])('filters %s', async (query, expected) => {
      const got = await list(query);
      expect(got.names).toEqual(expected);
      expect(got.total).toBe(expected.length);
    });

    it('filters by lead_id (another organization’s lead has none of ours)', async () => {
      expect((await list(`?lead_id=${leadB}`)).names).toEqual(['skip', 'visit']);
      expect((await list(`?lead_id=${leadA}&status=NEW`)).names).toEqual(['call']);
      expect((await list(`?lead_id=${otherLead}`)).total).toBe(0);
    });

    it.each([
      ['?status=DONE', 422],
      ['?status=new', 422],
      ['?sort_by=priority', 422],
      ['?sort_order=up', 422],
      ['?limit=0', 400],
      ['?limit=501', 400],
      ['?skip=-1', 400],
      ['?limit=abc', 400],
      [`?search=${'a'.repeat(201)}`, 400],
    ])('answers %s with %i', async (query, status) => {
      const res = await org.call(`/api/v1/tasks${query}`);
      expect(res.status).toBe(status);
      expect(await codeOf(res)).toBe(status === 422 ? 'INVALID_VALUE' : 'VALIDATION_ERROR');
    });

    it('answers 401 without a key and lists with a read-only one', async () => {
      expect((await h.anonymous('/api/v1/tasks')).status).toBe(401);
      expect(((await (await org.readOnly('/api/v1/tasks')).json()) as { total: number }).total).toBe(4);
    });
  });

  describe('GET, PATCH, DELETE /api/v1/tasks/{id}', () => {
    it('changes only the fields given; null clears tag and note', async () => {
      const lead = await acme.lead();
      const task = await acme.task(lead, { tag: 'vip', note: 'Llamar en la tarde', order: 3 });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const res = await acme.call(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json: { status: 'COMPLETED' } });
      expect(res.status).toBe(200);
      const completed = (await res.json()) as TaskJson;
      expect(completed).toEqual({ ...task, status: 'COMPLETED', updated_at: completed.updated_at });
      expect(completed.updated_at > task.updated_at).toBe(true);

      const cleared = (await (await acme.call(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json: { tag: null, note: null, action: ' Enviar cotización ', target_info: 'Otra placa', order: 1 } })).json()) as TaskJson;
      expect(cleared).toMatchObject({ status: 'COMPLETED', tag: null, note: null, action: 'Enviar cotización', target_name: 'Mazda CX-30', target_info: 'Otra placa', order: 1 });
      expect(await (await acme.call(`/api/v1/tasks/${task.id}`)).json()).toEqual(cleared);

      // An empty change is no change.
      expect(await (await acme.call(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json: {} })).json()).toEqual(cleared);
    });

    it.each([
      [{ action: null }, 400],
      [{ action: '' }, 400],
      [{ target_name: null }, 400],
      [{ note: 'a'.repeat(1001) }, 400],
      [{ order: null }, 400],
      [{ status: null }, 400],
      [{ status: 2 }, 400],
      [{ status: 'DONE' }, 422],
      [{ status: 'completed' }, 422],
    ])('answers PATCH %j with %i and changes nothing', async (json, status) => {
      const lead = await acme.lead();
      const task = await acme.task(lead, { tag: 'vip' });
      const res = await acme.call(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json });
      expect(res.status).toBe(status);
      expect(await (await acme.call(`/api/v1/tasks/${task.id}`)).json()).toEqual(task);
    });

    it("answers 404 for an unknown task and another organization's, whatever the method, and leaves theirs alone", async () => {
      for (const id of ['tk_nope', otherTask.id]) {
        for (const [method, json] of [['GET'], ['PATCH', { status: 'COMPLETED' }], ['DELETE']] as const) {
          const res = await acme.call(`/api/v1/tasks/${id}`, { method, json });
          expect(res.status, `${method} ${id}`).toBe(404);
          expect(await codeOf(res)).toBe('NOT_FOUND');
        }
      }
      expect(await (await other.call(`/api/v1/tasks/${otherTask.id}`)).json()).toEqual(otherTask);
    });

    it('answers 401 without a key and 403 to writes with a read-only key', async () => {
      const lead = await acme.lead();
      const task = await acme.task(lead);
      expect((await h.anonymous(`/api/v1/tasks/${task.id}`)).status).toBe(401);
      expect((await h.anonymous(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json: { status: 'COMPLETED' } })).status).toBe(401);
      expect((await h.anonymous(`/api/v1/tasks/${task.id}`, { method: 'DELETE' })).status).toBe(401);
      expect((await acme.readOnly(`/api/v1/tasks/${task.id}`)).status).toBe(200);
      expect((await acme.readOnly(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json: { status: 'COMPLETED' } })).status).toBe(403);
      expect((await acme.readOnly(`/api/v1/tasks/${task.id}`, { method: 'DELETE' })).status).toBe(403);
      expect(await (await acme.call(`/api/v1/tasks/${task.id}`)).json()).toEqual(task);
    });

    it('deletes with the seed’s success body', async () => {
      const lead = await acme.lead();
      const task = await acme.task(lead);
      const res = await acme.call(`/api/v1/tasks/${task.id}`, { method: 'DELETE' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ success: true, message: 'Task deleted successfully' });
      expect((await acme.call(`/api/v1/tasks/${task.id}`)).status).toBe(404);
      expect((await acme.call(`/api/v1/tasks/${task.id}`, { method: 'DELETE' })).status).toBe(404);
      expect(((await (await acme.call(`/api/v1/leads/${lead}/tasks`)).json()) as { total: number }).total).toBe(0);
    });
  });

  describe('PATCH /api/v1/tasks/{id}/order', () => {
    it('sets the order and answers the task', async () => {
      const lead = await acme.lead();
      const a = await acme.task(lead, { order: 0 });
      const b = await acme.task(lead, { order: 1 });
      const res = await acme.call(`/api/v1/tasks/${a.id}/order`, { method: 'PATCH', json: { order: 5 } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: a.id, order: 5, action: a.action, status: 'NEW' });
      const listed = (await (await acme.call(`/api/v1/leads/${lead}/tasks`)).json()) as { data: TaskJson[] };
      expect(listed.data.map((d) => d.id)).toEqual([b.id, a.id]);
    });

    it.each([[{}], [{ order: null }], [{ order: 1.5 }], [{ order: '3' }]])('answers 400 to %j', async (json) => {
      const lead = await acme.lead();
      const task = await acme.task(lead);
      expect((await acme.call(`/api/v1/tasks/${task.id}/order`, { method: 'PATCH', json })).status).toBe(400);
    });

    it("answers 404 for an unknown or another organization's task, 401 without a key, 403 with a read-only key", async () => {
      expect((await acme.call('/api/v1/tasks/tk_nope/order', { method: 'PATCH', json: { order: 1 } })).status).toBe(404);
      expect((await acme.call(`/api/v1/tasks/${otherTask.id}/order`, { method: 'PATCH', json: { order: 1 } })).status).toBe(404);
      const lead = await acme.lead();
      const task = await acme.task(lead);
      expect((await h.anonymous(`/api/v1/tasks/${task.id}/order`, { method: 'PATCH', json: { order: 1 } })).status).toBe(401);
      expect((await acme.readOnly(`/api/v1/tasks/${task.id}/order`, { method: 'PATCH', json: { order: 1 } })).status).toBe(403);
      expect(await (await other.call(`/api/v1/tasks/${otherTask.id}`)).json()).toEqual(otherTask);
    });
  });

  describe('PATCH /api/v1/leads/{id}/tasks/reorder', () => {
    const reorder = (org: TasksOrg, lead: string, json: unknown) => org.call(`/api/v1/leads/${lead}/tasks/reorder`, { method: 'PATCH', json });
    const tasksOf = async (org: TasksOrg, lead: string) => ((await (await org.call(`/api/v1/leads/${lead}/tasks`)).json()) as { data: TaskJson[] }).data;

    it('sets every order given and answers the seed’s success body', async () => {
      const lead = await acme.lead();
      const [a, b, c] = [await acme.task(lead, { order: 0 }), await acme.task(lead, { order: 1 }), await acme.task(lead, { order: 2 })];
      const res = await reorder(acme, lead, { task_orders: [{ id: c.id, order: 0 }, { id: a.id, order: 1 }, { id: b.id, order: 2 }] });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ success: true, message: 'Tasks reordered successfully' });
      expect((await tasksOf(acme, lead)).map((t) => [t.id, t.order])).toEqual([
        [c.id, 0],
        [a.id, 1],
        [b.id, 2],
      ]);
      // A subset moves only those named.
      expect((await reorder(acme, lead, { task_orders: [{ id: c.id, order: 9 }] })).status).toBe(200);
      expect((await tasksOf(acme, lead)).map((t) => t.id)).toEqual([a.id, b.id, c.id]);
    });

    it("changes nothing when one id is another lead's, another organization's or unknown, and names each", async () => {
      const lead = await acme.lead();
      const sibling = await acme.lead();
      const [a, b] = [await acme.task(lead, { order: 0 }), await acme.task(lead, { order: 1 })];
      const foreignLeadTask = await acme.task(sibling, { order: 7 });
      const before = await tasksOf(acme, lead);
      const res = await reorder(acme, lead, {
        task_orders: [
          { id: b.id, order: 0 },
          { id: foreignLeadTask.id, order: 1 },
          { id: a.id, order: 2 },
          { id: 'tk_unknown', order: 3 },
          { id: otherTask.id, order: 4 },
        ],
      });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as ErrorJson;
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(error.details?.map((d) => [d.path, d.id])).toEqual([
        ['task_orders.1.id', foreignLeadTask.id],
        ['task_orders.3.id', 'tk_unknown'],
        ['task_orders.4.id', otherTask.id],
      ]);
      expect(error.details?.every((d) => d.message.includes(d.id ?? '?'))).toBe(true);
      // Nothing moved, nothing was touched: not this lead's tasks, not the sibling's, not the other organization's.
      expect(await tasksOf(acme, lead)).toEqual(before);
      expect(await (await acme.call(`/api/v1/tasks/${foreignLeadTask.id}`)).json()).toEqual(foreignLeadTask);
      expect(await (await other.call(`/api/v1/tasks/${otherTask.id}`)).json()).toEqual(otherTask);
    });

    it('refuses an id twice, an empty list, more than 500 entries and a bad shape, changing nothing', async () => {
      const lead = await acme.lead();
      const [a, b] = [await acme.task(lead, { order: 0 }), await acme.task(lead, { order: 1 })];
      const before = await tasksOf(acme, lead);
      const twice = await reorder(acme, lead, { task_orders: [{ id: a.id, order: 5 }, { id: b.id, order: 6 }, { id: a.id, order: 7 }] });
      expect(twice.status).toBe(400);
      expect(((await twice.json()) as ErrorJson).error.details).toEqual([{ path: 'task_orders.2.id', message: `${a.id} appears more than once`, id: a.id }]);
      for (const json of [
        { task_orders: [] },
        { task_orders: Array.from({ length: 501 }, (_, i) => ({ id: i === 0 ? a.id : `tk_${i}`, order: i })) },
        {},
        { task_orders: [{ id: a.id }] },
        { task_orders: [{ id: a.id, order: 'first' }] },
        { task_orders: [{ order: 1 }] },
        { task_orders: { [a.id]: 1 } },
      ]) {
        const res = await reorder(acme, lead, json);
        expect(res.status, JSON.stringify(json).slice(0, 80)).toBe(400);
        expect(await codeOf(res)).toBe('VALIDATION_ERROR');
      }
      expect(await tasksOf(acme, lead)).toEqual(before);
    });

    it("answers 404 for an unknown lead and another organization's (even naming its own tasks), 401 without a key, 403 with a read-only key", async () => {
      const unknown = await reorder(acme, 'ld_nope', { task_orders: [{ id: otherTask.id, order: 1 }] });
      expect(unknown.status).toBe(404);
      expect(await codeOf(unknown)).toBe('NOT_FOUND');
      const foreign = await reorder(acme, otherLead, { task_orders: [{ id: otherTask.id, order: 1 }] });
      expect(foreign.status).toBe(404);
      expect(await codeOf(foreign)).toBe('NOT_FOUND');
      expect(await (await other.call(`/api/v1/tasks/${otherTask.id}`)).json()).toEqual(otherTask);

      const lead = await acme.lead();
      const task = await acme.task(lead);
      const json = { task_orders: [{ id: task.id, order: 3 }] };
      expect((await h.anonymous(`/api/v1/leads/${lead}/tasks/reorder`, { method: 'PATCH', json })).status).toBe(401);
      expect((await acme.readOnly(`/api/v1/leads/${lead}/tasks/reorder`, { method: 'PATCH', json })).status).toBe(403);
      expect((await tasksOf(acme, lead))[0]?.order).toBe(0);
    });
  });

  it('documents every route in /openapi.json with the business API’s security', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, Json>> };
    const ops = ['post /api/v1/leads/{id}/tasks', 'get /api/v1/leads/{id}/tasks', 'patch /api/v1/leads/{id}/tasks/reorder', 'get /api/v1/tasks', 'get /api/v1/tasks/{id}', 'patch /api/v1/tasks/{id}', 'delete /api/v1/tasks/{id}', 'patch /api/v1/tasks/{id}/order'];
    for (const op of ops) {
      const [method = '', path = ''] = op.split(' ');
      expect(doc.paths[path]?.[method]?.security, op).toEqual([{ apiKey: [] }, { apiKeyBearer: [] }]);
    }
  });
});
