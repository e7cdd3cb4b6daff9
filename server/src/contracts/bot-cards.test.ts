import { describe, expect, it } from 'vitest';
import { ADAPTIVE_CARD_CONTENT_TYPE, HERO_CARD_CONTENT_TYPE } from './bot.js';
import { ADAPTIVE_CARD_TYPE, HERO_CARD_TYPE, bodyIsCardWords, cardFallbackText, cardMarkdownToHtml, cardSubmission, cardWords, readHeroCard, safeCardUrl, sameSiteImageUrl, submittedCardValue, withAllowedImages, withSubmittedValues } from './bot-cards.js';

const ORIGIN = 'https://carebridge.example.org';
const card = {
  type: 'AdaptiveCard',
  version: '1.3',
  body: [
    { type: 'TextBlock', text: 'How would you like to be contacted?', weight: 'bolder' },
    { type: 'Input.ChoiceSet', id: 'how', choices: [{ title: 'Phone call', value: 'phone' }] },
    { type: 'Input.Text', id: 'note', label: 'Anything else?' },
  ],
  actions: [{ type: 'Action.Submit', title: 'Send' }],
};

describe('the content types', () => {
  it('are the ones the bot contract names', () => {
    expect(ADAPTIVE_CARD_TYPE).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
    expect(HERO_CARD_TYPE).toBe(HERO_CARD_CONTENT_TYPE);
  });
});

describe('card words and fallback text', () => {
  it('reads titles and texts in order, as the bot does for a card-only message', () => {
    expect(cardWords(card)).toBe('How would you like to be contacted?\n\nPhone call\n\nSend');
    const attachments = [{ contentType: ADAPTIVE_CARD_TYPE, content: card }];
    expect(bodyIsCardWords('How would you like to be contacted?\n\nPhone call\n\nSend', attachments)).toBe(true);
    expect(bodyIsCardWords('Please pick one below.', attachments)).toBe(false);
    expect(bodyIsCardWords('anything', [])).toBe(false);
  });

  it('prefers the card’s own fallbackText', () => {
    expect(cardFallbackText({ contentType: ADAPTIVE_CARD_TYPE, content: { ...card, fallbackText: ' Call us at 555-0100. ' } })).toBe('Call us at 555-0100.');
    expect(cardFallbackText({ contentType: ADAPTIVE_CARD_TYPE, content: card })).toContain('How would you like');
    expect(cardFallbackText({ contentType: ADAPTIVE_CARD_TYPE, content: { type: 'AdaptiveCard', body: 'not a list' } })).toBe('');
  });
});

describe('safeCardUrl', () => {
  it.each([
    ['/portal/#/library/flu', `${ORIGIN}/portal/#/library/flu`],
    ['https://www.cdc.gov/flu/', 'https://www.cdc.gov/flu/'],
    ['//evil.example/x', null],
    ['http://plain.example/', null],
    ['javascript:alert(1)', null],
    ['data:text/html,<b>x</b>', null],
    ['https://user:pw@host.example/', null],
    ['/path with space', null],
    ['/\\evil.example', null],
    ['', null],
    [42, null],
  ])('%s → %s', (url, expected) => {
    expect(safeCardUrl(url, ORIGIN)).toBe(expected);
  });
});

describe('readHeroCard', () => {
  it('reads title, subtitle, text, images and buttons; imBack and postBack send their value', () => {
    const hero = readHeroCard({
      title: 'Flu shots',
      subtitle: 'Walk-in clinic',
      text: 'Saturdays 9–12',
      images: [{ url: 'https://img.example/flu.png', alt: 'A nurse' }, { alt: 'no url' }],
      buttons: [
        { type: 'imBack', title: 'Book', value: 'book a flu shot' },
        { type: 'postBack', title: 'Remind me', value: { remind: true } },
        { type: 'openUrl', title: 'More', value: 'https://www.cdc.gov/flu/' },
        { type: 'call', title: 'Call', value: 'tel:555' },
        { type: 'imBack', title: '', value: 'Yes' },
        { type: 'imBack', title: '' },
      ],
    });
    expect(hero).toEqual({
      title: 'Flu shots',
      subtitle: 'Walk-in clinic',
      text: 'Saturdays 9–12',
      images: [{ url: 'https://img.example/flu.png', alt: 'A nurse' }],
      buttons: [
        { type: 'send', title: 'Book', value: 'book a flu shot' },
        { type: 'send', title: 'Remind me', value: { remind: true } },
        { type: 'openUrl', title: 'More', value: 'https://www.cdc.gov/flu/' },
        { type: 'send', title: 'Yes', value: 'Yes' },
      ],
    });
  });

  it('is null for a card with nothing to show', () => {
    expect(readHeroCard({ buttons: 'x', images: null })).toBeNull();
  });
});

