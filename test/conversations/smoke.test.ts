import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRoad, type Road } from '../helpers/road.js';
import { optionIdsOf, recordGraph, textOf, userOf } from '../helpers/transcript.js';

describe('transcript harness', () => {
  let road: Road;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    road = await startRoad();
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    await road.stop();
    nock.enableNetConnect();
  });

  it('greets a first-time user by name with the four main-menu options', async () => {
    const graph = recordGraph();
    const user = userOf(road, graph, '573500000001');
    const [menu] = await user.say('hola');
    expect(textOf(menu!)).toContain('Camila');
    expect(optionIdsOf(menu!)).toEqual(['v1:menu.account', 'v1:menu.support', 'v1:menu.agent', 'v1:menu.plans']);
  });
});
