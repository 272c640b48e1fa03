import { describe, expect, it } from 'vitest';
import { analyzeMessage, detectIntents, keywordIntentScorer, type UserMessage } from '../../../../src/leads/scoring/index.js';

const AT = new Date('2025-06-02T14:00:00.000Z');
const msgs = (...texts: string[]): UserMessage[] => texts.map((text) => ({ text, at: AT }));
/** The intents of a message as `{ intent: matched phrases }`. */
const intentsOf = (text: string): Record<string, string[]> => Object.fromEntries(detectIntents(text).map((m) => [m.intent, m.matched]));

describe('detectIntents (one message)', () => {
  const rows: Array<{ text: string; intents: Record<string, string[]> }> = [
    { text: 'Quiero contratar el plan de 300 megas', intents: { purchase: ['contratar'], plan: ['plan', 'megas'] } },
    { text: 'Me interesa contratar', intents: { purchase: ['me interesa contratar'] } },
    { text: 'quiero el plan', intents: { purchase: ['quiero el plan'], plan: ['plan'] } },
    // Negation within the 3 previous words of the same clause.
    { text: 'no quiero contratar nada', intents: {} },
    { text: 'No me interesa contratar', intents: {} },
    { text: 'Nunca voy a comprar eso', intents: {} },
    { text: "I don't want to buy", intents: {} },
    { text: 'I do not need a quote', intents: {} },
    { text: 'No, quiero contratar', intents: { purchase: ['contratar'] } },
    { text: 'No tengo problema en contratar', intents: { purchase: ['contratar'] } },
    { text: 'No me interesa la tv. ¿Cuánto cuesta el internet?', intents: { pricing: ['cuánto cuesta'] } },
    // Accents and case.
    { text: 'Me pasas la cotizacion?', intents: { pricing: ['cotización'] } },
    { text: '¿CUÁNTO CUESTA?', intents: { pricing: ['cuánto cuesta'] } },
    { text: 'cuanto vale la instalacion', intents: { pricing: ['cuánto vale'], installation: ['instalación'] } },
    { text: '¿Cuándo instalan? ¿Hay visita tecnica?', intents: { installation: ['cuándo instalan', 'visita técnica'] } },
    // Whole words only.
    { text: 'Necesito una plantilla', intents: {} },
    { text: 'comprueba el planeta', intents: {} },
    { text: 'los precios de los planes', intents: { pricing: ['precios'], plan: ['planes'] } },
    // Upgrade, demo, ignored phrases.
    { text: 'Quiero subir de plan, más velocidad', intents: { upgrade: ['subir de plan', 'más velocidad'], plan: ['plan', 'velocidad'] } },
    { text: '¿Tienen prueba gratis?', intents: { demo: ['prueba gratis'] } },
    { text: 'hice la prueba de velocidad y va lento', intents: {} },
    // English.
    { text: 'I want to buy the fiber package', intents: { purchase: ['buy'], plan: ['fiber', 'package'] } },
    { text: 'What is the pricing for an upgrade?', intents: { pricing: ['pricing'], upgrade: ['upgrade'] } },
    { text: 'Can I get a free trial?', intents: { demo: ['free trial'] } },
    // Nothing.
    { text: 'Hola, buenas tardes', intents: {} },
    { text: '', intents: {} },
  ];

  it.each(rows)('"$text"', ({ text, intents }) => {
    expect(intentsOf(text)).toEqual(intents);
  });

  it('reports urgency and negated phrases', () => {
    expect(analyzeMessage('No es urgente, pero quiero contratar hoy mismo')).toEqual({
      intents: [{ intent: 'purchase', confidence: 0.9, matched: ['contratar'] }],
      urgency: ['hoy mismo'],
      negated: [{ intent: 'urgency', phrase: 'urgente' }],
    });
  });
});

