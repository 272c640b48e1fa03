import { beforeEach, describe, expect, it } from 'vitest';
import { useRoad, type Road } from '../helpers/road.js';
import { optionIdsOf, recordGraph, textOf, userOf } from '../helpers/transcript.js';

describe('transcript harness', () => {
  const roadOf = useRoad();
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });

  it('greets a first-time user by name with the four main-menu options', async () => {
    const graph = recordGraph();
    const user = userOf(road, graph, '573500000001');
    const [menu] = await user.say('hola');
    expect(textOf(menu!)).toContain('Camila');
    expect(optionIdsOf(menu!)).toEqual(['v1:menu.account', 'v1:menu.support', 'v1:menu.agent', 'v1:menu.plans']);
  });
});