describe('cardSubmission', () => {
  const inputs = [
    { id: 'how', label: 'How:', shown: 'Phone call' },
    { id: 'note', label: 'Anything else?', shown: 'After 5 pm' },
  ];
  it('sends the inputs by id over the button’s data, and summarises the choice for the transcript', () => {
    expect(cardSubmission({ step: 'contact' }, inputs, { how: 'phone', note: 'After 5 pm' }, 'Send')).toEqual({
      body: 'How: Phone call\nAnything else?: After 5 pm',
      value: { step: 'contact', how: 'phone', note: 'After 5 pm' },
    });
    expect(cardSubmission(undefined, inputs, { how: 'phone' }, 'Send')).toEqual({ body: 'Phone call', value: { how: 'phone' } });
  });

  it('falls back to the button’s title, and a string as data answers as that text', () => {
    expect(cardSubmission({ choice: 'yes' }, inputs, {}, 'Yes, book it')).toEqual({ body: 'Yes, book it', value: { choice: 'yes' } });
    expect(cardSubmission('yes', [], {}, 'Yes')).toEqual({ body: 'Yes', value: 'yes' });
    expect(cardSubmission(undefined, [], {}, '')).toEqual({ body: 'Submitted', value: {} });
  });
});

describe('cardMarkdownToHtml', () => {
  it('escapes every tag, then applies bold, italic, lists and safe links', () => {
    expect(cardMarkdownToHtml('Take **two** tablets, *not* more.', ORIGIN)).toBe('<p>Take <strong>two</strong> tablets, <em>not</em> more.</p>');
    expect(cardMarkdownToHtml('<img src=x onerror=alert(1)> & "q"', ORIGIN)).toBe('<p>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;</p>');
    expect(cardMarkdownToHtml('Steps:\n- rest\n- fluids\n\n1. call\n2. wait', ORIGIN)).toBe('<p>Steps:</p><ul><li>rest</li><li>fluids</li></ul><ol><li>call</li><li>wait</li></ol>');
    expect(cardMarkdownToHtml('line one\nline two', ORIGIN)).toBe('<p>line one<br>line two</p>');
  });

  it('links only to safe URLs, in a new tab without an opener', () => {
    expect(cardMarkdownToHtml('[CDC](https://www.cdc.gov/?a=1&b=2)', ORIGIN)).toBe('<p><a href="https://www.cdc.gov/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">CDC</a></p>');
    expect(cardMarkdownToHtml('[Library](/portal/#/library)', ORIGIN)).toBe(`<p><a href="${ORIGIN}/portal/#/library" target="_blank" rel="noopener noreferrer">Library</a></p>`);
    expect(cardMarkdownToHtml('[click](javascript:alert(1))', ORIGIN)).toBe('<p>click)</p>');
    expect(cardMarkdownToHtml('[x](https://a.example/"onmouseover="alert(1))', ORIGIN)).not.toContain('"onmouseover');
  });
});

describe('withAllowedImages', () => {
  const content = {
    type: 'AdaptiveCard',
    backgroundImage: { url: 'https://tracker.example/bg.png' },
    body: [
      { type: 'Image', url: '/api/files/logo.png', altText: 'Clinic logo' },
      { type: 'Image', url: 'https://tracker.example/pixel.png', altText: 'A nurse' },
      { type: 'Image', url: 'https://tracker.example/pixel.png' },
      { type: 'Container', items: [{ type: 'Image', url: `${ORIGIN}/x.png` }] },
    ],
    actions: [{ type: 'Action.Submit', title: 'Go', iconUrl: 'https://tracker.example/icon.png' }],
  };
  it('keeps images on the Carebridge server and turns others into their alt text', () => {
    const out = withAllowedImages(content, (url) => sameSiteImageUrl(url, ORIGIN));
    expect(out).toEqual({
      type: 'AdaptiveCard',
      body: [
        { type: 'Image', url: `${ORIGIN}/api/files/logo.png`, altText: 'Clinic logo' },
        { type: 'TextBlock', text: '[A nurse]', wrap: true, isSubtle: true },
        { type: 'Container', items: [{ type: 'Image', url: `${ORIGIN}/x.png` }] },
      ],
      actions: [{ type: 'Action.Submit', title: 'Go' }],
    });
    // The card it was given is left as it was.
    expect(content.body).toHaveLength(4);
  });

  it('keeps no image at all with a rule that takes none', () => {
    expect(JSON.stringify(withAllowedImages(content, () => null))).not.toContain('"Image"');
  });
});

describe('withSubmittedValues', () => {
  it('shows the submitted values in the card’s inputs, nested ones too', () => {
    const out = withSubmittedValues(
      { type: 'AdaptiveCard', body: [{ type: 'Input.ChoiceSet', id: 'how' }, { type: 'Container', items: [{ type: 'Input.Text', id: 'note', value: 'old' }] }, { type: 'TextBlock', id: 'how', text: 'x' }] },
      { how: 'email', note: 'after 5', extra: 1 },
    );
    expect(out).toEqual({ type: 'AdaptiveCard', body: [{ type: 'Input.ChoiceSet', id: 'how', value: 'email' }, { type: 'Container', items: [{ type: 'Input.Text', id: 'note', value: 'after 5' }] }, { type: 'TextBlock', id: 'how', text: 'x' }] });
    expect(submittedCardValue({ value: { how: 'email' } })).toEqual({ how: 'email' });
    expect(submittedCardValue({ value: 'Yes' })).toBeNull();
    expect(submittedCardValue(undefined)).toBeNull();
  });
});
