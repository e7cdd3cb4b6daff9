import { describe, expect, it } from 'vitest';
import { answerFromCard, cardInputs, choiceList, matchChoice, matchChoices, parseBoolean, parseDate, parseNumber, parseTime } from './answers.js';

describe('prompt answers by data type', () => {
  it.each([
    ['42', 42],
    ['I am 37 years old', 37],
    ['-3.5', -3.5],
    ['1,250', 1250],
    ['seven', 7],
    ['siete', 7],
    ['many', undefined],
  ])('number %j → %j', (text, value) => expect(parseNumber(text)).toBe(value));

  it.each([
    ['yes', true],
    ['Yes please', true],
    ['Sí', true],
    ['claro', true],
    ['no', false],
    ['Nope', false],
    ['no, not really', false],
    ['maybe', undefined],
  ])('boolean %j → %j', (text, value) => expect(parseBoolean(text)).toBe(value));

  const today = new Date('2026-12-07T15:00:00Z');
  it.each([
    ['2026-03-05', '2026-03-05'],
    ['3/5/2026', '2026-03-05'],
    ['12/31/26', '2026-12-31'],
    ['today', '2026-12-07'],
    ['mañana', '2026-12-08'],
    ['March 5, 2026', '2026-03-05'],
    ['2/30/2026', undefined],
    ['soon', undefined],
  ])('date %j → %j', (text, value) => expect(parseDate(text, today)).toBe(value));

  it.each([
    ['2:30 pm', '14:30'],
    ['9am', '09:00'],
    ['12 am', '00:00'],
    ['15:45', '15:45'],
    ['noon', '12:00'],
    ['25:00', undefined],
    ['later', undefined],
    ['7', undefined],
  ])('time %j → %j', (text, value) => expect(parseTime(text)).toBe(value));

  const choices = ['Yes', 'No', "I don't know"];
  it.each([
    ['yes', 0],
    ['NO', 1],
    ['3', 2],
    ["i don't know", 2],
    ['I dont know', 2],
    ['4', undefined],
    ['purple', undefined],
  ])('choice %j → index %j', (text, index) => expect(matchChoice(text, choices)?.index).toBe(index));

  it('reads several choices: numbers, choices containing commas, lists', () => {
    const symptoms = ['Fever', 'Cough', 'Nausea, vomiting, or diarrhea', 'No symptoms'];
    expect(matchChoices('1, 3', symptoms)?.map((c) => c.index)).toEqual([0, 2]);
    expect(matchChoices('Nausea, vomiting, or diarrhea and fever', symptoms)?.map((c) => c.index)).toEqual([0, 2]);
    expect(matchChoices(['Cough', 'Fever'], symptoms)?.map((c) => c.entity)).toEqual(['Fever', 'Cough']);
    expect(matchChoices('purple, blue', symptoms)).toBeUndefined();
  });

  it.each([
    [['a', 'b'], ['a', 'b']],
    ['["Mild", "Moderate"]', ['Mild', 'Moderate']],
    ['Red|Green | Blue', ['Red', 'Green', 'Blue']],
    [[{ title: 'Maine', value: 'ME' }], ['Maine']],
    [42, []],
  ])('choice list of %j', (value, list) => expect(choiceList(value)).toEqual(list));

  it('reads typed text as a card submission: a button, the one choice set, the one text input', () => {
    const zip = cardInputs({
      type: 'AdaptiveCard',
      actions: [{ type: 'Action.ShowCard', card: { body: [{ type: 'Input.Text', id: 'zipcode' }], actions: [{ type: 'Action.Submit', title: 'Submit' }] } }, { type: 'Action.Submit', title: 'Skip' }],
    });
    expect(answerFromCard('Skip', zip)).toEqual({});
    expect(answerFromCard('04101', zip)).toEqual({ zipcode: '04101' });
    const states = cardInputs({ body: [{ type: 'Input.ChoiceSet', id: 'state', choices: [{ title: 'Please select', value: 'default_message' }, { title: 'Maine', value: 'ME' }, { title: 'Texas', value: 'TX' }] }] });
    expect(answerFromCard('maine', states)).toEqual({ state: 'ME' });
    expect(answerFromCard('2', states)).toEqual({ state: 'TX' });
    expect(answerFromCard('Atlantis', states)).toBeUndefined();
  });
});
