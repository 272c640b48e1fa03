import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLeadTasks } from '../../../../src/leads/tasks/index.js';
import { taskModel } from '../../../../src/leads/tasks/models.js';
import { taskQuery, taskSort, type NewTask, type TaskStore } from '../../../../src/leads/tasks/store.js';
import { AppError } from '../../../../src/platform/http/errors.js';
import { mongoUriFor, uniqueDbName } from '../../../helpers/mongo.js';

let conn: Connection;
let store: TaskStore;
const page = { skip: 0, limit: 50 };
const byOrder = { sort_by: 'order', sort_order: 'asc' } as const;
const at = (s: number) => new Date(Date.UTC(2025, 0, 15, 12, 0, s));
const task = (over: Partial<NewTask> = {}): NewTask => ({ action: 'Llamar', target_name: 'Mazda CX-30', target_info: 'Placa ABC123', ...over });

beforeAll(async () => {
  conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('lead_tasks'))).asPromise();
  store = createLeadTasks({ connection: conn, leadExists: async () => true }).store;
});
beforeEach(async () => {
  await taskModel(conn).deleteMany({});
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

/** What a failed call threw, as an AppError. */
const refusal = async (p: Promise<unknown>): Promise<AppError> => {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

describe('task store', () => {
  it('creates with defaults, tk_ ids and no empty tag or note', async () => {
    const doc = await store.create('org_a', 'ld_1', task({ tag: '  ', note: null }), at(0));
    expect(doc._id).toMatch(/^tk_[A-Za-z0-9_-]{16}$/);
    expect(doc).toMatchObject({ org_id: 'org_a', lead_id: 'ld_1', status: 'NEW', order: 0, created_at: at(0), updated_at: at(0) });
    expect(doc).not.toHaveProperty('tag');
    expect(doc).not.toHaveProperty('note');
    expect(doc).not.toHaveProperty('completed_at');
    expect(await store.get('org_a', doc._id)).toEqual(doc);
    expect(await store.get('org_b', doc._id)).toBeNull();
    const done = await store.create('org_a', 'ld_1', task({ status: 'COMPLETED' }), at(1));
    expect(done.completed_at).toEqual(at(1));
  });

  it('updates only the given fields, null clears tag and note, completed_at follows COMPLETED', async () => {
    const doc = await store.create('org_a', 'ld_1', task({ tag: 'vip', note: 'llamar tarde', order: 3 }), at(0));
    const renamed = await store.update('org_a', doc._id, { action: 'Enviar cotización', tag: null }, at(1));
    expect(renamed).toMatchObject({ action: 'Enviar cotización', target_name: 'Mazda CX-30', note: 'llamar tarde', order: 3, status: 'NEW', updated_at: at(1) });
    expect(renamed).not.toHaveProperty('tag');

    const completed = await store.update('org_a', doc._id, { status: 'COMPLETED' }, at(2));
    expect(completed?.completed_at).toEqual(at(2));
    // Completed again later: the first stamp stays.
    const again = await store.update('org_a', doc._id, { status: 'COMPLETED', note: null }, at(3));
    expect(again?.completed_at).toEqual(at(2));
    expect(again).not.toHaveProperty('note');
    const reopened = await store.update('org_a', doc._id, { status: 'NEW' }, at(4));
    expect(reopened).not.toHaveProperty('completed_at');

    // Nothing to change: the task as it is, untouched.
    expect(await store.update('org_a', doc._id, {}, at(5))).toMatchObject({ updated_at: at(4) });
    expect(await store.update('org_b', doc._id, { status: 'NOT_NEEDED' })).toBeNull();
    expect(await store.update('org_b', doc._id, {})).toBeNull();
    expect((await store.get('org_a', doc._id))?.status).toBe('NEW');
  });

  it('deletes within the organization only', async () => {
    const doc = await store.create('org_a', 'ld_1', task());
    expect(await store.delete('org_b', doc._id)).toBe(false);
    expect(await store.delete('org_a', doc._id)).toBe(true);
    expect(await store.delete('org_a', doc._id)).toBe(false);
  });

  it('deleteForLeads removes the tasks of those leads of that organization only', async () => {
    await store.create('org_a', 'ld_1', task());
    await store.create('org_a', 'ld_1', task());
    await store.create('org_a', 'ld_2', task());
    await store.create('org_a', 'ld_3', task());
    await store.create('org_b', 'ld_1', task());
    expect(await store.deleteForLeads('org_a', [])).toBe(0);
    expect(await store.deleteForLeads('org_a', ['ld_1', 'ld_2', 'ld_nope'])).toBe(3);
    expect((await store.list('org_a', {}, byOrder, page)).data.map((d) => d.lead_id)).toEqual(['ld_3']);
    expect((await store.list('org_b', {}, byOrder, page)).total).toBe(1);
  });

  describe('list', () => {
    const ids: Record<string, string> = {};
    beforeEach(async () => {
      const make = async (name: string, leadId: string, over: Partial<NewTask>, s: number) => {
        ids[name] = (await store.create('org_a', leadId, task(over), at(s)))._id;
      };
      await make('call', 'ld_1', { action: 'Llamar', target_name: 'Mazda CX-30', tag: 'Test-Drive', order: 2 }, 0);
      await make('quote', 'ld_1', { action: 'Enviar cotización', target_name: 'Kia Sportage', tag: 'precio', order: 1, status: 'COMPLETED' }, 1);
      await make('visit', 'ld_2', { action: 'Agendar visita (taller)', target_name: 'mazda cx-30', order: 1 }, 2);
      await make('skip', 'ld_2', { action: 'Llamar', target_name: 'Renault Duster', order: 0, status: 'NOT_NEEDED' }, 3);
      await store.create('org_b', 'ld_9', task({ action: 'Llamar' }), at(4));
    });
    const names = (docs: { _id: string }[]) => docs.map((d) => Object.keys(ids).find((k) => ids[k] === d._id) ?? d._id);
    const list = async (filters: Parameters<TaskStore['list']>[1], sort: Parameters<TaskStore['list']>[2] = byOrder, p = page) => {
      const { data, total } = await store.list('org_a', filters, sort, p);
      return { names: names(data), total };
    };

    it('sorts by order, ties by creation, and pages with the total of every match', async () => {
      expect(await list({})).toEqual({ names: ['skip', 'quote', 'visit', 'call'], total: 4 });
      expect(await list({}, { sort_by: 'order', sort_order: 'desc' })).toEqual({ names: ['call', 'visit', 'quote', 'skip'], total: 4 });
      expect(await list({}, byOrder, { skip: 1, limit: 2 })).toEqual({ names: ['quote', 'visit'], total: 4 });
      expect(await list({}, { sort_by: 'created_at', sort_order: 'desc' })).toEqual({ names: ['skip', 'visit', 'quote', 'call'], total: 4 });
      expect(await list({}, { sort_by: 'status', sort_order: 'asc' })).toEqual({ names: ['quote', 'call', 'visit', 'skip'], total: 4 });
      expect(await list({}, { sort_by: 'action', sort_order: 'asc' })).toEqual({ names: ['visit', 'quote', 'call', 'skip'], total: 4 });
      expect((await list({}, { sort_by: 'target_name', sort_order: 'asc' })).names).toEqual(['quote', 'call', 'skip', 'visit']);
    });

    it('filters by lead, status, exact action / target_name / tag ignoring case, and searches three fields', async () => {
      expect(await list({ lead_id: 'ld_2' })).toEqual({ names: ['skip', 'visit'], total: 2 });
      expect(await list({ status: 'COMPLETED' })).toEqual({ names: ['quote'], total: 1 });
      expect(await list({ action: 'LLAMAR' })).toEqual({ names: ['skip', 'call'], total: 2 });
      expect(await list({ action: 'llam' })).toEqual({ names: [], total: 0 });
      expect(await list({ target_name: 'MAZDA CX-30' })).toEqual({ names: ['visit', 'call'], total: 2 });
      expect(await list({ tag: 'test-drive' })).toEqual({ names: ['call'], total: 1 });
      expect(await list({ search: 'mazda' })).toEqual({ names: ['visit', 'call'], total: 2 });
      expect(await list({ search: 'PRECIO' })).toEqual({ names: ['quote'], total: 1 });
      expect(await list({ search: 'cotiz' })).toEqual({ names: ['quote'], total: 1 });
      // User input is literal text, not a pattern.
      expect(await list({ search: '(taller)' })).toEqual({ names: ['visit'], total: 1 });
      expect(await list({ search: '.*' })).toEqual({ names: [], total: 0 });
      expect(await list({ search: 'mazda', lead_id: 'ld_1', status: 'NEW' })).toEqual({ names: ['call'], total: 1 });
    });

    it('builds the filter and sort it documents', () => {
      expect(taskQuery('org_a', { search: 'a.b' })).toEqual({ org_id: 'org_a', $or: [{ action: /a\.b/i }, { target_name: /a\.b/i }, { tag: /a\.b/i }] });
      expect(taskQuery('org_a', { tag: 'x+y' })).toEqual({ org_id: 'org_a', tag: /^x\+y$/i });
      expect(taskSort({ sort_by: 'status', sort_order: 'desc' })).toEqual({ status: -1, created_at: -1, _id: -1 });
      expect(Object.keys(taskSort({ sort_by: 'order', sort_order: 'asc' }))).toEqual(['order', 'created_at', '_id']);
    });
  });

  describe('reorder', () => {
    it('sets every order in one go', async () => {
      const [a, b, c] = [await store.create('org_a', 'ld_1', task(), at(0)), await store.create('org_a', 'ld_1', task(), at(1)), await store.create('org_a', 'ld_1', task(), at(2))];
      expect(await store.reorder('org_a', 'ld_1', [{ id: c._id, order: 0 }, { id: a._id, order: 1 }, { id: b._id, order: 2 }], at(9))).toEqual({ updated: 3 });
      const { data } = await store.list('org_a', { lead_id: 'ld_1' }, byOrder, page);
      expect(data.map((d) => d._id)).toEqual([c._id, a._id, b._id]);
      expect(data.every((d) => d.updated_at.getTime() === at(9).getTime())).toBe(true);
    });

    it('changes nothing when one id is unknown, another lead’s or another organization’s, and names them', async () => {
      const mine = await store.create('org_a', 'ld_1', task({ order: 5 }), at(0));
      const otherLead = await store.create('org_a', 'ld_2', task({ order: 6 }), at(1));
      const otherOrg = await store.create('org_b', 'ld_1', task({ order: 7 }), at(2));
      const err = await refusal(store.reorder('org_a', 'ld_1', [{ id: mine._id, order: 0 }, { id: otherLead._id, order: 1 }, { id: 'tk_unknown', order: 2 }, { id: otherOrg._id, order: 3 }]));
      expect(err.status).toBe(400);
      expect(err.details).toEqual([
        { path: 'task_orders.1.id', message: expect.stringContaining(otherLead._id) as unknown, id: otherLead._id },
        { path: 'task_orders.2.id', message: expect.stringContaining('tk_unknown') as unknown, id: 'tk_unknown' },
        { path: 'task_orders.3.id', message: expect.stringContaining(otherOrg._id) as unknown, id: otherOrg._id },
      ]);
      expect(await store.get('org_a', mine._id)).toEqual(mine);
      expect(await store.get('org_a', otherLead._id)).toEqual(otherLead);
      expect(await store.get('org_b', otherOrg._id)).toEqual(otherOrg);
    });

    it('refuses an id twice, an empty list and more than 500 entries', async () => {
      const mine = await store.create('org_a', 'ld_1', task({ order: 5 }), at(0));
      const twice = await refusal(store.reorder('org_a', 'ld_1', [{ id: mine._id, order: 0 }, { id: mine._id, order: 1 }]));
      expect(twice.details).toEqual([{ path: 'task_orders.1.id', message: `${mine._id} appears more than once`, id: mine._id }]);
      expect((await refusal(store.reorder('org_a', 'ld_1', []))).status).toBe(400);
      expect((await refusal(store.reorder('org_a', 'ld_1', Array.from({ length: 501 }, (_, i) => ({ id: `tk_${i}`, order: i }))))).status).toBe(400);
      expect((await store.get('org_a', mine._id))?.order).toBe(5);
    });
  });

  it('declares the indexes the lists use', async () => {
    const Task = taskModel(conn);
    await Task.init();
    const keys = (await Task.collection.indexes()).map((i) => i.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        { org_id: 1, lead_id: 1, order: 1, created_at: 1, _id: 1 },
        { org_id: 1, status: 1, order: 1, created_at: 1, _id: 1 },
        { org_id: 1, order: 1, created_at: 1, _id: 1 },
        { org_id: 1, created_at: 1, _id: 1 },
      ]),
    );
  });
});
