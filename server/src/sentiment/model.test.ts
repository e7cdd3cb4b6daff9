import { describe, expect, it } from 'vitest';
import { createLocalModel, scaleOf } from './model.js';
import { conversationValue, nextAlertState } from './conversation.js';

const model = createLocalModel();
const score = (text: string) => model.score(text);

describe('the local model', () => {
  it.each([
    ['I am happy with the visit', 'positive'],
    ['I am not happy with the visit', 'negative'],
    ["I'm not unhappy, it was fine", 'positive'],
    ['The nurse was not helpful at all', 'negative'],
    ['no complaints, everything went smoothly', 'positive'],
  ])('reads negation: %s → %s', (text, label) => {
    expect(score(text).label).toBe(label);
  });

  it('intensifiers, capitals and exclamation marks make it stronger', () => {
    const plain = score('The staff was helpful').score;
    expect(score('The staff was so helpful').score).toBeGreaterThan(plain);
    expect(score('The staff was very helpful').score).toBeGreaterThan(plain);
    expect(score('The staff was really helpful!!!').score).toBeGreaterThan(score('The staff was really helpful').score);
    expect(score('this is RIDICULOUS, I waited').score).toBeLessThan(score('this is ridiculous, I waited').score);
    expect(score('the wait was slightly annoying').score).toBeGreaterThan(score('the wait was annoying').score);
  });

  it('"but" shifts the weight to what follows', () => {
    expect(score('The doctor was nice but the billing is a nightmare').label).toBe('negative');
    expect(score('The wait was long but the doctor was wonderful').label).toBe('positive');
  });

  it.each([
    ['Thanks 🙏', 'positive'],
    ['See you then 😊', 'positive'],
    ['Still no call back 😡', 'negative'],
    ['Another hour gone 🙄', 'negative'],
    ['great :)', 'positive'],
    ['not again :(', 'negative'],
  ])('reads emoji and emoticons: %s → %s', (text, label) => {
    expect(score(text).label).toBe(label);
  });

  it.each([
    ['Still waiting for my refill', 'negative'],
    ['nobody called me back', 'negative'],
    ['I was on hold for an hour', 'negative'],
    ['this is ridiculous', 'negative'],
    ['sick of waiting for the portal', 'negative'],
    ['thank you so much', 'positive'],
    ["you've been so helpful", 'positive'],
    ['thx!!', 'positive'],
    ['thaaanks sooo much', 'positive'],
    ["The app won't let me log in", 'negative'],
    ['Why is nobody answering the phone?', 'negative'],
  ])('knows patient phrasing: %s → %s', (text, label) => {
    expect(score(text).label).toBe(label);
  });

  it.each([
    ['thnx, realy apreciate it', 'positive'],
    ['this is rediculous', 'negative'],
    ['so dissapointed with the front desk', 'negative'],
    ["I can't thank you enough", 'positive'],
    ['No thanks, I am all set', 'neutral'],
    ['Sorry to bother you, can I get a copy of my records?', 'neutral'],
    ["Hi, hope you're well. I need to move my appointment", 'neutral'],
  ])('common misspellings and polite formulas: %s → %s', (text, label) => {
    expect(score(text).label).toBe(label);
  });

  it('patient phrasing is stronger than the words alone', () => {
    expect(score('I was on hold for an hour').score).toBeLessThan(-0.45);
    expect(score('thank you so much').score).toBeGreaterThan(0.6);
  });

  it.each([
    'My test came back negative',
    'My COVID test was positive, what do I do now?',
    'I have pain in my lower back and want to see someone',
    'My mother has cancer and needs a follow up with oncology',
    'Can you please help me reschedule?',
    "I'd like to book a flu shot",
    'Do you accept Blue Cross insurance?',
    'My son has a fever and a sore throat',
    'Is the clinic closed on the holiday?',
  ])('medical words and requests are not sentiment: %s → neutral', (text) => {
    const result = score(text);
    expect(result.label).toBe('neutral');
    expect(Math.abs(result.score)).toBeLessThan(0.2);
  });

  it('a naive lexicon would call those negative: the packages disagree with us on purpose', async () => {
    const { default: Sentiment } = await import('sentiment');
    const afinn = new Sentiment();
    expect(afinn.analyze('My test came back negative').score).toBeLessThan(0);
    expect(afinn.analyze('My mother has cancer').score).toBeLessThan(0);
  });

  describe('bad input is neutral with a flag, never thrown on', () => {
    it.each([
      ['', 'empty'],
      ['   \n\t  ', 'empty'],
      ['\u0000\u0001PK\u0003\u0004binary', 'binary'],
      ['\uFFFD\uFFFD\uFFFD\uFFFDabc', 'binary'],
      ['我想预约下周的医生', 'unsupported-language'],
      ['Здравствуйте, мне нужна запись', 'unsupported-language'],
      ['مرحبا أريد موعد', 'unsupported-language'],
    ])('%j → %s', (text, flag) => {
      const result = score(text);
      expect(result).toEqual({ label: 'neutral', score: 0, scale: 4, flags: [flag] });
    });

    it('not a string', () => {
      for (const value of [undefined, null, 42, {}, ['a']]) expect(score(value as unknown as string)).toMatchObject({ label: 'neutral', flags: ['empty'] });
    });

    it('a huge text is truncated to the first 5,000 characters and still scored', () => {
      const text = 'This is ridiculous, nobody called me back. ' + 'x '.repeat(500_000);
      const started = performance.now();
      const result = score(text);
      expect(performance.now() - started).toBeLessThan(50);
      expect(result.flags).toEqual(['truncated']);
      expect(result.label).toBe('negative');
      // What lies past the cap is not read.
      expect(score('x '.repeat(3_000) + 'terrible awful horrible').label).toBe('neutral');
    });

    it('a stray control character in real text is ignored, not "binary"', () => {
      expect(score('thank you so much\u000b for the help, it was really great and I appreciate it a lot')).toMatchObject({ label: 'positive', flags: [] });
    });

    it('English with a few accented names stays English', () => {
      expect(score('Dr. Núñez was wonderful, thank you José')).toMatchObject({ label: 'positive', flags: [] });
    });
  });

  describe('Spanish, with its own small lexicon and rules', () => {
    it.each([
      ['Muchas gracias, muy amable', 'positive'],
      ['Gracias', 'positive'],
      ['Esto es ridículo, nadie me ha llamado', 'negative'],
      ['Esto es ridiculo, nadie me ha llamado', 'negative'],
      ['No estoy contento con el servicio', 'negative'],
      ['Sigo esperando la llamada, estoy harta', 'negative'],
      ['El doctor fue muy amable pero la espera fue terrible', 'negative'],
      ['Necesito una cita con el médico para mi hijo', 'neutral'],
      ['Mi prueba salió negativa, ¿tengo que ir?', 'neutral'],
    ])('%s → %s', (text, label) => {
      expect(score(text)).toMatchObject({ label, flags: [] });
    });

    it('without the Spanish lexicon, Spanish is flagged', () => {
      const englishOnly = createLocalModel({ spanish: null });
      expect(englishOnly.score('Hola, necesito una cita con el médico para mi hijo')).toEqual({ label: 'neutral', score: 0, scale: 4, flags: ['unsupported-language'] });
    });

    it('English with a Spanish name or word stays English', () => {
      expect(score('Dr. Núñez was wonderful, thank you José')).toMatchObject({ label: 'positive' });
      expect(score('I am not happy, the clinic on Calle Mayor never called me back')).toMatchObject({ label: 'negative' });
    });
  });

  it('the scale has seven points and the label follows it', () => {
    expect([-0.9, -0.5, -0.25, 0, 0.25, 0.5, 0.9].map((s) => scaleOf(s))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const text of ['terrible awful service, I hate this!!!', 'ok', 'Thank you so much, you have been wonderful!!']) {
      const r = score(text);
      expect(r.label).toBe(r.scale < 4 ? 'negative' : r.scale > 4 ? 'positive' : 'neutral');
      expect(r.score).toBeGreaterThanOrEqual(-1);
      expect(r.score).toBeLessThanOrEqual(1);
    }
    expect(score('terrible awful service, I hate this!!!').scale).toBe(1);
    expect(score('Thank you so much, you have been wonderful!!').scale).toBe(7);
  });
});

