import { describe, expect, it } from 'vitest';
import { TemplateError, findReferences, resolveTemplates } from './templates';

const scope = {
  identifier: 'qa-user-1',
  connect: { accountId: 'acc-1', orders: { o1: { id: 'ord-1', amount: 45.67 } }, count: 3 },
  customer: { card: { lastFour: '4242' } },
};

describe('findReferences', () => {
  it('finds references deeply with the field they sit in', () => {
    const refs = findReferences({ account: '${connect.accountId}', orders: [{ note: 'for ${identifier}' }] });
    expect(refs).toEqual([
      { expression: 'connect.accountId', root: 'connect', path: ['accountId'], field: 'account' },
      { expression: 'identifier', root: 'identifier', path: [], field: 'orders.0.note' },
    ]);
  });

  it('rejects a malformed reference naming the field', () => {
    expect(() => findReferences({ amount: '${connect..amount}' })).toThrow(TemplateError);
    expect(() => findReferences({ amount: '${ }' })).toThrow(/amount|not a reference/);
  });
});

describe('resolveTemplates', () => {
  it('keeps the type of a whole reference and interpolates text', () => {
    expect(
      resolveTemplates(
        {
          amount: '${connect.orders.o1.amount}',
          label: 'order ${connect.orders.o1.id} of ${identifier}',
          n: 2,
        },
        scope,
      ),
    ).toEqual({ amount: 45.67, label: 'order ord-1 of qa-user-1', n: 2 });
  });

  it('returns a copy: changing the result does not change the scope', () => {
    const out = resolveTemplates({ order: '${connect.orders.o1}' }, scope);
    (out.order as unknown as { id: string }).id = 'changed';
    expect(scope.connect.orders.o1.id).toBe('ord-1');
  });

  it('names the missing key and what exists instead', () => {
    expect(() => resolveTemplates({ account: '${connect.acountId}' }, scope)).toThrow(
      /connect has no "acountId"; it has: accountId, orders, count/,
    );
    expect(() => resolveTemplates({ card: '${nope.id}' }, scope)).toThrow(/nothing is called "nope"/);
  });

  it('refuses to paste an object into text', () => {
    expect(() => resolveTemplates({ label: 'card ${customer.card}' }, scope)).toThrow(/is an object/);
  });

  it('reports the field of a failed reference', () => {
    try {
      resolveTemplates({ orders: [{ lastFour: '${customer.card.last4}' }] }, scope);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as TemplateError).field).toBe('orders.0.lastFour');
    }
  });
});
