import { registerEnumType } from '@nestjs/graphql';

/** The direction of a connection's ordering. */
export const OrderDirectionEnum = { ASC: 'ASC', DESC: 'DESC' } as const;
export type OrderDirection = (typeof OrderDirectionEnum)[keyof typeof OrderDirectionEnum];
registerEnumType(OrderDirectionEnum, { name: 'OrderDirection' });