describe('keyword intent scorer', () => {
  it('has a name', () => {
    expect(keywordIntentScorer.name).toBe('keywords-v1');
  });

  it('has no score without messages', () => {
    expect(keywordIntentScorer.score([])).toBeNull();
  });

  // Hand-computed: base = 100 × (1 − Π(1 − c)) over distinct intents (purchase .9, pricing .8,
  // installation .7, upgrade .7, demo .6, plan .5); + 5 per repeated message (max 15); + 15 urgency.
  const rows: Array<{ name: string; texts: string[]; score: number; confidence?: number; count: number; base?: number; repetition?: number; boost?: number; reason?: string }> = [
    { name: 'greetings only', texts: ['Hola', 'Gracias'], score: 0, count: 0, reason: 'No purchase intent in 2 messages' },
    { name: 'negated purchase', texts: ['no quiero contratar nada'], score: 0, count: 0, reason: 'No purchase intent in 1 message (negated: "contratar")' },
    { name: 'urgency without intent', texts: ['lo necesito hoy, urgente'], score: 0, count: 0 },
    { name: 'purchase', texts: ['Quiero contratar'], score: 90, confidence: 0.9, count: 1, base: 90, repetition: 0, boost: 0, reason: 'Analyzed 1 message: purchase in 1; average confidence 90%' },
    { name: 'plan only', texts: ['¿Qué planes tienen?'], score: 50, confidence: 0.5, count: 1, base: 50 },
    { name: 'pricing + plan: 1 − .2 × .5', texts: ['¿Cuánto cuesta el plan?'], score: 90, confidence: 0.65, count: 2, base: 90 },
    { name: 'demo + installation: 1 − .4 × .3', texts: ['¿Tienen periodo de prueba?', '¿Cuándo instalan?'], score: 88, confidence: 0.65, count: 2, base: 88 },
    { name: 'upgrade + plan + installation: 1 − .3 × .3 × .5 = 95.5, rounds up', texts: ['Quiero mejorar mi plan, ¿cuándo instalan?'], score: 96, confidence: 0.63, count: 3, base: 95.5 },
    { name: 'purchase + pricing + plan', texts: ['precio del plan', 'lo quiero comprar'], score: 99, confidence: 0.73, count: 3, base: 99 },
    { name: 'pricing repeated in 3 messages: 80 + 10', texts: ['precio', 'precio?', 'el precio por favor'], score: 90, confidence: 0.8, count: 1, base: 80, repetition: 10, reason: 'Analyzed 3 messages: pricing in 3; average confidence 80%; repeated +10' },
    { name: 'repetition is capped at 15: 50 + 15', texts: ['plan', 'plan', 'plan', 'plan', 'plan'], score: 65, confidence: 0.5, count: 1, base: 50, repetition: 15 },
    { name: 'the same intent twice in one message is one message', texts: ['plan y más planes'], score: 50, confidence: 0.5, count: 1, repetition: 0 },
    {
      name: 'urgency with an intent: 50 + 15',
      texts: ['Info de planes, es urgente'],
      score: 65,
      confidence: 0.5,
      count: 1,
      boost: 15,
      reason: 'Analyzed 1 message: plan in 1; average confidence 50%; urgency ("urgente") +15',
    },
    { name: 'urgency in another message than the intent does not count', texts: ['¿Qué planes tienen?', 'lo necesito hoy'], score: 50, confidence: 0.5, count: 1, boost: 0 },
    { name: 'negated urgency does not count', texts: ['no es urgente, ¿qué planes tienen?'], score: 50, confidence: 0.5, count: 1, boost: 0 },
    { name: 'English upgrade asap: 70 + 15', texts: ['I want an upgrade asap'], score: 85, confidence: 0.7, count: 1, boost: 15 },
    { name: 'capped at 100: 95 + 15', texts: ['Quiero el plan de fibra hoy mismo'], score: 100, confidence: 0.7, count: 2, base: 95, boost: 15 },
  ];

  it.each(rows)('$name → $score', (row) => {
    const result = keywordIntentScorer.score(msgs(...row.texts));
    expect(result?.type).toBe('ai_intent');
    expect(result?.score).toBe(row.score);
    expect(result?.confidence).toBe(row.confidence); // absent when no intent was found
    expect(result?.factors).toMatchObject({ intent_count: row.count, messages_analyzed: row.texts.length });
    if (row.base !== undefined) expect(result?.factors.base).toBe(row.base);
    if (row.repetition !== undefined) expect(result?.factors.repetition_bonus).toBe(row.repetition);
    if (row.boost !== undefined) expect((result?.factors.urgency as { boost: number }).boost).toBe(row.boost);
    if (row.reason !== undefined) expect(result?.reason).toBe(row.reason);
  });

  it('lists each intent with its phrases and messages, so a rep can find them', () => {
    const result = keywordIntentScorer.score([
      { id: 'wamid.A', text: 'Hola, ¿cuánto cuesta el plan de 300?', at: new Date('2025-06-01T10:00:00.000Z') },
      { id: 'wamid.B', text: 'Gracias', at: new Date('2025-06-01T10:01:00.000Z') },
      { text: 'Lo quiero contratar ya mismo, ¿cuál es el precio?', at: new Date('2025-06-01T10:02:00.000Z') },
    ]);
    // purchase .9, pricing .8 (2 messages), plan .5: base 100 × (1 − .1 × .2 × .5) = 99, +5 repeated, +15 urgency → 100.
    expect(result).toEqual({
      type: 'ai_intent',
      score: 100,
      confidence: 0.73,
      reason: 'Analyzed 3 messages: purchase in 1, pricing in 2 and plan in 1; average confidence 73%; repeated +5; urgency ("ya mismo") +15',
      factors: {
        intent_count: 3,
        messages_analyzed: 3,
        intents: [
          { intent: 'purchase', confidence: 0.9, matched: ['contratar'], message_count: 1, messages: [{ at: '2025-06-01T10:02:00.000Z' }] },
          {
            intent: 'pricing',
            confidence: 0.8,
            matched: ['cuánto cuesta', 'precio'],
            message_count: 2,
            messages: [{ id: 'wamid.A', at: '2025-06-01T10:00:00.000Z' }, { at: '2025-06-01T10:02:00.000Z' }],
          },
          { intent: 'plan', confidence: 0.5, matched: ['plan'], message_count: 1, messages: [{ id: 'wamid.A', at: '2025-06-01T10:00:00.000Z' }] },
        ],
        base: 99,
        repetition_bonus: 5,
        urgency: { matched: ['ya mismo'], boost: 15 },
        negated: [],
      },
    });
  });

  it('lists at most the 10 latest messages of an intent', () => {
    const texts = Array.from({ length: 12 }, (_, i) => ({ id: `wamid.${i}`, text: 'planes', at: AT }));
    const result = keywordIntentScorer.score(texts);
    const [plan] = result?.factors.intents as Array<{ message_count: number; messages: Array<{ id: string }> }>;
    expect(result?.score).toBe(65);
    expect(plan?.message_count).toBe(12);
    expect(plan?.messages.map((m) => m.id)).toEqual(['wamid.2', 'wamid.3', 'wamid.4', 'wamid.5', 'wamid.6', 'wamid.7', 'wamid.8', 'wamid.9', 'wamid.10', 'wamid.11']);
  });

  it('never lowers the score as messages are added', () => {
    const conversation = ['Hola', '¿Qué planes tienen?', 'no quiero tv', '¿Cuánto cuesta el de 300 megas?', 'ok', '¿Cuándo instalan?', 'Quiero contratar hoy'];
    const scores = conversation.map((_, i) => keywordIntentScorer.score(msgs(...conversation.slice(0, i + 1)))?.score);
    // 0; plan 50; 50; pricing+plan 90 +5 repeated plan; 95; +installation 1 − .2 × .5 × .3 = 97 +5; +purchase 99.7 → 100.
    expect(scores).toEqual([0, 50, 50, 95, 95, 100, 100]);
  });
});