describe('conversation sentiment', () => {
  it('is the last 6 messages, weighted toward the recent ones', () => {
    expect(conversationValue([])).toEqual({ scale: 4, label: 'neutral', score: 0, messages: 0 });
    // Older praise is forgotten after 6 messages.
    const value = conversationValue([0.9, 0.9, 0.9, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5]);
    expect(value).toMatchObject({ score: -0.5, messages: 6, label: 'negative' });
    // The newest counts most: the same scores in the other order differ.
    expect(conversationValue([0.6, 0, -0.6]).score).toBeLessThan(0);
    expect(conversationValue([-0.6, 0, 0.6]).score).toBeGreaterThan(0);
    // Weights 1 … 3: (1·0.6 + 2·0 + 3·−0.6) / 6 = −0.2.
    expect(conversationValue([0.6, 0, -0.6]).score).toBeCloseTo(-0.2, 3);
  });

  it('alerts once per crossing and re-arms when it recovers', () => {
    const scales = [4, 3, 2, 1, 2, 3, 2, 5, 1];
    let armed = true;
    const alerts: number[] = [];
    scales.forEach((scale, i) => {
      const next = nextAlertState(armed, scale, 2);
      armed = next.armed;
      if (next.alert) alerts.push(i);
    });
    // Falls to 2 at index 2 (alert), stays low, recovers to 3 at 5 (re-armed), falls at 6 (alert), recovers at 7, falls at 8.
    expect(alerts).toEqual([2, 6, 8]);
  });
});
