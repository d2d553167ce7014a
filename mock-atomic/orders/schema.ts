import { z } from '@hono/zod-openapi';
import { IsoDateTimeSchema, ObjectIdSchema } from '../shared/schemas';

/**
 * An e-commerce order on an Order Monitoring account (vendor-docs 000). Amounts are dollars with two
 * decimals; `lineItems` add up exactly to `amount`.
 */

export const LineItemSchema = z
  .object({
    description: z.string().openapi({ example: 'Item(s) Subtotal' }),
    amount: z.number().openapi({ example: 12.49 }),
  })
  .openapi('OrderLineItem');

export const OrderProductSchema = z
  .object({
    description: z.string().openapi({ example: 'AAA Alkaline Batteries' }),
    amount: z.number().openapi({ example: 12.49 }),
    returnBy: IsoDateTimeSchema.optional().openapi({ description: 'Last day the item can be returned' }),
  })
  .openapi('OrderProduct');

/** Non-card payment descriptions Atomic reports instead of a card (vendor-docs 000). */
export const NON_CARD_PAYMENT_TYPES = ['gift card', 'Affirm', 'Google Play', 'EBT'] as const;
export type NonCardPaymentType = (typeof NON_CARD_PAYMENT_TYPES)[number];

export const CARD_BRANDS = ['Visa', 'Mastercard', 'American Express', 'Discover'] as const;

export const PaymentMethodSchema = z
  .object({
    type: z.string().openapi({
      description:
        '"card", or a text description for non-card payments ("gift card", "Affirm", "Google Play", "EBT")',
      example: 'card',
    }),
    lastFour: z
      .string()
      .regex(/^\d{4}$/)
      .optional()
      .openapi({ description: 'Last four digits, when the merchant shows them', example: '2345' }),
    brand: z.string().optional().openapi({ example: 'Mastercard' }),
  })
  .openapi('OrderPaymentMethod');

export const OrderSchema = z
  .object({
    _id: ObjectIdSchema,
    sourceId: z
      .string()
      .openapi({ description: "The merchant's order number", example: '112-2968911-3747422' }),
    date: IsoDateTimeSchema,
    amount: z.number().openapi({ example: 13.37 }),
    lineItems: z.array(LineItemSchema),
    paymentMethod: PaymentMethodSchema.optional().openapi({
      description: 'Absent when the merchant shows no payment method for the order',
    }),
    products: z.array(OrderProductSchema),
  })
  .openapi('Order');

export type Order = z.infer<typeof OrderSchema>;
export type OrderPaymentMethod = z.infer<typeof PaymentMethodSchema>;
export type OrderLineItem = z.infer<typeof LineItemSchema>;
export type OrderProduct = z.infer<typeof OrderProductSchema>;
